/**
 * `loupe keys create|list|revoke`: API keys for partners. A key is printed once, when created; Loupe keeps only
 * its hash.
 */
import type { Command } from 'commander';
import { DEFAULT_RATE_PER_MINUTE, SCOPES, type ApiKey, type Scope } from '../store/keys.js';
import { plainNumber } from './numbers.js';
import { CliError, EXIT_FAILURE, EXIT_USAGE, emit } from './output.js';
import type { RegisterCommand } from './program.js';
import { EXISTING_HOME_HELP, withExistingStore, withStore } from './with-store.js';

interface KeysOptions {
  json?: boolean;
  home?: string;
}

function describeKey(k: ApiKey): string {
  const state = k.revokedAt ? `revoked ${k.revokedAt}` : 'active';
  return `${String(k.id).padStart(3)}  ${k.name}  ${k.prefix}…  scopes ${k.scopes.join(',')}  ${k.ratePerMinute}/min  created ${k.createdAt}  ${state}`;
}

async function create(opts: KeysOptions & { name: string; scope: string[]; rate?: string }): Promise<void> {
  const scopes = opts.scope.length > 0 ? opts.scope : ['valuations'];
  for (const s of scopes)
    if (!SCOPES.includes(s as Scope))
      throw new CliError(`unknown scope "${s}"; scopes are ${SCOPES.join(', ')}`, EXIT_USAGE);
  const rate = opts.rate === undefined ? DEFAULT_RATE_PER_MINUTE : plainNumber(opts.rate, { whole: true, min: 1 });
  if (rate === undefined)
    throw new CliError(
      `--rate must be a whole number of requests per minute, at least 1, not "${opts.rate}"`,
      EXIT_USAGE,
    );
  let created: { key: ApiKey; secret: string };
  try {
    created = await withStore(opts, (store) =>
      store.createKey({ name: opts.name, scopes: scopes as Scope[], ratePerMinute: rate }),
    );
  } catch (e) {
    if (e instanceof RangeError) throw new CliError(e.message, EXIT_USAGE);
    throw e;
  }
  emit(opts, { ...created.key, key: created.secret }, (k) =>
    [
      `Created key ${k.id} "${k.name}" (scopes ${k.scopes.join(', ')}, ${k.ratePerMinute} requests/minute):`,
      '',
      `  ${k.key}`,
      '',
      'This is the only time the key is shown: Loupe keeps only its hash. Send it as',
      `  Authorization: Bearer ${k.key}`,
    ].join('\n'),
  );
}

async function list(opts: KeysOptions): Promise<void> {
  const keys = await withExistingStore(opts, (store) => store.listKeys());
  emit(opts, keys, (ks) =>
    ks.length === 0
      ? 'no API keys yet: create one with `loupe keys create --name NAME --scope valuations`'
      : ks.map(describeKey).join('\n'),
  );
}

async function revoke(idOrName: string, opts: KeysOptions): Promise<void> {
  const revoked = await withExistingStore(opts, (store) => store.revokeKey(idOrName));
  const what = /^\d+$/.test(idOrName) ? `the id ${idOrName}` : `the name "${idOrName}"`;
  // --json: the revoked key in a list (empty when none), as before names were unique.
  emit(opts, revoked ? [revoked] : [], () =>
    revoked ? `revoked: ${describeKey(revoked)}` : `no active key has ${what}`,
  );
  if (!revoked) process.exitCode = EXIT_FAILURE;
}

const collect = (value: string, previous: string[]): string[] => [
  ...previous,
  ...value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
];

export const registerKeys: RegisterCommand = (program: Command) => {
  const keys = program.command('keys').description('API keys for partners: create (shown once), list, revoke.');
  keys
    .command('create')
    .description('Create a key and print it once (Loupe keeps only its SHA-256).')
    .requiredOption('--name <name>', 'who the key is for, e.g. ACME')
    .option('--scope <scope>', `what it may do: ${SCOPES.join(' or ')} (repeatable; default valuations)`, collect, [])
    .option('--rate <perMinute>', `requests per minute (default ${DEFAULT_RATE_PER_MINUTE})`)
    .option('--json', 'print JSON for machines')
    .option('--home <dir>', 'where Loupe keeps its data (default: $LOUPE_HOME or ./var)')
    .addHelpText(
      'after',
      '\nExample:\n  $ loupe keys create --name ACME --scope valuations\n  $ loupe keys create --name ops --scope admin --rate 120',
    )
    .action(create);
  keys
    .command('list')
    .description('List keys (never the keys themselves: only their first characters).')
    .option('--json', 'print JSON for machines')
    .option('--home <dir>', EXISTING_HOME_HELP)
    .action(list);
  keys
    .command('revoke')
    .description('Revoke one key by id or name; it stops working at once.')
    .argument(
      '<idOrName>',
      "the key's id (digits, from `loupe keys list`) or its name (names of active keys are unique and never only digits)",
    )
    .option('--json', 'print JSON for machines')
    .option('--home <dir>', EXISTING_HOME_HELP)
    .action(revoke);
};
