/**
 * GET /metrics: what the server is doing, in the Prometheus text format (prom-client). Every label set is
 * bounded: routes are the route pattern (unknown paths share one value), statuses and methods are the few HTTP
 * knows, model versions are the registry's. No stone value and no key ever becomes a label.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import { LOUPE_VERSION, WARNING_CODE_LIST, type Valuation, type WarningCode } from '../model/index.js';
import { upgradeMetrics, type Accuracy } from '../registry/index.js';
import type { Store } from '../store/store.js';
import { type CounterCell, CounterCells, type HistogramCell, HistogramCells, observe } from './metric-cells.js';
import type { ModelSource } from './model-source.js';
import { registerOperationsMetrics, registerTrafficMetrics } from './operations-metrics.js';
import type { QuoteStore } from './quote-store.js';
import type { RequestLog } from './request-log.js';
import type { MetricsAccess } from './settings.js';
import type { TrafficDrift } from './traffic-drift.js';
import type { Valuations } from './valuation-pool.js';

/** The label of every path that matched no route: a scan of a million paths is still one series. */
export const UNMATCHED_ROUTE = 'unmatched';

const SINGLE_VALUATION = '/v1/valuations';
const BATCH_VALUATION = '/v1/valuations/batch';
/** The batch answer starts with its counts (the response schema fixes the order); read them without parsing it. */
const BATCH_COUNTS = /^\{"modelVersion":"[^"]*","valued":(\d+),"failed":(\d+)/;

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const VALUATION_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];

export interface MetricsOptions {
  access: MetricsAccess;
  store: Pick<Store, 'getModel' | 'operationsCounts'>;
  models: ModelSource;
  requestLog: RequestLog | null;
  /** Stored valuations (null: not stored, LOUPE_STORE_VALUATIONS=0). */
  quotes: QuoteStore | null;
  traffic: TrafficDrift | null;
}

export interface ServerMetrics {
  registry: Registry;
  /** Wraps the valuation workers so that each valuation's time is observed. */
  timed(valuations: Valuations): Valuations;
}

const routeOf = (request: FastifyRequest): string => request.routeOptions?.url ?? UNMATCHED_ROUTE;

