/**
 * `loupe serve`: the REST API (and later the web app) on HOST:PORT (default 127.0.0.1:3000). On an empty
 * LOUPE_HOME it first ingests the reference data and trains the first model; it reports ready only then.
 * It follows the champion: a newly promoted model is served without dropping a request. On SIGTERM or SIGINT it
 * stops taking requests, answers those in flight, writes the rest of the request log and exits.
 */
import type { Command } from 'commander';
import type { WriterEvent } from '../api/index.js';
import { defaultValuationThreads, metricsAccess, parseCorsOrigins, type MetricsAccess } from '../api/settings.js';
import { parseShop, type Shop } from '../api/shop.js';
import { DEFAULT_REFERENCE_DATA, loupePaths, readEnv } from '../config/index.js';
import type { OpenedStore } from '../store/open.js';
import { DEFAULT_RETENTION, type RequestLogEntry } from '../store/requests.js';
import { parseMaxCarat, plainNumber } from './numbers.js';
import { CliError, EXIT_USAGE } from './output.js';
import type { RegisterCommand } from './program.js';

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 3000;
/**
 * How often the request log and stored valuations go to PostgreSQL, ms (SQLite: 50). Longer batches cost the
 * database less per row; a valuation is readable from another server that much later (its own serves it at once).
 */
const PG_FLUSH_MS = 200;
/** How long one PostgreSQL statement of the server may run (LOUPE_PG_STATEMENT_TIMEOUT_MS), ms. */
const DEFAULT_STATEMENT_TIMEOUT_MS = 30_000;

interface ServeOptions {
  host?: string;
  port?: string;
  open?: boolean;
  home?: string;
  data?: string;
  requestLog?: boolean;
  pollMs?: string;
  valuationThreads?: string;
}

/** The longest interval between looks for a newly promoted model (--poll-ms, LOUPE_POLL_MS): an hour. */
const MAX_POLL_MS = 3_600_000;

const truthy = (v: string | undefined): boolean => v !== undefined && /^(1|true|yes|on)$/i.test(v.trim());

/** A whole number from the environment (or its default), within [min, max]; else a usage error that names it. */
function wholeNumber(name: string, text: string | undefined, fallback: number, min: number, max: number): number {
  if (text === undefined || text.trim() === '') return fallback;
  const n = plainNumber(text, { whole: true, min, max });
  if (n === undefined)
    throw new CliError(`${name} must be a whole number from ${min} to ${max}, not "${text}"`, EXIT_USAGE);
  return n;
}

function parsePort(text: string): number {
  const port = plainNumber(text, { whole: true, min: 0, max: 65_535 });
  if (port === undefined)
    throw new CliError(`the port must be a whole number from 0 to 65535, not "${text}"`, EXIT_USAGE);
  return port;
}

