/**
 * docs/operations: the alert rules pass `promtool check rules`, the Grafana dashboard is valid JSON, and every
 * metric either names is one a running Loupe exports (read from a real scrape, histograms with their series).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STONE, testApp, testHome, type TestApp, type TestHome } from './helpers.js';

const RULES = 'docs/operations/alerts.yml';
const DASHBOARD = 'docs/operations/grafana-dashboard.json';

let home: TestHome;
let t: TestApp;
let exported: Set<string>;

beforeAll(async () => {
  home = await testHome();
  t = await testApp(home, { open: true });
  await t.app.inject({ method: 'POST', url: '/v1/valuations', payload: STONE });
  const text = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
  exported = new Set(['up']);
  for (const m of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    exported.add(m[1]);
    if (m[2] === 'histogram') for (const s of ['_bucket', '_sum', '_count']) exported.add(m[1] + s);
  }
}, 120_000);

afterAll(async () => {
  await t?.app.close();
  home?.cleanup();
});

/** The metric names a PromQL expression reads (Loupe's, prom-client's, and Prometheus' own `up`). */
const metricsIn = (expr: string): string[] =>
  [...expr.matchAll(/\b(loupe_[a-z0-9_]+|process_[a-z0-9_]+|nodejs_[a-z0-9_]+|up)\b(?=\s*[{[)\s]|$)/g)].map(
    (m) => m[1],
  );

describe('docs/operations', () => {
  it('has alert rules that promtool accepts, reading only exported metrics', () => {
    const check = spawnSync('promtool', ['check', 'rules', RULES], { encoding: 'utf8' });
    expect(check.error).toBeUndefined();
    expect(check.status, `${check.stdout}${check.stderr}`).toBe(0);
    expect(check.stdout).toMatch(/SUCCESS: \d+ rules found/);
    const exprs = [...readFileSync(RULES, 'utf8').matchAll(/expr: (\|\n(?:\s{10,}.*\n)+|.*)/g)].map((m) => m[1]);
    expect(exprs.length).toBeGreaterThanOrEqual(8);
    const named = exprs.flatMap(metricsIn);
    expect(named.length).toBeGreaterThan(exprs.length);
    expect(named.filter((n) => !exported.has(n))).toEqual([]);
  });

  it('has a Grafana dashboard that is valid JSON and names only metrics Loupe exports', () => {
    const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as {
      uid: string;
      panels: { id: number; title: string; targets: { expr: string }[] }[];
    };
    expect(dashboard.uid).toBe('loupe-operations');
    expect(new Set(dashboard.panels.map((p) => p.id)).size).toBe(dashboard.panels.length);
    const exprs = dashboard.panels.flatMap((p) => p.targets.map((target) => target.expr));
    const named = exprs.flatMap(metricsIn);
    expect(named.length).toBeGreaterThanOrEqual(exprs.length);
    expect(named.filter((n) => !exported.has(n))).toEqual([]);
    // Every metric family Loupe defines has a panel.
    const loupe = [...exported].filter((n) => n.startsWith('loupe_') && !/_(bucket|sum|count)$/.test(n));
    const shown = new Set(named.map((n) => n.replace(/_(bucket|sum|count)$/, '')));
    expect(loupe.filter((n) => !shown.has(n) && !shown.has(`${n}_total`))).toEqual(['loupe_build_info']);
  });
});
