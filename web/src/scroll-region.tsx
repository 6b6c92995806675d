/**
 * A block that scrolls sideways when what it holds is wider than the screen (a table on a 320 px phone), so the page
 * itself never does. It is a tab stop, so a keyboard user can reach it and scroll it with the arrow keys, and a
 * named region, so a screen reader says what that stop is (WCAG 2.1.1; axe's scrollable-region-focusable).
 */
import type { ComponentChildren } from 'preact';

export function ScrollRegion({ label, children }: { label: string; children: ComponentChildren }) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a region that scrolls must be reachable by keyboard to be scrolled
    <section class="table-scroll" aria-label={label} tabIndex={0}>
      {children}
    </section>
  );
}
