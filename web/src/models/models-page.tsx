/**
 * Models: the model that prices stones now — how accurate it is on stones it never saw, how honest its ranges
 * are, where it errs most, what drives its prices — its model card when the API publishes one, and every model
 * trained so far with what the pipeline decided about it.
 */
import { useEffect, useState } from 'preact/hooks';
import { CLARITIES, COLORS, CUTS } from '../../../src/diamond/grades.js';
import { ApiError, KEY_SAVED_EVENT, currentModel, htmlDocument, models, type ModelInfo } from '../api.js';
import { capitalise, dateTime, money } from '../format.js';
import {
  accuracyRows,
  headline,
  promotionRule,
  type Accuracy,
  type FactorEffect,
  type Segment,
} from './model-metrics.js';

type Load<T> = { kind: 'loading' } | { kind: 'failed'; message: string } | { kind: 'ready'; value: T };

/** How many API keys were saved since the page opened: loads that depend on it run again after a key is saved. */
function useKeySaves(): number {
  const [saves, setSaves] = useState(0);
  useEffect(() => {
    const onSaved = () => setSaves((n) => n + 1);
    addEventListener(KEY_SAVED_EVENT, onSaved);
    return () => removeEventListener(KEY_SAVED_EVENT, onSaved);
  }, []);
  return saves;
}

function useLoad<T>(load: (signal: AbortSignal) => Promise<T>, inputs: unknown[] = []): Load<T> {
  const [state, setState] = useState<Load<T>>({ kind: 'loading' });
  useEffect(() => {
    setState({ kind: 'loading' });
    const controller = new AbortController();
    load(controller.signal)
      .then((value) => setState({ kind: 'ready', value }))
      .catch((e: unknown) => {
        if (!controller.signal.aborted)
          setState({ kind: 'failed', message: e instanceof ApiError ? `${e.title}: ${e.message}` : String(e) });
      });
    return () => controller.abort();
  }, inputs);
  return state;
}

/**
 * The model card, fetched with the API key (a frame or link pointing at the API could not send it): shown in a
 * sandboxed frame (no scripts, an origin of its own) and, for a tab of its own, as a blob: address.
 */
function ModelCard({ url, version, saves }: { url: string; version: string; saves: number }) {
  const card = useLoad((signal) => htmlDocument(url, signal), [url, saves]);
  const [tabUrl, setTabUrl] = useState<string | null>(null);
  useEffect(() => {
    if (card.kind !== 'ready') return;
    const blobUrl = URL.createObjectURL(new Blob([card.value], { type: 'text/html' }));
    setTabUrl(blobUrl);
    return () => URL.revokeObjectURL(blobUrl);
  }, [card]);
  return (
    <section class="panel" aria-labelledby="card-title">
      <div class="panel__head">
        <h2 id="card-title" class="panel__title">
          Model card
        </h2>
        {card.kind === 'ready' && tabUrl && (
          <a class="button button--quiet" href={tabUrl} target="_blank" rel="noopener">
            Open in a new tab
          </a>
        )}
      </div>
      {card.kind === 'ready' && (
        <iframe class="model-card" srcdoc={card.value} title={`Model card of ${version}`} sandbox="" />
      )}
      {card.kind === 'loading' && (
        <p class="muted" role="status">
          Loading the model card…
        </p>
      )}
      {card.kind === 'failed' && (
        <p class="notice notice--error" role="alert">
          {card.message}
        </p>
      )}
    </section>
  );
}

const pct = (v: number, digits = 1): string => `${v.toFixed(digits)}%`;
/** A figure that can be undefined (null in the metrics: no range given, no variation). */
const orDash = (v: number | null, show: (v: number) => string): string => (v === null ? '—' : show(v));

function Headline({ a }: { a: Accuracy }) {
  return (
    <dl class="tiles">
      <div class="tile">
        <dt>Typical error</dt>
        <dd data-testid="metric-mdape">{pct(a.mdape)}</dd>
        <dd class="tile__note">
          Half of the stones are priced within {pct(a.mdape)} of the expert's appraisal; measured on{' '}
          <span data-testid="headline-rows">{a.measuredOn.label}</span>.
        </dd>
      </div>
      <div class="tile">
        <dt>Mean absolute error</dt>
        <dd>{money(a.mae)}</dd>
        <dd class="tile__note">Average gap between price and appraisal over {a.n.toLocaleString('en-US')} stones.</dd>
      </div>
      <div class="tile">
        <dt>Ranges that hold</dt>
        <dd>{orDash(a.range.coverage, (v) => pct(v))}</dd>
        <dd class="tile__note">
          Of the true prices fall inside their range (calibrated to {pct(a.range.nominal, 0)}).
        </dd>
      </div>
      <div class="tile">
        <dt>R²</dt>
        <dd>{orDash(a.r2, (v) => v.toFixed(3))}</dd>
        <dd class="tile__note">Share of the variation in prices the model accounts for.</dd>
      </div>
    </dl>
  );
}

