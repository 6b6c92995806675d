/**
 * ModelSource while the registry's database is away: the model being served stays, and the failure is reported
 * once for the outage, not at every poll (a poll a second would fill the log while PostgreSQL restarts).
 */
import { describe, expect, it } from 'vitest';
import { ModelSource } from '../../src/api/index.js';

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
