/**
 * Partner API keys. A key is shown once, when it is created; the database keeps only its SHA-256 (a key is 32
 * random bytes, so a fast hash is as safe as a slow one) and a short prefix for telling keys apart in listings.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Db } from './db.js';

/**
 * What a key may do: `valuations` prices stones and reads models and similar stones; `appraisals` records the
 * expert's appraisals (and lists, fixes, exports them); `admin` may do everything.
 */
export type Scope = 'valuations' | 'appraisals' | 'admin';
export const SCOPES: readonly Scope[] = ['valuations', 'appraisals', 'admin'];

export const KEY_PREFIX = 'lp_';
export const DEFAULT_RATE_PER_MINUTE = 600;

export interface ApiKey {
  id: number;
  name: string;
  /** The key's first characters, e.g. "lp_3fA9xQ". */
  prefix: string;
  scopes: Scope[];
  ratePerMinute: number;
  createdAt: string;
  revokedAt: string | null;
}

export interface KeyRow {
  id: number;
  name: string;
  prefix: string;
  scopes: string;
  rate_per_minute: number;
  created_at: string;
  revoked_at: string | null;
}

export const toKey = (r: KeyRow): ApiKey => ({
  id: r.id,
  name: r.name,
  prefix: r.prefix,
  scopes: JSON.parse(r.scopes) as Scope[],
  ratePerMinute: r.rate_per_minute,
  createdAt: r.created_at,
  revokedAt: r.revoked_at,
});

export function hashKey(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export interface NewKey {
  name: string;
  scopes: Scope[];
  ratePerMinute?: number;
}

/** A key's name trimmed, or a RangeError saying what is wrong with it. */
export function checkKeyName(spec: NewKey): string {
  const name = spec.name.trim();
  if (name.length === 0 || name.length > 100) throw new RangeError('a key name must have 1 to 100 characters');
  // Digits alone would read as an id in `loupe keys revoke`.
  if (/^\d+$/.test(name))
    throw new RangeError(`a key name cannot be only digits ("${name}" would read as a key id); add a letter`);
  return name;
}

export const nameTaken = (name: string, id: number): RangeError =>
  new RangeError(`an active key is named "${name}" already (id ${id}); choose another name, or revoke that key first`);

/** A new key's row values (scopes and rate checked) and its secret, which is stored only as a hash. */
export function newKeyValues(spec: NewKey): {
  secret: string;
  prefix: string;
  sha256: string;
  scopes: string;
  rate: number;
} {
  const scopes = [...new Set(spec.scopes)];
  if (scopes.length === 0) throw new RangeError(`a key needs at least one scope: ${SCOPES.join(', ')}`);
  for (const s of scopes)
    if (!SCOPES.includes(s)) throw new RangeError(`unknown scope "${s}"; scopes are ${SCOPES.join(', ')}`);
  const rate = spec.ratePerMinute ?? DEFAULT_RATE_PER_MINUTE;
  if (!Number.isInteger(rate) || rate < 1)
    throw new RangeError('the rate limit must be a whole number of requests per minute, at least 1');
  const secret = `${KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
  const prefix = secret.slice(0, KEY_PREFIX.length + 6);
  return { secret, prefix, sha256: hashKey(secret), scopes: JSON.stringify(scopes), rate };
}

/** Creates a key; the returned secret exists nowhere else, so it must be shown to the person now. */
export function createKey(db: Db, spec: NewKey, now = new Date()): { key: ApiKey; secret: string } {
  const name = checkKeyName(spec);
  const taken = db.prepare('SELECT id FROM api_keys WHERE name = ? AND revoked_at IS NULL').get(name) as
    | { id: number }
    | undefined;
  if (taken) throw nameTaken(name, taken.id);
  const v = newKeyValues(spec);
  const info = db
    .prepare(
      'INSERT INTO api_keys (name, prefix, sha256, scopes, rate_per_minute, created_at) VALUES (?, ?, ?, ?, ?, ?)',
    )
    .run(name, v.prefix, v.sha256, v.scopes, v.rate, now.toISOString());
  return { key: getKey(db, Number(info.lastInsertRowid))!, secret: v.secret };
}

export function getKey(db: Db, id: number): ApiKey | undefined {
  const row = db.prepare('SELECT * FROM api_keys WHERE id = ?').get(id) as KeyRow | undefined;
  return row && toKey(row);
}

export function listKeys(db: Db): ApiKey[] {
  return (db.prepare('SELECT * FROM api_keys ORDER BY id').all() as KeyRow[]).map(toKey);
}

/**
 * Revokes one key: by id when the argument is digits (a name never is), else by name (an active key's name is
 * unique). Returns the key revoked now, or undefined when no active key has that id or name.
 */
export function revokeKey(db: Db, idOrName: string, now = new Date()): ApiKey | undefined {
  const byId = /^\d+$/.test(idOrName);
  const row = (
    byId
      ? db.prepare('SELECT id FROM api_keys WHERE id = ? AND revoked_at IS NULL').get(Number(idOrName))
      : db.prepare('SELECT id FROM api_keys WHERE name = ? AND revoked_at IS NULL').get(idOrName)
  ) as { id: number } | undefined;
  if (!row) return undefined;
  db.prepare('UPDATE api_keys SET revoked_at = ? WHERE id = ?').run(now.toISOString(), row.id);
  return getKey(db, row.id);
}

/** A function that finds the live key a secret belongs to (prepared once: it runs on every request). */
export function keyFinder(db: Db): (secret: string) => ApiKey | undefined {
  const find = db.prepare('SELECT * FROM api_keys WHERE sha256 = ? AND revoked_at IS NULL');
  return (secret) => {
    const row = find.get(hashKey(secret)) as KeyRow | undefined;
    return row && toKey(row);
  };
}

export function countKeys(db: Db): number {
  return (db.prepare('SELECT count(*) AS n FROM api_keys WHERE revoked_at IS NULL').get() as { n: number }).n;
}
