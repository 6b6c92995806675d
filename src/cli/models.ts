/**
 * `loupe models list|show|promote|rollback`: the registry's history and manual control of the champion.
 */
import type { Command } from 'commander';
import { loupePaths } from '../config/index.js';
import type { Accuracy, ModelRecord } from '../registry/index.js';
import type { Db } from '../store/db.js';
import type { Store } from '../store/store.js';
import { CliError, EXIT_FAILURE, emit } from './output.js';
import type { RegisterCommand } from './program.js';
import { EXISTING_HOME_HELP, mustBeAHome, withExistingStore } from './with-store.js';

interface Opts {
  json?: boolean;
  home?: string;
  reason?: string;
}

/** The registry's modules, loaded when a subcommand runs: `loupe models --help` needs none of them. */
const registry = () => import('../registry/index.js');
type Registry = Awaited<ReturnType<typeof registry>>;

async function withDb<T>(opts: Opts, fn: (db: Db, r: Registry) => T): Promise<T> {
  mustBeAHome(opts);
  const r = await registry();
  const { openDatabase } = await import('../store/db.js');
  const db = openDatabase(loupePaths(process.env, { home: opts.home }).database);
  try {
    return fn(db, r);
  } catch (err) {
    if (err instanceof r.RegistryError) throw new CliError(err.message, EXIT_FAILURE);
    throw err;
  } finally {
    db.close();
  }
}

/**
 * On PostgreSQL (LOUPE_DATABASE_URL) runs `fn` on the shared store, where every server picks a change up within a
 * poll, and resolves true; on SQLite does nothing and resolves false (the caller works on the file).
 */
async function onSharedStore(opts: Opts, fn: (store: Store, r: Registry) => Promise<void>): Promise<boolean> {
  if (loupePaths(process.env, { home: opts.home }).databaseUrl === null) return false;
  const r = await registry();
  await withExistingStore(opts, async (store) => {
    try {
      await fn(store, r);
    } catch (err) {
      if (err instanceof r.RegistryError) throw new CliError(err.message, EXIT_FAILURE);
      throw err;
    }
  });
  return true;
}

const combined = (m: ModelRecord, r: Registry): Accuracy | undefined =>
  r.upgradeMetrics(m.metrics, m.kind).evaluation?.combined;

function line(m: ModelRecord, r: Registry): string {
  const e = combined(m, r);
  const score = e ? `MAE $${e.mae.toFixed(0).padStart(5)}  MAPE ${e.mape.toFixed(2).padStart(6)}%` : ''.padEnd(28);
  return `${m.isChampion ? '*' : ' '} ${m.version}  ${m.kind.padEnd(8)} ${m.createdAt.slice(0, 19).replace('T', ' ')}  ${String(m.trainingRows).padStart(6)} rows  ${score}  ${m.decision ?? ''}`;
}

function describe(m: ModelRecord, r: Registry): string {
  const e = combined(m, r);
  return [
    `${m.version} (${m.kind})${m.isChampion ? ' — champion' : ''}`,
    `  created       ${m.createdAt}`,
    `  promoted      ${m.promotedAt ? `${m.promotedAt} (${m.promotion?.action}: ${m.promotion?.reason})` : 'never'}`,
    `  decision      ${m.decision ?? '—'}`,
    `  training data ${m.trainingRows} rows, snapshot ${m.trainingDataSha256}`,
    `  artifact      ${m.artifactPath} (sha256 ${m.artifactSha256})`,
    `  parameters    ${JSON.stringify(m.params)}`,
    e ? `  evaluation    MAE $${e.mae.toFixed(0)}, MAPE ${e.mape.toFixed(2)}% on ${e.n} rows` : '  evaluation    —',
    `  duration      ${(m.durationMs / 1000).toFixed(1)} s   git ${m.gitCommit ?? 'unknown'}`,
    `  model card    ${m.artifactPath.replace(/model\.json$/, 'model.md')}`,
  ].join('\n');
}

