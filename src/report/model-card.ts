/**
 * A model card: what a registered model is, what it learned from, how well it does and where, how it explains
 * prices, what the data looked like, and what the pipeline decided about it — as Markdown and as a standalone
 * HTML page, with the charts as SVG (error by segment, explanation summary, drift). A pure function of the
 * model's registry record: the same record gives the same bytes.
 */
import { PRICE_BASIS } from '../diamond/index.js';
import type { Accuracy, ModelMetrics } from '../registry/metrics.js';
import { bars, formats } from './charts.js';

/** The parts of a registry record the card shows (structurally a ModelRecord). */
export interface ModelCardInput {
  version: string;
  kind: string;
  createdAt: string;
  isChampion: boolean;
  promotedAt: string | null;
  artifactSha256: string;
  trainingDataSha256: string;
  trainingRows: number;
  params: Record<string, unknown>;
  /** In the registry's metrics contract (upgraded from older records by the caller). */
  metrics: ModelMetrics;
  durationMs: number;
  gitCommit: string | null;
  decision: string | null;
}

export interface ModelCard {
  markdown: string;
  html: string;
  /** SVG charts by file name, referenced from both documents. */
  charts: Record<string, string>;
}

const usd = (v: number): string => `$${Math.round(v).toLocaleString('en-US')}`;
const pct = (v: number, d = 2): string => `${v.toFixed(d)}%`;
const SEGMENT_ORDER: Record<string, readonly string[]> = {
  cut: ['Fair', 'Good', 'Very Good', 'Premium', 'Ideal'],
  color: ['J', 'I', 'H', 'G', 'F', 'E', 'D'],
  clarity: ['I1', 'SI2', 'SI1', 'VS2', 'VS1', 'VVS2', 'VVS1', 'IF'],
  carat: ['< 0.5', '0.5–1', '1–1.5', '1.5–2', '≥ 2'],
};

const orDash = (v: number | null, show: (v: number) => string): string => (v === null ? '—' : show(v));

/** One row of an accuracy table: the figures, labelled with the rows they were measured on. */
function metricRows(model: string | undefined, e: Accuracy | null | undefined): string[] | undefined {
  if (!e || model === undefined) return undefined;
  return [
    `${model}: ${e.measuredOn.label}`,
    String(e.n),
    usd(e.mae),
    usd(e.rmse),
    pct(e.mape),
    orDash(e.r2, (v) => v.toFixed(4)),
    `${orDash(e.range.coverage, (v) => pct(v, 1))} (nominal ${e.range.nominal.toFixed(0)}%)`,
    orDash(e.range.medianRelativeWidth, (v) => pct(v, 1)),
  ];
}

function table(header: string[], rows: (string[] | undefined)[]): { md: string; html: string } {
  const body = rows.filter((r): r is string[] => r !== undefined);
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return {
    md: [
      `| ${header.join(' | ')} |`,
      `| ${header.map(() => '---').join(' | ')} |`,
      ...body.map((r) => `| ${r.join(' | ')} |`),
    ].join('\n'),
    html: `<table><thead><tr>${header.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${body.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('')}</tbody></table>`,
  };
}