async function run(opts: ServeOptions): Promise<void> {
  const env = readEnv();
  const host = opts.host ?? env.HOST ?? DEFAULT_HOST;
  const port = parsePort(opts.port ?? env.PORT ?? String(DEFAULT_PORT));
  const open = Boolean(opts.open) || truthy(env.LOUPE_OPEN);
  const requestLogOn = opts.requestLog !== false && env.LOUPE_REQUEST_LOG !== '0';
  const pollText = opts.pollMs ?? env.LOUPE_POLL_MS ?? '1000';
  // At most an hour: Node runs a timer longer than 2³¹ − 1 ms after 1 ms instead, which would poll the registry
  // a thousand times a second.
  const pollMs = plainNumber(pollText, { whole: true, min: 10, max: MAX_POLL_MS });
  if (pollMs === undefined)
    throw new CliError(
      `the poll interval must be a whole number of ms from 10 to ${MAX_POLL_MS}, not "${pollText}"`,
      EXIT_USAGE,
    );
  const threadsText = opts.valuationThreads ?? env.LOUPE_VALUATION_THREADS ?? String(defaultValuationThreads());
  const valuationThreads = plainNumber(threadsText, { whole: true, min: 0, max: 64 });
  if (valuationThreads === undefined)
    throw new CliError(
      `the number of valuation threads must be a whole number from 0 to 64, not "${threadsText}"`,
      EXIT_USAGE,
    );
  const maxCarat = parseMaxCarat(env.LOUPE_MAX_CARAT);
  const storeValuations = env.LOUPE_STORE_VALUATIONS !== '0';
  const retentionText = env.LOUPE_VALUATION_RETENTION_DAYS?.trim();
  const retentionDays = retentionText ? (plainNumber(retentionText, { whole: true, min: 1 }) ?? null) : null;
  if (retentionText && retentionDays === null) {
    throw new CliError(
      `LOUPE_VALUATION_RETENTION_DAYS must be a whole number of days, at least 1 (unset: keep every valuation), not "${retentionText}"`,
      EXIT_USAGE,
    );
  }
  let corsOrigins: string[];
  let metrics: MetricsAccess;
  let shop: Shop;
  try {
    corsOrigins = parseCorsOrigins(env.LOUPE_CORS_ORIGINS);
    metrics = metricsAccess(env.LOUPE_METRICS);
    shop = parseShop(env);
  } catch (e) {
    throw new CliError((e as Error).message, EXIT_USAGE);
  }
  const retention = {
    maxAgeDays: wholeNumber(
      'LOUPE_REQUEST_LOG_DAYS',
      env.LOUPE_REQUEST_LOG_DAYS,
      DEFAULT_RETENTION.maxAgeDays,
      1,
      36_500,
    ),
    maxBytes:
      wholeNumber(
        'LOUPE_REQUEST_LOG_MAX_MB',
        env.LOUPE_REQUEST_LOG_MAX_MB,
        DEFAULT_RETENTION.maxBytes / 2 ** 20,
        1,
        1_048_576,
      ) *
      2 ** 20,
  };
  const statementTimeoutMs = wholeNumber(
    'LOUPE_PG_STATEMENT_TIMEOUT_MS',
    env.LOUPE_PG_STATEMENT_TIMEOUT_MS,
    DEFAULT_STATEMENT_TIMEOUT_MS,
    100,
    3_600_000,
  );
  const keylessPerMinute = wholeNumber(
    'LOUPE_KEYLESS_REJECTS_PER_MINUTE',
    env.LOUPE_KEYLESS_REJECTS_PER_MINUTE,
    60,
    0,
    1_000_000,
  );
  if (open) {
    const { assertOpenAllowed, OpenAccessRefused } = await import('../api/auth.js');
    try {
      await assertOpenAllowed(host);
    } catch (e) {
      if (e instanceof OpenAccessRefused) throw new CliError(e.message, EXIT_USAGE);
      throw e;
    }
  }
  // What serving needs loads when it runs (not for the help of any command), and only once every setting above is
  // checked and the database opened: a usage error or a database that cannot be used costs the command line's start
  // and the store's, not the API's.
  const { openStore } = await import('../store/open.js');
  const { redactUrl } = await import('../store/postgres/connect.js');
  const { commandLogger, runLines } = await import('./log.js');
  const log = commandLogger({ fd: 1, env });
  const paths = loupePaths(env, { home: opts.home, data: opts.data });
  // A database that cannot be used (DatabaseConfigError) ends the command with its message (cli/run.ts).
  const opened: OpenedStore = await openStore(paths, {
    onIdleError: (err) =>
      log.warn({ message: err.message }, 'a database connection failed; it is replaced on next use'),
    // PostgreSQL only: no request waits without end on a lock or a database that stopped answering.
    statementTimeoutMs,
  });
  const { store, db } = opened;
  try {
    const {
      AddressThrottle,
      buildApp,
      threadedQuoteStore,
      asyncQuoteStore,
      asyncBatchWriter,
      inProcessValuations,
      ModelSource,
      registryChampions,
      RequestLog,
      threadedRequestLogWriter,
      threadedSimilarSearch,
      ValuationPool,
    } = await import('../api/index.js');
    const { bootstrap } = await import('../pipeline/bootstrap.js');
    const database = paths.databaseUrl === null ? paths.database : redactUrl(paths.databaseUrl);
    log.info({ home: paths.home, database }, 'starting');
    // Either database: on an empty one (SQLite or PostgreSQL) the first start ingests the reference data and trains;
    // servers starting at once on one PostgreSQL take turns through the pipeline's lock, the later ones find the
    // champion the first made.
    let training = false;
    // A reference data file that is missing or not appraisals is a ConfigError: a usage error (cli/run.ts).
    const booted = await bootstrap(opened.pipeline, paths, {
      // Called only when there is no champion: a start that finds one says nothing of training.
      onStage: (stage) => {
        if (!training)
          log.info('no model yet: ingesting the reference data and training the first one (about a minute)');
        training = true;
        log.debug({ stage }, `bootstrap: ${stage}`);
      },
      onRun: (result) => {
        for (const line of runLines(result)) log.info({ run: result.runId }, line);
      },
      onWarning: (message, details) => log.warn(details, message),
    }).finally(() => opened.pipeline.close()); // the server needs it no more (on PostgreSQL, its pool ends)
    const championVersion = booted.version;
    // Model work on its own threads (0: on this one): the thread that answers HTTP never waits for a valuation.
    // A new champion is built there too (preload), so a swap does not hold this thread either.
    const pool =
      valuationThreads > 0
        ? new ValuationPool({
            threads: valuationThreads,
            onError: (err) => log.error({ err }, 'a valuation thread failed; valuing on the remaining threads'),
          })
        : undefined;
    const valuations = pool ?? inProcessValuations;
    const models = new ModelSource(registryChampions(store), {
      pollMs,
      preload: pool && ((version, text) => pool.preload(version, text)),
      onSwitch: (from, to) => log.info({ from, to }, 'serving a new champion'),
      onError: (err, version) =>
        log.error({ err, version }, 'the champion could not be loaded; the current model stays'),
    });
    await models.refresh();
    if (!models.current) {
      await valuations.close(); // its threads would keep the process alive
      throw new CliError(`the champion ${championVersion} could not be loaded; see the log above`);
    }
    models.start();
    const onWriterEvent = (event: WriterEvent | { type: 'pruned'; rows: number }) => {
      if (event.type === 'failing')
        log.error(
          { message: event.message },
          'the request log cannot be written; retrying, keeping the newest entries',
        );
      else if (event.type === 'recovered')
        log.warn(
          { dropped: event.dropped, failedMs: event.failedMs },
          'the request log is written again; entries were dropped meanwhile',
        );
      else if (event.type === 'pruned') log.info({ rows: event.rows }, 'request log retention: old entries deleted');
    };
    // On SQLite the log is written on its own thread and connection: the disk never holds up an answer. On
    // PostgreSQL the driver is asynchronous: batches go from this thread, retried while the database is away.
    const writer = !requestLogOn
      ? null
      : db
        ? threadedRequestLogWriter(paths.database, { retention, onEvent: onWriterEvent })
        : asyncBatchWriter((entries: readonly RequestLogEntry[]) => store.writeRequests(entries), {
            onEvent: onWriterEvent,
          });
    if (writer && !db) {
      // SQLite's writer thread applies retention; on PostgreSQL every server does, at start and every minute
      // (two servers pruning at once delete the same rows once).
      const prune = () =>
        void store
          .pruneRequestLog(retention)
          .then((rows) => rows > 0 && onWriterEvent({ type: 'pruned', rows }))
          .catch((err: Error) =>
            log.warn({ message: err.message }, 'request log retention failed; tried again in a minute'),
          );
      prune();
      setInterval(prune, 60_000).unref();
    }
    const requestLog = writer
      ? new RequestLog((entries) => writer.write(entries), {
          // PostgreSQL: a statement per batch costs the database per row about half as much at 200 rows as at 50.
          flushIntervalMs: db ? 50 : PG_FLUSH_MS,
          committed: () => writer.committed(),
          writer,
          onError: (err) =>
            log.warn(
              { message: (err as Error).message },
              'request log entries wait in memory (bounded; the oldest are dropped)',
            ),
          onRecovered: (dropped) => log.warn({ dropped }, 'request log entries are taken again'),
          onClose: async (notHandedOver) => {
            const { lost, dropped } = await writer.close();
            if (lost !== 0 || dropped !== 0 || notHandedOver !== 0)
              log.error({ lost, dropped, notHandedOver }, 'request log entries could not be written');
          },
        })
      : null;
    const addressThrottle = keylessPerMinute > 0 ? new AddressThrottle({ perMinute: keylessPerMinute }) : undefined;
    // Valuations and idempotent answers are written on a thread of their own too.
    const onQuoteError = (message: string) => log.error({ message }, 'valuations could not be stored; retrying');
    const onQuoteEvent = (event: WriterEvent | { type: string }) => {
      if (event.type === 'failing' && 'message' in event) onQuoteError(event.message);
      else if (event.type === 'recovered' && 'failedMs' in event)
        log.warn({ failedMs: event.failedMs, dropped: event.dropped }, 'valuations are stored again');
    };
    const onPurgeError = (err: Error) =>
      log.warn({ message: err.message }, 'old valuations could not be purged; tried again in 10 minutes');
    const quoteOptions = { retentionDays, onEvent: onQuoteEvent, onPurgeError };
    const quotes = !storeValuations
      ? null
      : db
        ? threadedQuoteStore(store, paths.database, quoteOptions)
        : asyncQuoteStore(store, { ...quoteOptions, flushIntervalMs: PG_FLUSH_MS });
    // On SQLite a search over all characteristics runs on its own thread; PostgreSQL's runs in the database.
    const similar = db ? threadedSimilarSearch(paths.database) : undefined;
    const app = await buildApp({
      store,
      similar,
      models,
      open,
      host,
      requestLog,
      logger: log,
      valuations,
      corsOrigins,
      addressThrottle,
      maxCarat,
      metrics,
      quotes,
      shop,
    });
    let closing = false;
    // fastify's close ends the connections idle when it starts; one busy then stays open after its answer until the
    // keep-alive timeout (72 s) and holds the exit back: answers sent while closing close their connection.
    app.addHook('onSend', async (_request, reply, payload) => {
      if (closing) reply.header('connection', 'close');
      return payload;
    });
    const closed = new Promise<void>((resolve) => {
      const shutdown = (signal: string): void => {
        if (closing) return;
        closing = true;
        log.info({ signal }, 'shutting down: answering requests in flight, then writing the request log');
        models.stop();
        app.close().then(
          () => Promise.all([valuations.close(), similar?.close()]).then(() => resolve()),
          (err) => {
            log.error({ err }, 'shutdown failed');
            resolve();
          },
        );
      };
      process.once('SIGTERM', () => shutdown('SIGTERM'));
      process.once('SIGINT', () => shutdown('SIGINT'));
    });
    let address: string;
    try {
      address = await app.listen({ host, port });
    } catch (e) {
      // Nothing was served: stop the threads and timers, or they would keep the process alive.
      models.stop();
      await app.close();
      await Promise.all([valuations.close(), similar?.close()]);
      const err = e as NodeJS.ErrnoException;
      const why =
        err.code === 'EADDRINUSE'
          ? 'the port is in use'
          : err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN'
            ? 'the host name does not resolve'
            : err.code === 'EADDRNOTAVAIL'
              ? "the address is not this machine's"
              : err.message;
      throw new CliError(`cannot listen on ${host}:${port}: ${why} (${err.code ?? err.message})`);
    }
    if (!open && (await store.countKeys()) === 0) {
      log.warn(
        'no API keys yet: every /v1 call needs one. Create one with `loupe keys create --name NAME --scope valuations`, or run open on loopback with --open (LOUPE_OPEN=1)',
      );
    }
    log.info(
      {
        url: address,
        model: models.current.version,
        open,
        requestLog: requestLogOn,
        valuationThreads,
        corsOrigins,
        metrics,
        storeValuations,
        retentionDays,
      },
      `ready: open ${address} for the web app, ${address}/docs for the API (serving ${models.current.version})`,
    );
    await closed;
    log.info('stopped');
  } finally {
    await store.close();
  }
}