function AccuracyTable({ rows }: { rows: Accuracy[] }) {
  return (
    <div class="table-scroll">
      <table class="data-table" data-testid="accuracy-table">
        <caption>Accuracy, and the rows each figure was measured on</caption>
        <thead>
          <tr>
            <th scope="col">Rows</th>
            <th scope="col" class="num">
              Stones
            </th>
            <th scope="col" class="num">
              Mean abs. error
            </th>
            <th scope="col" class="num">
              RMSE
            </th>
            <th scope="col" class="num">
              Mean % error
            </th>
            <th scope="col" class="num">
              Median % error
            </th>
            <th scope="col" class="num">
              R²
            </th>
            <th scope="col" class="num">
              In range
            </th>
            <th scope="col" class="num">
              Range width
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((a) => (
            <tr key={a.measuredOn.rows}>
              <th scope="row">{capitalise(a.measuredOn.label)}</th>
              <td class="num">{a.n.toLocaleString('en-US')}</td>
              <td class="num">{money(a.mae)}</td>
              <td class="num">{money(a.rmse)}</td>
              <td class="num">{pct(a.mape)}</td>
              <td class="num">{pct(a.mdape)}</td>
              <td class="num">{orDash(a.r2, (v) => v.toFixed(3))}</td>
              <td class="num">{orDash(a.range.coverage, (v) => `${pct(v)} of ${pct(a.range.nominal, 0)}`)}</td>
              <td class="num">{orDash(a.range.medianRelativeWidth, (v) => `±${pct(v / 2)}`)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

const FACTOR_NAMES: Record<string, string> = {
  carat: 'Carat',
  cut: 'Cut',
  color: 'Colour',
  clarity: 'Clarity',
  proportions: 'Proportions',
};
const SCALES: Record<string, readonly string[]> = { cut: CUTS, color: COLORS, clarity: CLARITIES };

/** Carat buckets ("< 0.5", "0.5–1", "≥ 2") in order of weight; grades worst to best. */
function segmentOrder(by: string, segment: string): number {
  const scale = SCALES[by];
  if (scale) return scale.indexOf(segment);
  const first = Number(segment.match(/\d+(\.\d+)?/)?.[0] ?? 0);
  return segment.trim().startsWith('<') ? first - 1e-6 : first;
}

function Segments({ list }: { list: Segment[] }) {
  const groups = ['carat', 'cut', 'color', 'clarity'].filter((g) => list.some((s) => s.by === g));
  const worst = Math.max(...list.map((s) => s.mape));
  return (
    <div class="segments">
      {groups.map((g) => (
        <table class="data-table segments__table" key={g}>
          <caption>By {FACTOR_NAMES[g]?.toLowerCase() ?? g}</caption>
          <thead>
            <tr>
              <th scope="col">{FACTOR_NAMES[g] ?? g}</th>
              <th scope="col" class="num">
                Stones
              </th>
              <th scope="col" class="num">
                % error
              </th>
            </tr>
          </thead>
          <tbody>
            {list
              .filter((s) => s.by === g)
              .sort((a, b) => segmentOrder(g, a.segment) - segmentOrder(g, b.segment))
              .map((s) => (
                <tr key={s.segment} class={s.mape === worst ? 'row--worst' : undefined}>
                  <th scope="row">{s.segment}</th>
                  <td class="num">{s.n.toLocaleString('en-US')}</td>
                  <td class="num">{pct(s.mape)}</td>
                </tr>
              ))}
          </tbody>
        </table>
      ))}
    </div>
  );
}

function Drivers({ list }: { list: FactorEffect[] }) {
  const max = Math.max(...list.map((f) => f.meanAbsEffectPct));
  const rowHeight = 30;
  return (
    <div class="drivers">
      <svg
        class="drivers__chart"
        viewBox={`0 0 400 ${list.length * rowHeight}`}
        role="img"
        aria-labelledby="drivers-title drivers-desc"
        preserveAspectRatio="xMinYMin meet"
      >
        <title id="drivers-title">What moves prices most</title>
        <desc id="drivers-desc">
          {list.map((f) => `${FACTOR_NAMES[f.factor] ?? f.factor}: ${pct(f.meanAbsEffectPct)}`).join('; ')}
        </desc>
        {list.map((f, i) => (
          <g key={f.factor}>
            <text x={0} y={i * rowHeight + 19} class="drivers__label">
              {FACTOR_NAMES[f.factor] ?? capitalise(f.factor)}
            </text>
            <rect
              x={100}
              y={i * rowHeight + 7}
              height={16}
              rx={3}
              width={Math.max(2, (f.meanAbsEffectPct / max) * 220)}
              class="drivers__bar"
            />
            <text
              x={100 + Math.max(2, (f.meanAbsEffectPct / max) * 220) + 8}
              y={i * rowHeight + 19}
              class="drivers__value"
            >
              {pct(f.meanAbsEffectPct)}
            </text>
          </g>
        ))}
      </svg>
      <p class="muted">How far, on average, each characteristic moves a stone's price away from the typical price.</p>
    </div>
  );
}

const MANUAL = 'manual: ';

/** How a model last came to serve, in words: by the pipeline's rule, by hand (with the reason given), or rolled back. */
export function promotionText(p: NonNullable<ModelInfo['promotion']>): string {
  const manual = p.reason.startsWith(MANUAL);
  const why = manual ? p.reason.slice(MANUAL.length) : p.reason;
  if (p.action === 'rollback')
    return manual
      ? `Put back by hand (loupe models rollback), not by the pipeline's rule. Reason given: “${why}”`
      : `Put back automatically: ${why}`;
  return manual
    ? `Promoted by hand (loupe models promote), not by the pipeline's rule. Reason given: “${why}”`
    : `Promoted by the retraining pipeline: ${why}`;
}

/** Promotions the pipeline's rule did not make: by hand, or a champion put back. */
const byHandOrBack = (p: NonNullable<ModelInfo['promotion']>): boolean =>
  p.action === 'rollback' || p.reason.startsWith(MANUAL);

function trainedBy(o: ModelInfo['metrics']['origin']): string {
  if (o.by === 'pipeline')
    return o.run === null ? 'The retraining pipeline' : `The retraining pipeline (run #${o.run})`;
  if (o.by === 'loupe import-xgboost') return 'XGBoost, outside Loupe; imported by hand (loupe import-xgboost)';
  return 'loupe train, registered by hand';
}

/** What a reader must know before trusting the figures of a model the pipeline did not evaluate. */
function Caveats({ metrics }: { metrics: ModelInfo['metrics'] }) {
  const notes: string[] = [];
  if (metrics.origin.evaluationRowsLeftOut === false)
    notes.push('It learned from the frozen evaluation rows: none of its figures on them is held out.');
  else if (metrics.origin.evaluationRowsLeftOut === null)
    notes.push(
      'It is not known whether it learned from the frozen evaluation rows (it was trained on files given by hand, or recorded before Loupe kept this).',
    );
  if (!metrics.evaluation)
    notes.push(
      'The pipeline never evaluated it against a champion on the frozen evaluation rows: the figures below are what its own training measured, labelled with the rows they come from.',
    );
  if (notes.length === 0) return null;
  return (
    <div class="notice" data-testid="model-caveats">
      {notes.map((n) => (
        <p key={n}>{n}</p>
      ))}
    </div>
  );
}

function CurrentModel({ model, saves }: { model: ModelInfo; saves: number }) {
  const top = headline(model.metrics);
  const rows = accuracyRows(model.metrics);
  const segs = model.metrics.evaluation?.segments ?? [];
  const drivers = model.metrics.evaluation?.explanation ?? [];
  const rule = promotionRule(model.metrics);
  return (
    <>
      <section class="panel" aria-labelledby="current-title">
        <div class="panel__head">
          <h2 id="current-title" class="panel__title">
            Current model{' '}
            <span class="badge badge--strong" data-testid="current-version">
              {model.version}
            </span>
          </h2>
        </div>
        <dl class="facts">
          <div>
            <dt>Kind</dt>
            <dd>{model.kind}</dd>
          </div>
          <div>
            <dt>Serving since</dt>
            <dd>{dateTime(model.promotedAt)}</dd>
          </div>
          <div>
            <dt>Trained by</dt>
            <dd data-testid="trained-by">{trainedBy(model.metrics.origin)}</dd>
          </div>
          <div>
            <dt>Trained on</dt>
            <dd>{model.trainingRows.toLocaleString('en-US')} appraised stones</dd>
          </div>
          <div>
            <dt>Data snapshot</dt>
            <dd>
              <code title={model.trainingDataSha256}>{model.trainingDataSha256.slice(0, 12)}</code>
            </dd>
          </div>
          <div>
            <dt>Prices are</dt>
            <dd data-testid="price-basis">
              {model.priceBasis.kind}, {model.priceBasis.currency} of {model.priceBasis.dollarsOf}
            </dd>
          </div>
        </dl>
        <p class="muted" data-testid="price-basis-note">
          {model.priceBasis.description} Every explanation starts from the typical stone's price: the geometric mean of
          this model's prices for the {model.trainingRows.toLocaleString('en-US')} stones it learned from.
        </p>
        {model.promotion && (
          <p class="decision" data-testid="promotion">
            {promotionText(model.promotion)}
          </p>
        )}
        {model.decision && (!model.promotion || byHandOrBack(model.promotion)) && (
          <p class="muted" data-testid="registration-decision">
            When it was registered: {model.decision}
          </p>
        )}
        <Caveats metrics={model.metrics} />
        {top ? <Headline a={top} /> : <p class="muted">This model has no recorded evaluation.</p>}
        {rows.length > 0 && <AccuracyTable rows={rows} />}
        {rule && <p class="muted rule">{rule}</p>}
      </section>
      {(segs.length > 0 || drivers.length > 0) && (
        <div class="models">
          {segs.length > 0 && (
            <section class="panel" aria-labelledby="segments-title">
              <h2 id="segments-title" class="panel__title">
                Where it errs most
              </h2>
              <p class="panel__intro">
                Mean percentage error on the held-out stones, by group; the weakest group is highlighted.
              </p>
              <Segments list={segs} />
            </section>
          )}
          {drivers.length > 0 && (
            <section class="panel" aria-labelledby="drivers-title-h">
              <h2 id="drivers-title-h" class="panel__title">
                What drives its prices
              </h2>
              <Drivers list={drivers} />
            </section>
          )}
        </div>
      )}
      {model.modelCardUrl && <ModelCard url={model.modelCardUrl} version={model.version} saves={saves} />}
    </>
  );
}

function History({ list }: { list: ModelInfo[] }) {
  return (
    <section class="panel" aria-labelledby="history-title">
      <h2 id="history-title" class="panel__title">
        History
      </h2>
      <p class="panel__intro" data-testid="history-intro">
        Every model trained, newest first. The retraining pipeline lets a new model serve only when it does no worse
        than the one serving on the same held-out rows; a person can also promote a model by hand or put an earlier one
        back, and the decision column says which happened.
      </p>
      <div class="table-scroll">
        <table class="data-table history-table" data-testid="history-table">
          <caption class="visually-hidden">Every model trained, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Version</th>
              <th scope="col">Trained</th>
              <th scope="col" class="num">
                Stones
              </th>
              <th scope="col" class="num">
                Mean abs. error
              </th>
              <th scope="col" class="num">
                In range
              </th>
              <th scope="col">Decision</th>
            </tr>
          </thead>
          <tbody>
            {list.map((m) => {
              const a = headline(m.metrics);
              return (
                <tr key={m.version} class={m.isChampion ? 'row--current' : undefined}>
                  <th scope="row">
                    {m.version} {m.isChampion && <span class="badge badge--strong">serving</span>}
                  </th>
                  <td class="nowrap">{dateTime(m.createdAt)}</td>
                  <td class="num">{m.trainingRows.toLocaleString('en-US')}</td>
                  <td class="num">
                    {a ? money(a.mae) : '—'}
                    {a && !a.measuredOn.heldOut && <span class="muted"> ({a.measuredOn.rows})</span>}
                  </td>
                  <td class="num">{a ? orDash(a.range.coverage, (v) => pct(v)) : '—'}</td>
                  <td class="history-table__decision">
                    {m.decision ? capitalise(m.decision) : m.promotedAt ? 'Promoted' : 'Not promoted'}
                    {m.promotion && byHandOrBack(m.promotion) && (
                      <span class="history-table__promotion"> Then: {promotionText(m.promotion)}</span>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}

export function ModelsPage() {
  const saves = useKeySaves();
  const current = useLoad(currentModel, [saves]);
  const history = useLoad(models, [saves]);
  return (
    <div class="page">
      <div class="page__head">
        <h1 tabIndex={-1}>Models</h1>
        <p class="page__lead">
          The model that prices stones now, how well it does on stones it never saw, and every model before it.
        </p>
      </div>
      {current.kind === 'failed' && (
        <p class="notice notice--error" role="alert">
          {current.message}
        </p>
      )}
      {current.kind === 'loading' && (
        <p class="muted" role="status">
          Loading the current model…
        </p>
      )}
      {current.kind === 'ready' && <CurrentModel model={current.value} saves={saves} />}
      {history.kind === 'ready' && <History list={history.value} />}
      {history.kind === 'failed' && (
        <p class="notice notice--error" role="alert">
          {history.message}
        </p>
      )}
    </div>
  );
}
