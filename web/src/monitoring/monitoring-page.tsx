/**
 * Monitoring (admin): what the server valued over the last 24 hours — stones per hour, valuation time, how far the
 * stones sent drift from what the champion learned from (PSI of the nine characteristics, with the usual 0.1 and
 * 0.25 lines; the KS statistic of the six numbers), the share with thin support or beyond it, the volume of each
 * partner — and the champion's accuracy on each batch of new expert appraisals against its accuracy at promotion. Everything from GET /v1/monitoring; a key without the admin scope
 * (403) or a server with monitoring off (404) gets a clear message instead.
 */
import { useEffect, useState } from 'preact/hooks';
import { ApiError, KEY_SAVED_EVENT, monitoring, type LiveAccuracyEntry, type MonitoringReport } from '../api.js';
import { dateTime, money } from '../format.js';
import { BarList, ColumnChart, Legend, LineChart, type Line } from './charts.js';

type Load =
  | { kind: 'loading' }
  | { kind: 'failed'; status: number; message: string }
  | { kind: 'ready'; value: MonitoringReport };

const FEATURE_NAMES: Record<string, string> = {
  carat: 'Carat',
  cut: 'Cut',
  color: 'Colour',
  clarity: 'Clarity',
  depth: 'Depth %',
  table: 'Table %',
  x: 'Length (x)',
  y: 'Width (y)',
  z: 'Depth (z)',
};
const PARTITION_NAMES: Record<string, string> = { carat: 'Carat', cut: 'Cut', color: 'Colour', clarity: 'Clarity' };
const PSI_GUIDES = [
  { value: 0.1, label: '0.1' },
  { value: 0.25, label: '0.25' },
];

const count = (n: number) => n.toLocaleString('en-US');
const pct = (v: number, digits = 1) => `${v.toFixed(digits)}%`;
const share = (v: number) => pct(v * 100);
const hour = (iso: string) => `${iso.slice(11, 13)}:00`;

function useMonitoring(): [Load, () => void] {
  const [state, setState] = useState<Load>({ kind: 'loading' });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const onSaved = () => setTick((n) => n + 1);
    addEventListener(KEY_SAVED_EVENT, onSaved);
    return () => removeEventListener(KEY_SAVED_EVENT, onSaved);
  }, []);
  useEffect(() => {
    const controller = new AbortController();
    monitoring(controller.signal)
      .then((value) => setState({ kind: 'ready', value }))
      .catch((e: unknown) => {
        if (controller.signal.aborted) return;
        setState(
          e instanceof ApiError
            ? { kind: 'failed', status: e.status, message: `${e.title}: ${e.message}` }
            : { kind: 'failed', status: 0, message: String(e) },
        );
      });
    return () => controller.abort();
  }, [tick]);
  return [state, () => setTick((n) => n + 1)];
}

function Refused({ status, message }: { status: number; message: string }) {
  const text =
    status === 403
      ? 'Monitoring needs an admin key: the key saved in this browser may value stones but not read what the server sees. Ask whoever runs Loupe for a key with the admin scope.'
      : status === 404
        ? 'Monitoring is turned off on this server (LOUPE_METRICS=off).'
        : message;
  return (
    <p class="notice notice--error" role="alert" data-testid="monitoring-refused">
      {text}
    </p>
  );
}

/** The KS statistic of each number, or why there is none (a model file older than its training distribution). */
function KsChart({ report }: { report: MonitoringReport['traffic'] }) {
  const numbers = report.overall.drift.filter((d) => d.ks !== null);
  if (report.driftReference === 'support')
    return (
      <p class="muted" data-testid="drift-fallback">
        The champion's model file predates the summary of its training data: only carat, colour and clarity are
        compared. Retrain to compare all nine characteristics.
      </p>
    );
  if (numbers.length === 0) return null;
  return (
    <>
      <h3 class="section-title">Largest gap between the distributions (KS)</h3>
      <BarList
        id="chart-ks"
        title="Kolmogorov–Smirnov statistic of each measurement against the champion's training stones"
        rows={numbers.map((d) => ({ label: FEATURE_NAMES[d.feature] ?? d.feature, value: d.ks?.statistic ?? null }))}
        format={(v) => v.toFixed(3)}
      />
      <p class="muted" data-testid="ks-significant">
        0: the same distribution; 1: none in common. Read on 100 quantiles of the training stones, at most 0.01 below
        the exact figure. Significant at 1% (p under 0.01):{' '}
        {numbers
          .filter((d) => d.ks?.pValue != null && d.ks.pValue < 0.01)
          .map((d) => FEATURE_NAMES[d.feature] ?? d.feature)
          .join(', ') || 'none'}
        .
      </p>
    </>
  );
}