export const registerServe: RegisterCommand = (program: Command) => {
  program
    .command('serve')
    .description(
      'Serve the REST API on HOST:PORT (default 127.0.0.1:3000). On an empty LOUPE_HOME it ingests the reference data and ' +
        'trains the first model before it reports ready. Every /v1 call needs an API key unless run open on a loopback address.',
    )
    .option('--host <host>', `address to listen on (default: $HOST or ${DEFAULT_HOST})`)
    .option('--port <port>', `port to listen on (default: $PORT or ${DEFAULT_PORT})`)
    .option('--open', 'serve /v1 without API keys (only on a loopback address; also LOUPE_OPEN=1)')
    .option('--home <dir>', 'where Loupe keeps its data (default: $LOUPE_HOME or ./var)')
    .option(
      '--data <file>',
      `the reference appraisals the first model learns from (default: $LOUPE_DATA or ${DEFAULT_REFERENCE_DATA})`,
    )
    .option(
      '--no-request-log',
      'do not log requests to the database (also LOUPE_REQUEST_LOG=0; for measuring what logging costs)',
    )
    .option('--poll-ms <ms>', 'how often to look for a newly promoted model (default: 1000)')
    .option(
      '--valuation-threads <n>',
      'threads that compute valuations, 0 = on the HTTP thread (default: $LOUPE_VALUATION_THREADS or cores − 1, at least 1)',
    )
    .addHelpText(
      'after',
      `
Examples:
  $ loupe serve                          # http://127.0.0.1:3000, keys required
  $ LOUPE_OPEN=1 loupe serve             # keyless, on loopback only
  $ HOST=0.0.0.0 PORT=8080 loupe serve   # reachable from other machines: keys required

Stops cleanly on SIGTERM/SIGINT (answers requests in flight for at most 60 s, writes the request log).
Exit code 2 on a usage error, e.g. --open on a non-loopback address.`,
    )
    .action(run);
};