export const registerModels: RegisterCommand = (program: Command) => {
  const models = program
    .command('models')
    .description(
      'The model registry: every trained model, the champion that serves, and manual promotion and rollback.',
    )
    .addHelpText(
      'after',
      `
Examples:
  $ loupe models list
  $ loupe models show v0003 --json
  $ loupe models promote v0002 --reason "v0003 misprices fancy colours"
  $ loupe models rollback --reason "complaints since v0004"

Exit code 0 on success, 1 when the model does not exist or the change is refused (e.g. its artifact is damaged), 2 on a usage error.`,
    );

  models
    .command('list')
    .description('List every registered model, oldest first; * marks the champion.')
    .option('--json', 'print JSON for machines')
    .option('--home <dir>', EXISTING_HOME_HELP)
    .action((opts: Opts) =>
      // Through the store: the SQLite file, or PostgreSQL when LOUPE_DATABASE_URL names it.
      withExistingStore(opts, async (store) => {
        const r = await registry();
        const [all, champion, promotions] = await Promise.all([
          store.listModels(),
          store.championVersion(),
          store.listPromotions(),
        ]);
        emit(opts, { champion: champion ?? null, models: all, promotions }, () =>
          all.length === 0 ? 'no models yet (run: loupe pipeline run)' : all.map((m) => line(m, r)).join('\n'),
        );
      }),
    );

  models
    .command('show')
    .description('Show one model ("champion" for the current champion).')
    .argument('<version>', 'a version such as v0003, or "champion"')
    .option('--json', 'print JSON for machines')
    .option('--home <dir>', EXISTING_HOME_HELP)
    .action((version: string, opts: Opts) =>
      withExistingStore(opts, async (store) => {
        const m = version === 'champion' ? await store.getChampion() : await store.getModel(version);
        if (!m)
          throw new CliError(
            version === 'champion'
              ? 'there is no champion yet (run: loupe pipeline run)'
              : `no model ${version} in the registry (see: loupe models list)`,
          );
        const r = await registry();
        emit(opts, m, (record) => describe(record, r));
      }),
    );

  models
    .command('promote')
    .description(
      'Make a registered model the champion (its artifact is checked first). The switch is atomic and kept in the history.',
    )
    .argument('<version>', 'the version to promote')
    .option('--reason <text>', 'why, for the history', 'manual promotion')
    .option('--json', 'print JSON for machines')
    .option('--home <dir>', EXISTING_HOME_HELP)
    .action(async (version: string, opts: Opts) => {
      const reason = `manual: ${opts.reason ?? 'manual promotion'}`;
      if (
        await onSharedStore(opts, async (store, r) => {
          const before = await store.championVersion();
          const m = await r.promoteInStore(store, version, reason);
          emit(
            opts,
            { champion: m.version, previous: before ?? null, model: m },
            () => `${m.version} is now the champion (was ${before ?? 'none'})`,
          );
        })
      )
        return;
      await withDb(opts, (db, r) => {
        const before = r.getChampion(db)?.version;
        const m = r.promoteModel(db, version, reason);
        emit(
          opts,
          { champion: m.version, previous: before ?? null, model: r.getModel(db, m.version) },
          () => `${m.version} is now the champion (was ${before ?? 'none'})`,
        );
      });
    });

  models
    .command('rollback')
    .description('Put back the champion that served before the current one. Atomic; kept in the history.')
    .option('--reason <text>', 'why, for the history', 'manual rollback')
    .option('--json', 'print JSON for machines')
    .option('--home <dir>', EXISTING_HOME_HELP)
    .action(async (opts: Opts) => {
      const reason = `manual: ${opts.reason ?? 'manual rollback'}`;
      const report = (m: ModelRecord, before: string | undefined) =>
        emit(
          opts,
          { champion: m.version, previous: before ?? null, model: m },
          () => `rolled back: ${m.version} is the champion again (was ${before})`,
        );
      if (
        await onSharedStore(opts, async (store, r) => {
          const before = await store.championVersion();
          report(await r.rollbackInStore(store, reason), before);
        })
      )
        return;
      await withDb(opts, (db, r) => {
        const before = r.getChampion(db)?.version;
        report(r.rollbackChampion(db, reason), before);
      });
    });
};
