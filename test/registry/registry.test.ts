import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loupePaths, type LoupePaths } from '../../src/config/index.js';
import {
  loadValuer,
  MAX_MODEL_FILE_BYTES,
  parseArtifact,
  trainModel,
  type ModelArtifact,
} from '../../src/model/index.js';
import {
  championVersion,
  getChampion,
  getModel,
  listModels,
  listPromotions,
  promoteModel,
  readArtifact,
  readArtifactAsync,
  registerModel,
  RegistryError,
  rollbackChampion,
  upgradeMetrics,
} from '../../src/registry/index.js';
import { openDatabase, type Db } from '../../src/store/db.js';
import { referenceSplit } from '../helpers/reference.js';
import { SMALL_DIFFICULTY_TREES } from '../helpers/small-data.js';

let artifactA: ModelArtifact;
let artifactB: ModelArtifact;
beforeAll(async () => {
  const { train } = await referenceSplit();
  // The registry stores, reads and promotes any artifact: a difficulty model of 30 trees (not 300) keeps it quick.
  artifactA = trainModel(train.slice(0, 1500), { kind: 'hedonic', seed: 1, difficultyTrees: SMALL_DIFFICULTY_TREES });
  artifactB = trainModel(train.slice(1500, 3000), {
    kind: 'hedonic',
    seed: 2,
    difficultyTrees: SMALL_DIFFICULTY_TREES,
  });
});

const homes: string[] = [];
function home(): { dir: string; paths: LoupePaths; db: Db } {
  const dir = mkdtempSync(join(tmpdir(), 'loupe-registry-test-'));
  homes.push(dir);
  const paths = loupePaths({}, { home: dir });
  return { dir, paths, db: openDatabase(paths.database) };
}
afterEach(() => {
  while (homes.length) rmSync(homes.pop()!, { recursive: true, force: true });
});

const meta = { durationMs: 12, gitCommit: 'abc', decision: 'test' };

describe('registerModel', () => {
  it('writes the artifact under <models>/<version>/model.json and records it with its hashes', () => {
    const { paths, db } = home();
    const m = registerModel(db, paths, artifactA, meta);
    expect(m.version).toBe('v0001');
    expect(m.artifactPath).toBe(join(paths.models, 'v0001', 'model.json'));
    expect(m.kind).toBe('hedonic');
    expect(m.trainingDataSha256).toBe(artifactA.trainingData.sha256);
    expect(m.trainingRows).toBe(1500);
    expect(m.params).toEqual(artifactA.params);
    expect(upgradeMetrics(m.metrics).outOfFold).toMatchObject(artifactA.metrics.outOfFold);
    expect(m.isChampion).toBe(false);
    expect(m.promotedAt).toBeNull();
    const text = readArtifact(m);
    expect(parseArtifact(text)).toEqual(artifactA);
    expect(loadValuer(text, m.version).version).toBe('v0001');
    db.close();
  });

  it('gives increasing, sortable versions and lists models oldest first', () => {
    const { paths, db } = home();
    const versions = [artifactA, artifactB, artifactA].map((a) => registerModel(db, paths, a, meta).version);
    expect(versions).toEqual(['v0001', 'v0002', 'v0003']);
    expect(listModels(db).map((m) => m.version)).toEqual(versions);
    expect([...versions].sort()).toEqual(versions);
    db.close();
  });

  it('leaves no row when the surrounding transaction fails, and the orphan file is cleaned by the next registration', () => {
    const { paths, db } = home();
    expect(() =>
      db
        .transaction(() => {
          registerModel(db, paths, artifactA, meta);
          throw new Error('crash after the file');
        })
        .immediate(),
    ).toThrow('crash after the file');
    expect(listModels(db)).toEqual([]);
    expect(existsSync(join(paths.models, 'v0001', 'model.json'))).toBe(true);
    // A folder left by a crash also holds a partly written temp file: it must go too.
    writeFileSync(join(paths.models, 'v0001', '.model.json.123.tmp'), '{"trunc');
    const m = registerModel(db, paths, artifactB, meta);
    expect(m.version).toBe('v0001');
    expect(parseArtifact(readArtifact(m)).trainingData.sha256).toBe(artifactB.trainingData.sha256);
    expect(existsSync(join(paths.models, 'v0001', '.model.json.123.tmp'))).toBe(false);
    db.close();
  });

  it('finds artifacts after LOUPE_HOME is moved (paths are stored relative to it)', () => {
    const { dir, paths, db } = home();
    registerModel(db, paths, artifactA, meta);
    db.close();
    const moved = `${dir}-moved`;
    renameSync(dir, moved);
    homes.push(moved);
    const db2 = openDatabase(loupePaths({}, { home: moved }).database);
    const m = getModel(db2, 'v0001')!;
    expect(m.artifactPath.startsWith(moved)).toBe(true);
    expect(() => readArtifact(m)).not.toThrow();
    db2.close();
  });
});

