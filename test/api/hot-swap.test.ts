/**
 * A new champion is served without dropping or failing a request: requests stream in over real HTTP while a
 * different model is promoted; every one succeeds, and once a client sees the new version it never sees the old.
 * Every way valuations are computed: on the HTTP thread, and on a valuation thread — the new model built on the
 * HTTP thread, or built on a new generation of valuation threads (as `loupe serve` does).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inProcessValuations, ValuationPool, type Valuations } from '../../src/api/index.js';
import { STONE, testApp, testHome, type TestApp, type TestHome } from './helpers.js';

const threadErrors: Error[] = [];

const pool = () => new ValuationPool({ threads: 1, onError: (e) => threadErrors.push(e) });

describe.each([
  ['in process', () => inProcessValuations, false],
  ['on a valuation thread', pool, false],
  ['on a valuation thread that builds each new champion (as loupe serve)', pool, true],
] as [string, () => Valuations, boolean][])('hot swap, valuations %s', (_mode, makeValuations, preload) => {
  let home: TestHome;
  let t: TestApp;
  let base: string;
  let valuations: Valuations;

  beforeAll(async () => {
    home = await testHome();
    valuations = makeValuations();
    t = await testApp(home, { valuations, preloadOn: preload ? (valuations as ValuationPool) : undefined });
    t.models.start();
    base = await t.app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    t.models.stop();
    await t.app.close();
    await valuations.close();
    home.cleanup();
  });

  it('switches to a newly promoted model with zero failed requests', async () => {
    let stop = false;
    const failures: string[] = [];
    const seen: string[][] = [];
    const worker = async (w: number) => {
      seen[w] = [];
      while (!stop) {
        try {
          const res = await fetch(`${base}/v1/valuations`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(STONE),
          });
          const body = (await res.json()) as { modelVersion: string };
          if (res.status !== 200) failures.push(`${res.status} ${JSON.stringify(body)}`);
          else seen[w].push(body.modelVersion);
        } catch (e) {
          failures.push(String(e));
        }
      }
    };
    const workers = Array.from({ length: 8 }, (_, w) => worker(w));
    const warm = Date.now() + 15_000;
    while (seen.flat().length < 50 && Date.now() < warm) await new Promise((r) => setTimeout(r, 20));
    const before = seen.flat().length;
    const promoted = home.promote({ seed: 7, rows: 3000 });
    expect(promoted.version).toBe('v0002');
    const deadline = Date.now() + 15_000;
    while (!seen.flat().includes('v0002') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 300));
    stop = true;
    await Promise.all(workers);

    expect(failures).toEqual([]);
    expect(before).toBeGreaterThan(0);
    const all = seen.flat();
    expect(all).toContain('v0001');
    expect(all).toContain('v0002');
    expect(all.at(-1)).toBe('v0002');
    for (const versions of seen) {
      const firstNew = versions.indexOf('v0002');
      if (firstNew >= 0) expect(versions.slice(firstNew).every((v) => v === 'v0002')).toBe(true);
    }
    expect(t.models.current!.version).toBe('v0002');
    // a failed thread would be covered up by valuing in process: none may have failed
    expect(threadErrors).toEqual([]);
  });

  it('keeps serving the current model when the new champion cannot be loaded', async () => {
    const record = home.promote({ seed: 9, rows: 2500 });
    // Damage the artifact on disk after promotion: the registry's checksum refuses it, the server keeps v0002.
    const { writeFileSync } = await import('node:fs');
    const { isAbsolute, join } = await import('node:path');
    writeFileSync(
      isAbsolute(record.artifactPath) ? record.artifactPath : join(home.dir, record.artifactPath),
      '{"damaged": true}',
    );
    expect(await t.models.refresh()).toBe(false);
    expect(t.models.current!.version).toBe('v0002');
    const res = await fetch(`${base}/v1/valuations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(STONE),
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { modelVersion: string }).modelVersion).toBe('v0002');
  });
});
