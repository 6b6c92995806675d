/**
 * ModelSource while the registry's database is away: the model being served stays, and the failure is reported
 * once for the outage, not at every poll (a poll a second would fill the log while PostgreSQL restarts). A champion
 * whose file is hostile is refused on load: the model being served stays, and the reason is reported.
 */
import { describe, expect, it } from 'vitest';
import { ModelSource } from '../../src/api/index.js';
import { serializeArtifact, trainModel } from '../../src/model/index.js';
import { referenceSplit } from '../helpers/reference.js';
import { SMALL_DIFFICULTY_TREES } from '../helpers/small-data.js';

describe('ModelSource with an unreachable database', () => {
  it('reports the outage once, and again only after the database answered in between', async () => {
    let up = false;
    const errors: unknown[] = [];
    const source = new ModelSource(
      {
        version: async () => {
          if (!up) throw new Error('the database is not answering');
          return undefined;
        },
        load: async () => undefined,
      },
      { onError: (error) => errors.push(error) },
    );
    for (let i = 0; i < 5; i++) expect(await source.refresh()).toBe(false);
    expect(errors).toHaveLength(1);
    up = true;
    await source.refresh();
    up = false;
    await source.refresh();
    expect(errors).toHaveLength(2);
  });
});

describe('ModelSource given a hostile champion', () => {
  it('keeps serving the model it has and says why, rather than swapping in one that prices at Infinity', async () => {
    const { train } = await referenceSplit();
    const artifact = trainModel(train.slice(0, 1500), { kind: 'hedonic', difficultyTrees: SMALL_DIFFICULTY_TREES });
    const good = serializeArtifact(artifact);
    const hostile = serializeArtifact({ ...artifact, model: { ...(artifact.model as object), intercept: 1e300 } });
    let champion = { version: 'v0001', text: good };
    const errors: { error: unknown; version: string | undefined }[] = [];
    const source = new ModelSource(
      { version: async () => champion.version, load: async () => champion },
      { onError: (error, version) => errors.push({ error, version }) },
    );
    expect(await source.refresh()).toBe(true);
    champion = { version: 'v0002', text: hostile };
    expect(await source.refresh()).toBe(false);
    expect(source.current?.version).toBe('v0001');
    expect(errors).toHaveLength(1);
    expect(errors[0].version).toBe('v0002');
    expect((errors[0].error as Error).message).toMatch(
      /^model file's hedonic model cannot be loaded: hedonic payload is not valid: its log outputs reach from 1e\+300/,
    );
  });
});