describe('the champion', () => {
  it('switches by promotion, keeps the history, and rolls back to the previous champion', () => {
    const { paths, db } = home();
    expect(getChampion(db)).toBeUndefined();
    expect(championVersion(db)).toBeUndefined();
    const a = registerModel(db, paths, artifactA, meta);
    const b = registerModel(db, paths, artifactB, meta);
    const c = registerModel(db, paths, artifactA, meta);
    expect(promoteModel(db, a.version, 'first').isChampion).toBe(true);
    expect(championVersion(db)).toBe('v0001');
    promoteModel(db, b.version, 'better');
    promoteModel(db, c.version, 'better still');
    expect(championVersion(db)).toBe('v0003');
    expect(
      listModels(db)
        .filter((m) => m.isChampion)
        .map((m) => m.version),
    ).toEqual(['v0003']);
    expect(rollbackChampion(db, 'complaints').version).toBe('v0002');
    expect(rollbackChampion(db, 'more complaints').version).toBe('v0001');
    expect(() => rollbackChampion(db, 'again')).toThrow(/first champion/);
    expect(listPromotions(db).map((p) => `${p.action} ${p.version}`)).toEqual([
      'promote v0001',
      'promote v0002',
      'promote v0003',
      'rollback v0002',
      'rollback v0001',
    ]);
    expect(getModel(db, 'v0002')!.promotedAt).not.toBeNull();
    db.close();
  });

  it('refuses unknown versions, a second promotion of the champion, and a rollback with no champion', () => {
    const { paths, db } = home();
    expect(() => rollbackChampion(db, 'x')).toThrow(/no champion/);
    const a = registerModel(db, paths, artifactA, meta);
    expect(() => promoteModel(db, 'v0042', 'x')).toThrow(/no model v0042.*known: v0001/);
    promoteModel(db, a.version, 'first');
    try {
      promoteModel(db, a.version, 'again');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(RegistryError);
      expect((err as RegistryError).code).toBe('already_champion');
    }
    db.close();
  });

  it('never promotes a model whose artifact was changed or removed, and readArtifact says why', () => {
    const { paths, db } = home();
    const a = registerModel(db, paths, artifactA, meta);
    const b = registerModel(db, paths, artifactB, meta);
    promoteModel(db, a.version, 'first');
    const text = readFileSync(b.artifactPath, 'utf8');
    writeFileSync(b.artifactPath, text.replace('"hedonic"', '"hedonic" '));
    expect(() => readArtifact(b)).toThrow(/does not match the registry/);
    expect(() => promoteModel(db, b.version, 'x')).toThrow(/does not match the registry/);
    rmSync(b.artifactPath);
    expect(() => readArtifact(b)).toThrow(/is missing/);
    expect(championVersion(db)).toBe('v0001');
    db.close();
  });

  it('reads no byte of an artifact larger than a model file may be (a server would parse gigabytes)', async () => {
    const { paths, db } = home();
    const a = registerModel(db, paths, artifactA, meta);
    // a sparse file: its size is what counts, and writing it costs nothing
    truncateSync(a.artifactPath, MAX_MODEL_FILE_BYTES + 1);
    const message = `model v0001: its artifact ${a.artifactPath} is 268,435,457 bytes, over the limit of 268,435,456 for a model file; it will not be served`;
    expect(() => readArtifact(a)).toThrow(message);
    await expect(readArtifactAsync(a)).rejects.toThrow(message);
    db.close();
  });
});

describe('registry tables', () => {
  it('are created by the migrations in a fresh database', () => {
    const { db } = home();
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map(
      (t) => t.name,
    );
    for (const t of ['models', 'promotions', 'training_snapshots', 'pipeline_runs', 'pipeline_lock'])
      expect(tables).toContain(t);
    mkdirSync(join(db.name, '..', 'models'), { recursive: true });
    db.close();
  });
});