function Traffic({ report }: { report: MonitoringReport['traffic'] }) {
  const { overall, series, partners, window } = report;
  if (overall.valued === 0)
    return (
      <section class="panel" aria-labelledby="traffic-title">
        <h2 id="traffic-title" class="panel__title">
          Live traffic
        </h2>
        <p class="notice" data-testid="traffic-empty">
          No stone was valued on this server in the last {window.slots} hours (since {dateTime(window.from)}): there is
          nothing to chart yet. Charts of valuations, valuation time, drift and partners appear with the first
          valuation.
        </p>
      </section>
    );
  const labels = series.map((s) => hour(s.from));
  return (
    <>
      <section class="panel" aria-labelledby="traffic-title">
        <h2 id="traffic-title" class="panel__title">
          Live traffic
        </h2>
        <p class="panel__intro" data-testid="traffic-summary">
          {count(overall.valued)} stones valued in the last {window.slots} hours on this server, against champion{' '}
          {report.championVersion} (times in UTC).
        </p>
        <div class="mon-grid">
          <div>
            <h3 class="section-title">Stones valued per hour</h3>
            <ColumnChart
              id="chart-valued"
              title="Stones valued per hour"
              labels={labels}
              values={series.map((s) => s.valued)}
              format={(v) => count(Math.round(v))}
              labelEvery={6}
            />
          </div>
          <div>
            <h3 class="section-title">Mean valuation time per call</h3>
            <ColumnChart
              id="chart-latency"
              title="Mean valuation time per call, milliseconds"
              labels={labels}
              values={series.map((s) => (s.meanValuationSeconds === null ? null : s.meanValuationSeconds * 1000))}
              format={(v) => `${v < 10 ? v.toFixed(1) : Math.round(v)} ms`}
              labelEvery={6}
            />
          </div>
        </div>
      </section>
      <section class="panel" aria-labelledby="drift-title">
        <h2 id="drift-title" class="panel__title">
          What partners send
        </h2>
        <div class="mon-grid">
          <div>
            <h3 class="section-title">Drift from the training stones (PSI)</h3>
            <BarList
              id="chart-drift"
              title="Drift of each characteristic from the champion's training stones, PSI"
              rows={overall.drift.map((d) => ({ label: FEATURE_NAMES[d.feature] ?? d.feature, value: d.psi }))}
              format={(v) => v.toFixed(3)}
              guides={PSI_GUIDES}
            />
            <p class="muted">Under 0.1: stable. 0.1 to 0.25: some shift. Over 0.25: a shift to look into.</p>
            <KsChart report={report} />
          </div>
          <div>
            <h3 class="section-title">Support of the stones valued</h3>
            <BarList
              id="chart-support"
              title="Share of the stones valued by support"
              rows={[
                { label: 'Typical', value: overall.support.typical },
                { label: 'Thin support', value: overall.support.thin },
                { label: 'Beyond the data', value: overall.support.beyond },
              ]}
              format={share}
              max={1}
            />
            <p class="muted">
              Thin: few training stones like it, a wider range. Beyond: outside what the model learned.
            </p>
          </div>
        </div>
        <h3 class="section-title">Stones valued per partner</h3>
        <BarList
          id="chart-partners"
          title="Stones valued per partner key"
          rows={partners.map((p) => ({ label: p.name, value: p.valued }))}
          format={count}
        />
        <div class="table-scroll">
          <table class="data-table" data-testid="partners-table">
            <caption>Per partner key, over the window</caption>
            <thead>
              <tr>
                <th scope="col">Key</th>
                <th scope="col" class="num">
                  Stones
                </th>
                <th scope="col" class="num">
                  Thin
                </th>
                <th scope="col" class="num">
                  Beyond
                </th>
                {overall.drift.map((d) => (
                  <th scope="col" class="num" key={d.feature}>
                    PSI {(FEATURE_NAMES[d.feature] ?? d.feature).toLowerCase()}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {partners.map((p) => (
                <tr key={p.keyId}>
                  <th scope="row">{p.name}</th>
                  <td class="num">{count(p.valued)}</td>
                  <td class="num">{share(p.support.thin)}</td>
                  <td class="num">{share(p.support.beyond)}</td>
                  {p.drift.map((d) => (
                    <td class={`num${d.psi !== null && d.psi > 0.25 ? ' down' : ''}`} key={d.feature}>
                      {d.psi === null ? '—' : d.psi.toFixed(3)}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </>
  );
}

function SegmentTable({ entry }: { entry: LiveAccuracyEntry }) {
  if (entry.segments.length === 0) return null;
  return (
    <div class="table-scroll">
      <table class="data-table" data-testid="accuracy-segments">
        <caption>
          By segment, run {entry.runId}: {count(entry.rows)} new appraisals against the champion at promotion
        </caption>
        <thead>
          <tr>
            <th scope="col">Segment</th>
            <th scope="col" class="num">
              Stones
            </th>
            <th scope="col" class="num">
              MAPE now
            </th>
            <th scope="col" class="num">
              At promotion
            </th>
            <th scope="col" class="num">
              Coverage now
            </th>
          </tr>
        </thead>
        <tbody>
          {entry.segments.map((s) => {
            const worse = s.atPromotion !== null && s.mape > s.atPromotion.mape * 1.25;
            return (
              <tr key={`${s.partition}-${s.group}`}>
                <th scope="row">
                  {PARTITION_NAMES[s.partition]} {s.group}
                </th>
                <td class="num">{count(s.rows)}</td>
                <td class={`num${worse ? ' down' : ''}`}>{pct(s.mape, 2)}</td>
                <td class="num">{s.atPromotion ? pct(s.atPromotion.mape, 2) : '—'}</td>
                <td class="num">{s.coverage === null ? '—' : pct(s.coverage)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function Accuracy({ accuracy }: { accuracy: MonitoringReport['accuracy'] }) {
  const history = accuracy.history;
  const title = (
    <h2 id="accuracy-title" class="panel__title">
      Live accuracy on new appraisals
    </h2>
  );
  if (history.length === 0)
    return (
      <section class="panel" aria-labelledby="accuracy-title">
        {title}
        <p class="notice" data-testid="accuracy-empty">
          No pipeline run has measured the champion on new expert appraisals yet. When appraisals arrive (a file in the
          landing folder, or recorded on the Appraisals screen), the next run measures the champion on them first, and
          the figures appear here.
        </p>
      </section>
    );
  const labels = history.map((e) => `run ${e.runId}`);
  const mape: Line[] = [
    { name: 'MAPE on the new appraisals', values: history.map((e) => e.mape) },
    {
      name: 'MAPE at promotion (reference test rows)',
      values: history.map((e) => e.atPromotion?.mape ?? null),
      dashed: true,
    },
  ];
  const coverage: Line[] = [
    { name: 'Range coverage on the new appraisals', values: history.map((e) => e.coverage) },
    { name: 'Nominal coverage', values: history.map((e) => e.nominal), dashed: true },
  ];
  const last = history[history.length - 1];
  return (
    <section class="panel" aria-labelledby="accuracy-title">
      {title}
      <p class="panel__intro" data-testid="accuracy-latest">
        Last measured {dateTime(last.finishedAt)} (run {last.runId}): champion {last.champion} on {count(last.rows)} new
        appraisals, MAE {money(last.mae)}, MAPE {pct(last.mape, 2)}
        {last.atPromotion ? ` (at promotion ${pct(last.atPromotion.mape, 2)})` : ''}, ranges hold{' '}
        {last.coverage === null ? '—' : pct(last.coverage)} of prices (nominal {pct(last.nominal, 0)}).
      </p>
      <div class="mon-grid">
        <div>
          <h3 class="section-title">Mean percentage error</h3>
          <LineChart
            id="chart-mape"
            title="MAPE per pipeline run, against MAPE at promotion"
            labels={labels}
            lines={mape}
            format={(v) => pct(v)}
          />
          <Legend lines={mape} />
        </div>
        <div>
          <h3 class="section-title">Range coverage</h3>
          <LineChart
            id="chart-coverage"
            title="Range coverage per pipeline run, against nominal"
            labels={labels}
            lines={coverage}
            format={(v) => pct(v, 0)}
            max={100}
          />
          <Legend lines={coverage} />
        </div>
      </div>
      <SegmentTable entry={last} />
    </section>
  );
}

export function MonitoringPage() {
  const [state, reload] = useMonitoring();
  return (
    <div class="page">
      <div class="page__head">
        <h1 tabIndex={-1}>Monitoring</h1>
        <p class="page__lead">
          What this server valued in the last 24 hours, and how the model does on new expert appraisals.{' '}
          <button type="button" class="button button--quiet" onClick={reload}>
            Refresh
          </button>
        </p>
      </div>
      {state.kind === 'loading' && (
        <p class="muted" role="status">
          Loading…
        </p>
      )}
      {state.kind === 'failed' && <Refused status={state.status} message={state.message} />}
      {state.kind === 'ready' && (
        <>
          <Traffic report={state.value.traffic} />
          <Accuracy accuracy={state.value.accuracy} />
        </>
      )}
    </div>
  );
}
