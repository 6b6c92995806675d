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

/** A p-value as people read it: three decimals, or "< 0.001" (never 1.2e-5). */
export function plainPValue(p: number): string {
  return p < 0.001 ? '< 0.001' : p.toFixed(3);
}

/** The engine's parameter names in words. */
const PARAM_LABELS: Record<string, string> = {
  nEstimators: 'trees',
  learningRate: 'learning rate',
  maxDepth: 'depth',
  maxBins: 'bins per feature',
  lambda: 'L2 regularisation (λ)',
  minChildWeight: 'min. child weight',
  minSplitGain: 'min. split gain',
  subsample: 'rows sampled per tree',
  colsampleByTree: 'features sampled per tree',
  monotone: 'monotone in the 4Cs',
  bag: 'models averaged',
  trend: 'trend',
};
const paramLabel = (key: string): string => PARAM_LABELS[key] ?? key;

/** A parameter's value as text (a list or a nested setting spelled out, not JSON). */
export function paramText(v: unknown): string {
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (typeof v === 'number' || typeof v === 'string') return String(v);
  if (v === null || v === undefined) return '—';
  if (Array.isArray(v)) return v.map(paramText).join(', ');
  return Object.entries(v as Record<string, unknown>)
    .map(([k, x]) => `${paramLabel(k)} ${paramText(x)}`)
    .join(', ');
}

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

/**
 * The web app's look (its palette and type, web/src/styles.css), and nothing wider than the page: long values
 * (hashes, descriptions) wrap, charts shrink, a table too wide for a phone scrolls inside its own box.
 */
const CARD_STYLE = [
  'body{margin:0;background:#f4f6f9;color:#1b2333;font:15px/1.5 Inter,system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif}',
  'header{background:#14213d;color:#fff;padding:.7em 1.5em;font-size:14px}',
  'header .brand{font-weight:700;letter-spacing:.02em}',
  'main{box-sizing:border-box;max-width:1000px;margin:1.5em auto;padding:1.25em 2em;background:#fff;border:1px solid #dde2ea;border-radius:10px;box-shadow:0 1px 8px rgba(20,33,61,.04)}',
  'h1{font-size:1.5em;margin:.2em 0 .6em}h2{font-size:1.15em;color:#14213d;border-bottom:1px solid #dde2ea;padding-bottom:.25em;margin-top:1.6em}',
  'table{display:block;max-width:100%;overflow-x:auto;border-collapse:collapse;margin:1em 0}',
  'td,th{border:1px solid #dde2ea;padding:4px 8px;text-align:left;font-size:13px;vertical-align:top;overflow-wrap:break-word}',
  'th{background:#f4f6f9;color:#4a5468;font-weight:600}',
  'figure{margin:1em 0}figure svg{max-width:100%;height:auto}',
  '@media (max-width:600px){main{margin:0;border-radius:0;padding:1em}}',
].join('');

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
      ['', 'this model'],
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
            orDash(f.ks?.pValue ?? null, plainPValue),
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
  // The trials differ in a few settings: those get a column each; the rest are the parameters table's.
  const varying = tuning
    ? [...new Set(tuning.trials.flatMap((t) => Object.keys(t.params)))].filter(
        (k) => new Set(tuning.trials.map((t) => paramText(t.params[k]))).size > 1,
      )
    : [];
  add('Parameters and tuning', [
    table(
      ['parameter', 'value'],
      Object.entries(m.params).map(([k, v]) => [paramLabel(k), paramText(v)]),
    ),
    ...(tuning
      ? [
          para(
            `${tuning.trials.length}${tuning.plannedTrials !== undefined ? ` of ${tuning.plannedTrials} planned` : ''} trial(s), each scored by ${tuning.folds}-fold cross-validation inside the training rows (out-of-fold MAE), in ${(tuning.spentMs / 1000).toFixed(1)} s${tuning.budgetMs !== null ? ` (upper bound ${(tuning.budgetMs / 1000).toFixed(1)} s)` : ''}; stopped: ${tuning.stopped}${tuning.chosen !== undefined ? `; chosen: trial ${tuning.chosen + 1}` : ''}.`,
          ),
          table(
            ['trial', 'from', 'CV MAE', 'CV MAPE', 'time', ...varying.map(paramLabel)],
            [...tuning.trials]
              .map((t, i) => ({ t, i }))
              .sort((a, b) => a.t.mae - b.t.mae)
              .slice(0, 10)
              .map(({ t, i }) => [
                String(i + 1),
                t.source ?? '—',
                usd(t.mae),
                pct(t.mape),
                `${(t.ms / 1000).toFixed(2)} s`,
                ...varying.map((k) => paramText(t.params[k])),
              ]),
          ),
        ]
      : []),
  ]);

  const title = `Model card — ${m.version} (${m.kind})`;
  const markdown = `# ${title}\n\n${sections.map((s) => `## ${s.title}\n\n${s.md}`).join('\n\n')}\n`;
  const html = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title>
<style>${CARD_STYLE}</style>
</head><body>
<header><span class="brand">Loupe</span> · model card</header>
<main>
<h1>${title}</h1>
${sections.map((s) => `<h2>${s.title}</h2>\n${s.html}`).join('\n')}
</main>
</body></html>
`;
  return { markdown, html, charts };
}
