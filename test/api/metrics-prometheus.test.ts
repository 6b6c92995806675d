/**
 * A real Prometheus (Debian's) scrapes a running Loupe on loopback; its own query API must then return Loupe's
 * series. Waits are bounded and poll (never a fixed sleep), generous for a loaded CI machine.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STONE, testApp, testHome, type TestApp, type TestHome } from './helpers.js';

const PROMETHEUS = '/usr/bin/prometheus';
const WAIT_MS = 120_000;

let home: TestHome;
let loupe: TestApp;
let prometheus: ChildProcess | undefined;
let promDir: string;
let promUrl: string;
let promLog = '';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Polls `probe` until it returns a value, or fails after WAIT_MS with what Prometheus printed. */
async function waitFor<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}; Prometheus said:\n${promLog.slice(-4000)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** The series an instant query returns (undefined while there are none). */
async function query(
  expr: string,
): Promise<Array<{ metric: Record<string, string>; value: [number, string] }> | undefined> {
  const res = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(expr)}`);
  if (!res.ok) return undefined;
  const body = (await res.json()) as {
    status: string;
    data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> };
  };
  return body.status === 'success' && body.data.result.length > 0 ? body.data.result : undefined;
}

beforeAll(async () => {
  home = await testHome();
  loupe = await testApp(home, { open: true });
  await loupe.app.listen({ host: '127.0.0.1', port: 0 });
  const loupePort = (loupe.app.server.address() as AddressInfo).port;
  promDir = mkdtempSync(join(tmpdir(), 'loupe-prometheus-'));
  const config = join(promDir, 'prometheus.yml');
  writeFileSync(
    config,
    [
      'global:',
      '  scrape_interval: 1s',
      '  scrape_timeout: 1s',
      'scrape_configs:',
      '  - job_name: loupe',
      '    metrics_path: /metrics',
      '    static_configs:',
      `      - targets: ['127.0.0.1:${loupePort}']`,
      '',
    ].join('\n'),
  );
  const promPort = await freePort();
  promUrl = `http://127.0.0.1:${promPort}`;
  prometheus = spawn(
    PROMETHEUS,
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${join(promDir, 'data')}`,
      `--web.listen-address=127.0.0.1:${promPort}`,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const keep = (chunk: Buffer) => {
    promLog = (promLog + chunk.toString()).slice(-20_000);
  };
  prometheus.stdout!.on('data', keep);
  prometheus.stderr!.on('data', keep);
}, WAIT_MS);

afterAll(async () => {
  if (prometheus && prometheus.exitCode === null) {
    const exited = new Promise((resolve) => prometheus!.once('exit', resolve));
    prometheus.kill('SIGTERM');
    const timer = setTimeout(() => prometheus!.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
  await loupe?.app.close();
  home?.cleanup();
  if (promDir) rmSync(promDir, { recursive: true, force: true });
}, 30_000);

describe('a real Prometheus scraping Loupe', () => {
  it(
    'stores the expected series after some valuations',
    async () => {
      const version = loupe.models.current!.version;
      for (let i = 0; i < 3; i++) {
        const res = await fetch(`http://127.0.0.1:${(loupe.app.server.address() as AddressInfo).port}/v1/valuations`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(STONE),
        });
        expect(res.status).toBe(200);
      }
      const valued = await waitFor('loupe_valuations_total in Prometheus', () =>
        query('loupe_valuations_total{outcome="valued"} >= 3'),
      );
      expect(valued[0].metric).toMatchObject({ job: 'loupe', model_version: version, outcome: 'valued' });
      const up = await waitFor('up', () => query('up{job="loupe"}'));
      expect(up[0].value[1]).toBe('1');
      for (const expr of [
        'loupe_http_requests_total{route="/v1/valuations",method="POST",status="200"}',
        'loupe_http_request_duration_seconds_bucket{route="/v1/valuations"}',
        'loupe_valuation_duration_seconds_count{kind="single"}',
        `loupe_champion_info{version="${version}"}`,
        'loupe_champion_age_seconds',
        'loupe_champion_mae_dollars',
        'loupe_champion_mape_ratio',
        'loupe_request_log_pending',
        'loupe_request_log_dropped_total',
        'loupe_build_info',
        'loupe_ingestion_accepted_rows_total > 0',
        'loupe_ingestion_rejected_rows_total{reason="out_of_range"}',
        'loupe_pipeline_runs_total{outcome="succeeded"}',
        'loupe_pipeline_run_duration_seconds_count',
        'process_resident_memory_bytes',
      ]) {
        expect(await query(expr), expr).toBeDefined();
      }
    },
    WAIT_MS + 30_000,
  );
});
