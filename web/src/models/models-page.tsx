/**
 * Models: the model that prices stones now, how accurate it is and how honest its ranges are, its model card,
 * and every model trained so far with what the pipeline decided about it.
 */
import { useEffect, useState } from 'preact/hooks';
import { ApiError, currentModel, models, type ModelInfo } from '../api.js';
import { dateTime } from '../format.js';
import { findMetric, flattenMetrics, formatMetric } from './metrics.js';

type Load<T> = { kind: 'loading' } | { kind: 'failed'; message: string } | { kind: 'ready'; value: T };

function useLoad<T>(load: (signal: AbortSignal) => Promise<T>): Load<T> {
  const [state, setState] = useState<Load<T>>({ kind: 'loading' });
  useEffect(() => {
    const controller = new AbortController();
    load(controller.signal)
      .then((value) => setState({ kind: 'ready', value }))
      .catch((e: unknown) => {
        if (!controller.signal.aborted) setState({ kind: 'failed', message: e instanceof ApiError ? `${e.title}: ${e.message}` : String(e) });
      });
    return () => controller.abort();
  }, []);
  return state;
}

function CurrentModel({ model }: { model: ModelInfo }) {
  const rows = flattenMetrics(model.metrics ?? {});
  const groups = [...new Set(rows.map((r) => r.group))];
  return (
    <section class="panel" aria-labelledby="current-title">
      <div class="panel__head">
        <h2 id="current-title" class="panel__title">
          Current model <span class="badge badge--strong" data-testid="current-version">{model.version}</span>
        </h2>
      </div>
      <dl class="facts">
        <div><dt>Kind</dt><dd>{model.kind}</dd></div>
        <div><dt>Serving since</dt><dd>{dateTime(model.promotedAt ?? model.createdAt)}</dd></div>
        <div><dt>Trained</dt><dd>{dateTime(model.createdAt)}</dd></div>
        <div><dt>Trained on</dt><dd>{model.trainingRows.toLocaleString('en-US')} stones</dd></div>
      </dl>
      {model.decision && <p class="panel__intro">{model.decision}</p>}
      <h3 class="section-title">Metrics</h3>
      {rows.length === 0 ? (
        <p class="muted">This model has no recorded metrics.</p>
      ) : (
        groups.map((g) => (
          <table class="data-table metrics-table" key={g}>
            <caption>{g || 'Accuracy and ranges'}</caption>
            <tbody>
              {rows.filter((r) => r.group === g).map((r) => (
                <tr key={r.key}>
                  <th scope="row">{r.label}</th>
                  <td class="num">{r.value}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ))
      )}
    </section>
  );
}

function ModelCard({ model }: { model: ModelInfo }) {
  const url = typeof model.modelCardUrl === 'string' ? model.modelCardUrl : undefined;
  return (
    <section class="panel" aria-labelledby="card-title">
      <div class="panel__head">
        <h2 id="card-title" class="panel__title">Model card</h2>
        {url && <a class="button button--quiet" href={url} target="_blank" rel="noopener">Open in a new tab</a>}
      </div>
      {url ? (
        <iframe class="model-card" src={url} title={`Model card of ${model.version}`} sandbox="" />
      ) : (
        <p class="muted">The API does not publish a model card for {model.version}.</p>
      )}
    </section>
  );
}

function History({ list }: { list: ModelInfo[] }) {
  return (
    <section class="panel" aria-labelledby="history-title">
      <h2 id="history-title" class="panel__title">History</h2>
      <p class="panel__intro">Every model trained, newest first. A model serves only after it beats the one serving.</p>
      <div class="table-scroll">
        <table class="data-table history-table">
          <caption class="visually-hidden">Every model trained, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Version</th>
              <th scope="col">Trained</th>
              <th scope="col" class="num">Stones</th>
              <th scope="col" class="num">Median error</th>
              <th scope="col" class="num">In range</th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {list.map((m) => {
              const mdape = findMetric(m.metrics, 'mdape');
              const coverage = findMetric(m.metrics, 'coverage');
              return (
                <tr key={m.version} class={m.isChampion ? 'row--current' : undefined}>
                  <th scope="row">{m.version}</th>
                  <td>{dateTime(m.createdAt)}</td>
                  <td class="num">{m.trainingRows.toLocaleString('en-US')}</td>
                  <td class="num">{mdape === undefined ? '—' : formatMetric('mdape', mdape)}</td>
                  <td class="num">{coverage === undefined ? '—' : formatMetric('coverage', coverage)}</td>
                  <td>
                    {m.isChampion ? <span class="badge badge--strong">Serving</span> : m.promotedAt ? 'Served before' : 'Not promoted'}
                    {m.decision && <span class="history-table__decision">{m.decision}</span>}
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
  const current = useLoad(currentModel);
  const history = useLoad(models);
  return (
    <div class="page">
      <div class="page__head">
        <h1 tabIndex={-1}>Models</h1>
        <p class="page__lead">The model that prices stones now, how well it does, and every model before it.</p>
      </div>
      {current.kind === 'failed' && <p class="notice notice--error" role="alert">{current.message}</p>}
      {current.kind === 'loading' && <p class="muted" role="status">Loading the current model…</p>}
      <div class="models">
        {current.kind === 'ready' && (
          <>
            <CurrentModel model={current.value} />
            <ModelCard model={current.value} />
          </>
        )}
      </div>
      {history.kind === 'ready' && <History list={history.value} />}
      {history.kind === 'failed' && <p class="notice notice--error" role="alert">{history.message}</p>}
    </div>
  );
}
