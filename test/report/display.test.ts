import { describe, expect, it } from 'vitest';
import { JUPYTER_DISPLAY, markdownOutput, plainTable, svgOutput, tableOutput } from '../../src/report/display.js';

describe('notebook display', () => {
  it('offers SVG, Markdown and HTML tables under the Jupyter display symbol', () => {
    expect(JUPYTER_DISPLAY).toBe(Symbol.for('Jupyter.display'));
    expect(svgOutput('<svg/>')[JUPYTER_DISPLAY]()['image/svg+xml']).toBe('<svg/>');
    expect(markdownOutput('**7** stones')[JUPYTER_DISPLAY]()['text/markdown']).toBe('**7** stones');
  });

  it('writes tables as escaped HTML with numbers right-aligned, and as aligned text', () => {
    const rows = [
      { grade: 'VS<1', n: 1234.5 },
      { grade: 'IF', n: 2 },
    ];
    const columns = [
      { title: 'grade', value: (r: (typeof rows)[number]) => r.grade },
      { title: 'stones', value: (r: (typeof rows)[number]) => r.n },
    ];
    const bundle = tableOutput(rows, columns)[JUPYTER_DISPLAY]();
    expect(bundle['text/html']).toContain(
      '<th style="text-align:left">grade</th><th style="text-align:right">stones</th>',
    );
    expect(bundle['text/html']).toContain(
      '<td style="text-align:left">VS&lt;1</td><td style="text-align:right">1,234.5</td>',
    );
    expect(plainTable(rows, columns).split('\n')).toEqual([
      'grade   stones',
      '-----  -------',
      'VS<1   1,234.5',
      'IF           2',
    ]);
  });
});