/** Registers the hooks and the endpoint on the app itself (not encapsulated: every route is counted). */
export function registerMetrics(app: FastifyInstance, options: MetricsOptions): ServerMetrics | null {
  if (options.access === 'off') return null;
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  // Gauges named like counters (promtool's lint refuses them); the same numbers by type remain in nodejs_active_*.
  for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'])
    registry.removeSingleMetric(name);

  // Per-request series are cells held by the caller (metric-cells.ts): no label object is built or hashed per request.
  const requests = new CounterCells(
    registry,
    'loupe_http_requests_total',
    'HTTP requests answered, by route pattern, method and status.',
  );
  const latency = new HistogramCells(
    registry,
    'loupe_http_request_duration_seconds',
    'Time from receiving a request to the end of its answer.',
    LATENCY_BUCKETS,
  );
  const valuations = new CounterCells(
    registry,
    'loupe_valuations_total',
    'Stones valued (valued) or refused with problems (refused), by model version.',
  );
  const valuationTime = new HistogramCells(
    registry,
    'loupe_valuation_duration_seconds',
    'Time of a valuation call without HTTP: one stone (single) or a whole batch (batch).',
    VALUATION_BUCKETS,
  );
  const warnings = new CounterCells(
    registry,
    'loupe_valuation_warnings_total',
    'Warnings given with valuations, by model version and warning code (a stone may carry several).',
  );
  const singleTime = valuationTime.cell({ kind: 'single' });
  const batchTime = valuationTime.cell({ kind: 'batch' });

  // route → method → status → cells. Bounded: routes are the registered patterns plus UNMATCHED_ROUTE, methods
  // the few Node's parser accepts, statuses 100–599.
  const httpCells = new Map<string, Map<string, Map<number, { count: CounterCell; time: HistogramCell }>>>();
  const httpCell = (route: string, method: string, status: number) => {
    let byMethod = httpCells.get(route);
    if (!byMethod) {
      byMethod = new Map();
      httpCells.set(route, byMethod);
    }
    let byStatus = byMethod.get(method);
    if (!byStatus) {
      byStatus = new Map();
      byMethod.set(method, byStatus);
    }
    let cells = byStatus.get(status);
    if (!cells) {
      const labels = { route, method, status: String(status) };
      cells = { count: requests.cell(labels), time: latency.cell(labels) };
      byStatus.set(status, cells);
    }
    return cells;
  };
  // Model versions are the registry's: a few per day at most.
  const valuationCells = new Map<string, { valued: CounterCell; refused: CounterCell }>();
  const valuationCell = (version: string) => {
    let cells = valuationCells.get(version);
    if (!cells) {
      cells = {
        valued: valuations.cell({ model_version: version, outcome: 'valued' }),
        refused: valuations.cell({ model_version: version, outcome: 'refused' }),
      };
      valuationCells.set(version, cells);
    }
    return cells;
  };

  // version → one cell per warning code (the codes are the fixed list in model/warnings.ts).
  const warningCells = new Map<string, Record<WarningCode, CounterCell>>();
  const countCodes = (version: string, codes: readonly WarningCode[]) => {
    if (codes.length === 0) return;
    let cells = warningCells.get(version);
    if (!cells) {
      cells = Object.fromEntries(
        WARNING_CODE_LIST.map((code) => [code, warnings.cell({ model_version: version, code })]),
      ) as Record<WarningCode, CounterCell>;
      warningCells.set(version, cells);
    }
    for (const code of codes) cells[code].value++;
  };
  const countWarnings = (version: string, valued: readonly Valuation[]) => {
    for (const valuation of valued)
      countCodes(
        version,
        valuation.warnings.map((w) => w.code),
      );
  };

  const { requestLog, store, models } = options;
  registerOperationsMetrics(registry, store);
  new Gauge({
    name: 'loupe_build_info',
    help: 'The Loupe software serving: 1, labelled with its version and the Node.js version.',
    labelNames: ['version', 'nodejs_version'] as const,
    registers: [registry],
  }).set({ version: LOUPE_VERSION, nodejs_version: process.versions.node }, 1);
  if (requestLog)
    registerWriterSeries(registry, 'loupe_request_log', requestLog, {
      pending: 'Request-log entries waiting to be written.',
      written: 'Request-log entries written since start.',
      dropped: 'Request-log entries dropped since start because the database refused writes.',
    });
  if (options.quotes)
    registerWriterSeries(registry, 'loupe_valuation_store', options.quotes, {
      pending: 'Stored valuations and idempotency records waiting to be written (a full disk, a database away).',
      written: 'Stored valuations and idempotency records written since start.',
      dropped: 'Stored valuations and idempotency records dropped since start because writes failed past the bound.',
    });

  // The champion, read from the registry on each scrape (one small query; never on a request's path).
  const champion = async () => {
    const version = models.current?.version;
    return version === undefined ? undefined : store.getModel(version);
  };
  new Gauge({
    name: 'loupe_champion_info',
    help: 'The model being served: 1, labelled with its version, its kind and the Loupe version that trained it.',
    labelNames: ['version', 'kind', 'trained_by'] as const,
    registers: [registry],
    collect() {
      this.reset();
      const current = models.current;
      if (current !== undefined)
        this.set(
          { version: current.version, kind: current.artifact.kind, trained_by: current.artifact.loupeVersion },
          1,
        );
    },
  });
  new Gauge({
    name: 'loupe_champion_age_seconds',
    help: 'Time since the served model became champion.',
    registers: [registry],
    async collect() {
      this.reset();
      const at = (await champion())?.promotedAt;
      if (at) this.set((Date.now() - Date.parse(at)) / 1000);
    },
  });
  const accuracy = (pick: (m: Accuracy) => number, scale: number) =>
    async function (this: Gauge) {
      this.reset();
      const record = await champion();
      const outOfFold = record && upgradeMetrics(record.metrics, record.kind).outOfFold;
      const value = outOfFold && pick(outOfFold);
      if (value !== null && value !== undefined && Number.isFinite(value)) this.set(value * scale);
    };
  new Gauge({
    name: 'loupe_champion_mae_dollars',
    help: "The served model's out-of-fold mean absolute error, USD.",
    registers: [registry],
    collect: accuracy((m) => m.mae, 1),
  });
  new Gauge({
    name: 'loupe_champion_mape_ratio',
    help: "The served model's out-of-fold mean absolute percentage error, as a ratio.",
    registers: [registry],
    collect: accuracy((m) => m.mape, 0.01),
  });

  if (options.traffic) registerTrafficMetrics(registry, options.traffic);

  app.addHook('onSend', (request, reply, payload, done) => {
    const route = routeOf(request);
    // A stone refused by schema validation never reached the handler: it counts against the model then served.
    const version = request.modelVersion ?? (reply.statusCode === 400 ? models.current?.version : undefined);
    if (version && route === BATCH_VALUATION && reply.statusCode === 200 && typeof payload === 'string') {
      const counts = BATCH_COUNTS.exec(payload.slice(0, 200));
      if (counts) {
        const cells = valuationCell(version);
        cells.valued.value += Number(counts[1]);
        cells.refused.value += Number(counts[2]);
      }
    } else if (version && route === SINGLE_VALUATION && request.method === 'POST') {
      if (reply.statusCode === 200) valuationCell(version).valued.value++;
      // 400: the stone has problems; 422: it is beyond the carat limit (a batch counts both as refused too).
      else if (reply.statusCode === 400 || reply.statusCode === 422) valuationCell(version).refused.value++;
    }
    done(null, payload);
  });
  app.addHook('onResponse', (request, reply, done) => {
    const cells = httpCell(routeOf(request), request.method, reply.statusCode);
    cells.count.value++;
    observe(cells.time, LATENCY_BUCKETS, reply.elapsedTime / 1000);
    done();
  });

  app.get(
    '/metrics',
    {
      // Open, it is a fixed-cost public read like the probes: a scrape must not fail for others' traffic. A key is
      // never throttled; keyless requests to the admin endpoint are rejected ones, throttled like any.
      config: options.access === 'admin' ? { scope: 'admin' } : { unthrottled: true },
      schema: { hide: true },
    },
    async (_request, reply) => {
      reply.type(registry.contentType);
      return registry.metrics();
    },
  );

  return {
    registry,
    timed: (inner) => ({
      value: (model, stone, valuationOptions) =>
        timed(singleTime, performance.now(), inner.value(model, stone, valuationOptions)).then((valuation) => {
          countWarnings(model.version, [valuation]);
          return valuation;
        }),
      valueMany: (model, stones, valuationOptions) =>
        timed(batchTime, performance.now(), inner.valueMany(model, stones, valuationOptions)).then((valued) => {
          countWarnings(model.version, valued);
          return valued;
        }),
      valueAnswer: (model, stone, normalised, valuationOptions) =>
        timed(singleTime, performance.now(), inner.valueAnswer(model, stone, normalised, valuationOptions)).then(
          (answer) => {
            countCodes(model.version, answer.warnings);
            return answer;
          },
        ),
      close: () => inner.close(),
    }),
  };
}

function timed<T>(cell: HistogramCell, start: number, work: Promise<T>): Promise<T> {
  return work.finally(() => observe(cell, VALUATION_BUCKETS, (performance.now() - start) / 1000));
}

/**
 * A background writer's rows as three series, `<prefix>_pending`, `<prefix>_written_total` and
 * `<prefix>_dropped_total`: counters kept by the writer itself, read at each scrape.
 */
function registerWriterSeries(
  registry: Registry,
  prefix: string,
  writer: { readonly stats: { written: number; pending: number; dropped: number } },
  help: { pending: string; written: string; dropped: string },
): void {
  new Gauge({
    name: `${prefix}_pending`,
    help: help.pending,
    registers: [registry],
    collect() {
      this.set(writer.stats.pending);
    },
  });
  for (const count of ['written', 'dropped'] as const)
    new Counter({
      name: `${prefix}_${count}_total`,
      help: help[count],
      registers: [registry],
      collect() {
        this.reset();
        this.inc(writer.stats[count]);
      },
    });
}