export function renderModelCard(m: ModelCardInput): ModelCard {
  const metrics = m.metrics;
  const charts: Record<string, string> = {};
  const sections: { title: string; md: string; html: string }[] = [];
  const para = (text: string) => ({ md: text, html: `<p>${text.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</p>` });
  const add = (title: string, parts: { md: string; html: string }[]) =>
    sections.push({ title, md: parts.map((p) => p.md).join('\n\n'), html: parts.map((p) => p.html).join('\n') });
  const chart = (file: string, svg: string, alt: string) => {
    charts[file] = svg;
    return { md: `![${alt}](${file})`, html: `<figure>${svg}</figure>` };
  };

  add('Summary', [
    table(
      ['', ''],
      [
        ['version', m.version],
        ['kind', m.kind],
        ['created', m.createdAt],
        [
          'status',
          m.isChampion
            ? `champion (since ${m.promotedAt})`
            : m.promotedAt
              ? `served before (last promoted ${m.promotedAt})`
              : 'never served',
        ],
        ['decision', m.decision ?? '—'],
        ['price basis', PRICE_BASIS.description],
        ['training data', `${m.trainingRows.toLocaleString('en-US')} rows, snapshot sha256 ${m.trainingDataSha256}`],
        ['artifact', `model.json, sha256 ${m.artifactSha256}`],
        ['training time', `${(m.durationMs / 1000).toFixed(1)} s (tuning included)`],
        ['git commit', m.gitCommit ?? 'unknown'],
        ['trained by', metrics.origin.run === null ? metrics.origin.by : `pipeline run #${metrics.origin.run}`],
        [
          'evaluation rows',
          metrics.origin.evaluationRowsLeftOut === true
            ? 'left out of training'
            : metrics.origin.evaluationRowsLeftOut === false
              ? 'LEARNED FROM: its figures on them are not held out'
              : 'not known whether they were left out of training',
        ],
      ],
    ),
  ]);

  const ev = metrics.evaluation;
  if (ev) {
    const rows = metrics.evaluationRows;
    const header = ['rows', 'n', 'MAE', 'RMSE', 'MAPE', 'R²', 'range coverage', 'median range width'];
    const champ = metrics.champion;
    const parts = [
      para(
        `Scored on rows no model learned from: the ${rows?.referenceTest ?? '?'} rows of the frozen reference test split and ` +
          `the ${rows?.newest ?? 0}-row holdout of the newest appraisals (${rows?.newestFiles.join(', ') || 'none'}).` +
          (champ ? ` The champion at the time, ${champ.version}, was scored on the same rows.` : ''),
      ),
      table(header, [
        metricRows(m.version, ev.referenceTest),
        metricRows(m.version, ev.newest),
        metricRows(m.version, ev.combined),
        metricRows(champ?.version, champ?.evaluation.referenceTest),
        metricRows(champ?.version, champ?.evaluation.newest),
        metricRows(champ?.version, champ?.evaluation.combined),
        metricRows(m.version, metrics.outOfFold),
      ]),
    ];
    if (metrics.promotionRule) {
      const r = metrics.promotionRule;
      parts.push(
        para(
          `Promotion rule: promote if ${r.metric.toUpperCase()} is at most ${(r.tolerance * 100).toFixed(1)}% worse than the champion's on these rows and range coverage is at least nominal − ${r.coverageMarginPts} points.`,
        ),
      );
    }
    add('Accuracy', parts);

    const segs: { label: string; value: number; group: string }[] = [];
    const order: string[] = [];
    for (const by of ['carat', 'cut', 'color', 'clarity']) {
      for (const s of SEGMENT_ORDER[by]) {
        const label = `${by} ${s}`;
        const mine = ev.segments.find((x) => x.by === by && x.segment === s);
        if (!mine) continue;
        order.push(label);
        segs.push({ label, value: mine.mape / 100, group: m.version });
        const theirs = champ?.evaluation.segments.find((x) => x.by === by && x.segment === s);
        if (theirs) segs.push({ label, value: theirs.mape / 100, group: `${champ!.version} (champion)` });
      }
    }
    add('Error by segment', [
      chart(
        'error-by-segment.svg',
        bars(segs, {
          value: { label: 'MAPE', format: formats.percent },
          order,
          groups: champ ? [m.version, `${champ.version} (champion)`] : [m.version],
          legend: 'model',
          title: 'Mean absolute percentage error by segment',
          subtitle: 'evaluation rows (reference test + newest holdout)',
          width: 640,
        }),
        'error by segment',
      ),
      table(
        ['segment', 'n', 'MAE', 'MAPE'],
        order
          .map((label) => ev.segments.find((s) => `${s.by} ${s.segment}` === label)!)
          .map((s) => [`${s.by} ${s.segment}`, String(s.n), usd(s.mae), pct(s.mape)]),
      ),
    ]);

    add('How it explains prices', [
      para(
        'Mean absolute effect of each factor on the price (|multiplier − 1|), over a sample of evaluation stones: what the explanations a client reads are made of.',
      ),
      chart(
        'explanation-summary.svg',
        bars(
          ev.explanation.map((e) => ({ label: e.factor, value: e.meanAbsEffectPct / 100 })),
          {
            value: { label: 'mean absolute effect on price', format: formats.percent },
            title: 'Explanation summary',
            width: 640,
          },
        ),
        'explanation summary',
      ),
    ]);
  }

  const drift = metrics.drift;
  if (drift) {
    const parts = [
      para(
        drift.note ??
          `From ${drift.baseline}'s training data (${drift.baselineRows} rows) to the ${drift.newRows} new appraisals of ${drift.newFiles.join(', ')}. PSI < 0.1 stable, 0.1–0.25 moderate, > 0.25 large.`,
      ),
    ];
    if (drift.features.length > 0) {
      parts.push(
        chart(
          'drift.svg',
          bars(
            drift.features.map((f) => ({ label: f.feature, value: f.psi ?? 0 })),
            {
              // A fixed scale up to "large" (0.25) at least, so that a stable field does not look like a shift.
              value: {
                label: 'PSI (< 0.1 stable, > 0.25 large)',
                domain: [0, Math.max(0.3, ...drift.features.map((f) => f.psi ?? 0))],
              },
              title: 'Drift of each field (PSI)',
              subtitle: `${drift.baseline} training data → new appraisals`,
              width: 640,
            },
          ),
          'drift by field',
        ),
      );
      parts.push(
        table(
          ['field', 'PSI', 'level', 'KS D', 'KS p', 'mean before', 'mean now'],
          drift.features.map((f) => [
            f.feature,
            orDash(f.psi, (v) => v.toFixed(3)),
            f.level,
            orDash(f.ks?.statistic ?? null, (v) => v.toFixed(3)),
            orDash(f.ks?.pValue ?? null, (v) => v.toExponential(1)),
            orDash(f.baselineMean ?? null, (v) => v.toFixed(2)),
            orDash(f.currentMean ?? null, (v) => v.toFixed(2)),
          ]),
        ),
      );
    }
    if (drift.performance) {
      parts.push(
        para(
          `Performance drift: the champion ${drift.performance.version} on the new appraisals vs on the reference test rows.`,
        ),
      );
      parts.push(
        table(
          ['rows', 'n', 'MAE', 'RMSE', 'MAPE', 'R²', 'range coverage', 'median range width'],
          [
            metricRows('new appraisals', drift.performance.onNew),
            metricRows('reference test', drift.performance.onReferenceTest),
          ],
        ),
      );
    }
    add('Data drift', parts);
  }

  const tuning = metrics.tuning;
  add('Parameters and tuning', [
    table(
      ['parameter', 'value'],
      Object.entries(m.params).map(([k, v]) => [k, JSON.stringify(v)]),
    ),
    ...(tuning
      ? [
          para(
            `${tuning.trials.length}${tuning.plannedTrials !== undefined ? ` of ${tuning.plannedTrials} planned` : ''} trial(s), each scored by ${tuning.folds}-fold cross-validation inside the training rows (out-of-fold MAE), in ${(tuning.spentMs / 1000).toFixed(1)} s${tuning.budgetMs !== null ? ` (upper bound ${(tuning.budgetMs / 1000).toFixed(1)} s)` : ''}; stopped: ${tuning.stopped}${tuning.chosen !== undefined ? `; chosen: trial ${tuning.chosen + 1}` : ''}.`,
          ),
          table(
            ['trial', 'CV MAE', 'CV MAPE', 'time', 'from · parameters'],
            [...tuning.trials]
              .map((t, i) => ({ t, i }))
              .sort((a, b) => a.t.mae - b.t.mae)
              .slice(0, 10)
              .map(({ t, i }) => [
                String(i + 1),
                usd(t.mae),
                pct(t.mape),
                `${(t.ms / 1000).toFixed(2)} s`,
                `${t.source ?? ''} ${JSON.stringify(t.params)}`.trim(),
              ]),
          ),
        ]
      : []),
  ]);

  const title = `Model card — ${m.version} (${m.kind})`;
  const markdown = `# ${title}\n\n${sections.map((s) => `## ${s.title}\n\n${s.md}`).join('\n\n')}\n`;
  const html = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${title}</title>
<style>body{font-family:system-ui,sans-serif;max-width:980px;margin:2em auto;padding:0 1em;color:#1f2937}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #d1d5db;padding:4px 8px;text-align:left;font-size:13px}th{background:#f3f4f6}figure{margin:1em 0}</style>
</head><body>
<h1>${title}</h1>
${sections.map((s) => `<h2>${s.title}</h2>\n${s.html}`).join('\n')}
</body></html>
`;
  return { markdown, html, charts };
}
