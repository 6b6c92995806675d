/**
 * A champion that this version of Loupe cannot load — its file damaged, or written for another feature spec —
 * is never compared against or kept: the next run (or bootstrap) trains a model that loads and promotes it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { bootstrap, runPipeline } from '../../src/pipeline/index.js';
import { championVersion, getChampion, listModels, readArtifact } from '../../src/registry/index.js';
import { FAST, pipelineHome, type PipelineHome } from './helpers.js';

let h: PipelineHome | undefined;
afterEach(() => h?.cleanup());

function damageChampion(home: PipelineHome): string {
  const champion = getChampion(home.db)!;
  writeFileSync(champion.artifactPath, readFileSync(champion.artifactPath, 'utf8').slice(0, 500));
  return champion.version;
}

describe('an unloadable champion', () => {
  it('is replaced by the next run even with no new data, and the decision says why', async () => {
    h = pipelineHome();
    await runPipeline(h.db, h.paths, { incoming: h.incoming, config: FAST });
    const damaged = damageChampion(h);
    const r = await runPipeline(h.db, h.paths, { incoming: h.incoming, config: FAST });
    expect(r.status).toBe('succeeded');
    expect(r.decision?.reason).toMatch(
      new RegExp(`v0002 replaces ${damaged}, which this version of Loupe cannot load \\(.*does not match the registry`),
    );
    expect(championVersion(h.db)).toBe('v0002');
    expect(() => readArtifact(getChampion(h!.db)!)).not.toThrow();
  });

  it('makes bootstrap train and promote a model that loads', async () => {
    h = pipelineHome();
    process.env.LOUPE_MODEL_KINDS = 'hedonic';
    try {
      const first = await bootstrap(h.db, h.paths);
      expect((await bootstrap(h.db, h.paths)).version).toBe(first.version);
      damageChampion(h);
      const next = await bootstrap(h.db, h.paths);
      expect(next.version).toBe('v0002');
      expect(listModels(h.db)).toHaveLength(2);
    } finally {
      delete process.env.LOUPE_MODEL_KINDS;
    }
  });
});
