/**
 * The sizing and pricing arithmetic of scripts/capacity.ts, with explicit inputs. These test the formulas;
 * the numbers in docs/cloud/capacity.md come from the measured benchmark, not from here.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  ASSUMPTIONS,
  PRICES,
  costTier,
  edgeBreakEven,
  measuredRun,
  perVcpu,
  quoteStore,
  readPipelineBench,
  readApiBench,
  readServingBench,
  readTrainingBench,
  renderCapacity,
  sizeFleet,
  tiered,
  trainingLimits,
  trainingRun,
  type ApiBench,
} from '../../scripts/capacity.js';
import { production } from '../../infra/config/production.js';

const fleetOptions = { targetUtil: 0.5, azs: 3, minTasks: 3, burstFactor: 1.5, maxUtilAfterAzLoss: 0.9 };
const bench: ApiBench = {
  requestsPerSecond: 2000,
  p99Ms: 20,
  cores: 2,
  connections: 50,
  durationSeconds: 30,
  explain: true,
  date: '2026-11-26',
};

describe('tiered prices', () => {
  const tiers = [
    { upTo: 100, price: 2 },
    { upTo: 300, price: 1 },
    { upTo: Infinity, price: 0.5 },
  ];
  it('charges each unit at the price of the tier it falls in', () => {
    expect(tiered(0, tiers)).toBe(0);
    expect(tiered(50, tiers)).toBe(100);
    expect(tiered(100, tiers)).toBe(200);
    expect(tiered(250, tiers)).toBe(200 + 150);
    expect(tiered(1000, tiers)).toBe(200 + 200 + 350);
  });
  it('divides by the unit for per-million prices', () => {
    expect(tiered(333e6, PRICES.apiGatewayRestPerMillion, 1e6)).toBeCloseTo(333 * 3.5, 6);
  });
});

describe('throughput per vCPU', () => {
  it('divides measured requests/s by the cores counted, preferring the server-only count', () => {
    expect(perVcpu(bench)).toBe(1000);
    expect(perVcpu({ ...bench, serverCores: 1 })).toBe(2000);
  });
  it('counts one core when the server was pinned to one', () => {
    expect(perVcpu({ ...bench, pinned: true })).toBe(2000);
  });
  it('prefers the server CPU time per request when the benchmark reports it', () => {
    expect(perVcpu({ ...bench, pinned: true, serverCpuMicrosPerRequest: 400 })).toBe(2500);
    expect(() => perVcpu({ ...bench, serverCpuMicrosPerRequest: 0 })).toThrow(/serverCpuMicrosPerRequest/);
  });
  it('refuses a benchmark without throughput or cores', () => {
    expect(() => perVcpu({ ...bench, cores: 0 })).toThrow(/cores/);
    expect(() => perVcpu({ ...bench, requestsPerSecond: 0 })).toThrow(/requestsPerSecond/);
  });
});

describe('fleet sizing', () => {
  it('never goes below one task per AZ', () => {
    expect(sizeFleet(10, 1000, fleetOptions)).toMatchObject({ tasks: 3, maxTasks: 6 });
  });
  it('runs at the target utilisation and rounds up to a multiple of the AZ count', () => {
    // 10,000/s at 1,000/s per task and 50 % target = 20 tasks → 21 (multiple of 3)
    const f = sizeFleet(10_000, 1000, fleetOptions);
    expect(f.tasks).toBe(21);
    expect(f.utilisation).toBeCloseTo(10_000 / 21_000, 9);
    expect(f.utilisationAfterAzLoss).toBeCloseTo(10_000 / 14_000, 9);
    expect(f.maxTasks).toBe(33); // 21 × 1.5 = 31.5 → 32 → 33
  });
  it('adds tasks until losing one AZ keeps the survivors under the limit', () => {
    // target 85 %: 10,000/850 → 12 tasks; after losing 4 of them, 8 tasks at 125 % → grow to 15 (10 left: 100 %) → 18 (12 left: 83 %)
    const f = sizeFleet(10_000, 1000, { ...fleetOptions, targetUtil: 0.85 });
    expect(f.tasks).toBe(18);
    expect(f.utilisationAfterAzLoss).toBeLessThanOrEqual(0.9);
  });
});

describe('monthly cost of a tier', () => {
  const task = {
    vcpu: 1,
    memoryGb: 2,
    targetUtil: 0.5,
    azs: 3,
    minTasks: 3,
    logRetentionDays: 90,
    archiveDays: 400,
    quoteRetentionDays: 30,
  };
  it('prices compute as tasks × hours × (vCPU + memory)', () => {
    const t = costTier(10, 1000, 1000, task);
    expect(t.fleet.tasks).toBe(3);
    expect(t.compute).toBeCloseTo(3 * 730 * (PRICES.fargateArmVcpuHour + 2 * PRICES.fargateArmGbHour), 9);
    expect(t.requestsPerMonth).toBe(10 * 730 * 3600);
  });
  it('adds the parts to the total and divides by millions of valuations', () => {
    const t = costTier(1000, 1000, 1000, task);
    expect(t.total).toBeCloseTo(t.compute + t.edge.cost + t.logs.cost + t.transfer + t.database + t.fixed, 6);
    // One Multi-AZ instance, RDS Proxy on its 2 vCPUs, two copies of the storage: the base plus the quotes kept.
    const quotesGb = (1000 * 86_400 * 30 * (ASSUMPTIONS.requestBytes + 1000 + ASSUMPTIONS.quoteOverheadBytes)) / 1e9;
    expect(t.quotes.storedGb).toBeCloseTo(quotesGb, 9);
    expect(t.database).toBeCloseTo(
      730 * PRICES.rdsPostgresMultiAzHour +
        730 * 2 * PRICES.rdsProxyVcpuHour +
        2 * (20 + quotesGb) * PRICES.rdsGp3GbMonth,
      6,
    );
    expect(t.perMillion).toBeCloseTo(t.total / (t.requestsPerMonth / 1e6), 9);
  });
  it('keeps API Gateway until the ALB edge saves more than the switch threshold a month', () => {
    for (const load of [10, 1000, 100_000]) {
      const t = costTier(load, 1000, 1000, task);
      const gw = t.edge.name.startsWith('API Gateway') ? t.edge : t.alternativeEdge;
      const alb = t.edge.name.startsWith('API Gateway') ? t.alternativeEdge : t.edge;
      expect(t.edge.name.startsWith('API Gateway')).toBe(gw.cost - alb.cost <= ASSUMPTIONS.edgeSwitchPremiumMonth);
    }
    expect(costTier(10, 1000, 1000, task).edge.name).toBe('API Gateway + WAF + NLB');
    expect(costTier(100_000, 1000, 1000, task).edge.name).toMatch(/^ALB/);
  });
  it('bills the edge request log as infra/ deploys it: CloudWatch plus its Firehose archive, or ALB logs to S3', () => {
    const small = costTier(10, 1000, 1000, task);
    const gb = (small.requestsPerMonth * ASSUMPTIONS.accessLogBytes) / 1e9;
    expect(small.logs.sink).toBe('CloudWatch Logs + Firehose → S3');
    // CloudWatch ingests and keeps 90 days; Firehose gets the same bytes in batches (no 5 KB record per line);
    // S3 keeps 400 days.
    expect(small.logs.cost).toBeCloseTo(
      gb * (PRICES.logsIngestGb + 3 * PRICES.logsStoreGbMonth) +
        gb * PRICES.firehoseIngestGb +
        gb * (400 / 30) * PRICES.s3GbMonth,
      9,
    );
    const big = costTier(100_000, 1000, 1000, task);
    expect(big.edge.name).toMatch(/^ALB/);
    expect(big.logs).toEqual({
      sink: 'ALB access logs → S3',
      cost: ((big.requestsPerMonth * ASSUMPTIONS.accessLogBytes) / 1e9) * (400 / 30) * PRICES.s3GbMonth,
    });
  });
  it('compares keeping quotes in PostgreSQL and in DynamoDB', () => {
    const q = quoteStore(1000, 1500, 30);
    const bytes = ASSUMPTIONS.requestBytes + 1500 + ASSUMPTIONS.quoteOverheadBytes;
    const perMonth = 1000 * 730 * 3600;
    // 2,000 B: two write units a quote, one read unit per read.
    expect(q.dynamo.writes).toBeCloseTo((perMonth * 2 * PRICES.dynamoWritePerMillion) / 1e6, 6);
    expect(q.dynamo.reads).toBeCloseTo(
      (perMonth * ASSUMPTIONS.quoteReadsPerQuote * PRICES.dynamoReadPerMillion) / 1e6,
      6,
    );
    expect(q.storedGb).toBeCloseTo((1000 * 86_400 * 30 * bytes) / 1e9, 9);
    expect(q.dynamo.storage).toBeCloseTo(q.storedGb * PRICES.dynamoGbMonth, 9);
    expect(q.fitsOneInstance).toBe(true);
    // At 100,000/s a month of quotes is more than one RDS instance can store.
    expect(quoteStore(100_000, 1500, 30).fitsOneInstance).toBe(false);
    expect(quoteStore(100_000, 1500, 1).fitsOneInstance).toBe(true);
  });
  it('prices the HTTP API edge from its own request tiers plus the NLB', () => {
    const t = costTier(1000, 1000, 1000, task);
    const gwRequests = t.requestsPerMonth;
    expect(t.httpApiEdge.cost).toBeGreaterThan(300 * 1.0 + (gwRequests / 1e6 - 300) * 0.9);
    expect(t.httpApiEdge.cost).toBeLessThan(
      t.edge.name.startsWith('API Gateway') ? t.edge.cost : t.alternativeEdge.cost,
    );
  });
  it("adds Shield Advanced's data-transfer fee to its edge", () => {
    const t = costTier(100_000, 1000, 1000, task);
    const shield = [t.edge, t.alternativeEdge].find((e) => e.name.includes('Shield'))!;
    const transferGb = (t.requestsPerMonth * 1000) / 1e9;
    expect(shield.cost).toBeGreaterThan(PRICES.shieldAdvancedMonth + transferGb * PRICES.shieldAdvancedElbTransferGb);
  });
  it('finds the load where the edge rule switches, and the deployed configuration is on the API Gateway side of it', () => {
    const line = edgeBreakEven(1000, 1000, task);
    expect(costTier(line - 1, 1000, 1000, task).edge.name).toMatch(/^API Gateway/);
    expect(costTier(line, 1000, 1000, task).edge.name).toMatch(/^ALB/);
    // infra/ deploys API Gateway REST (infra/lib/serving.ts), so the load production plans for must be below the
    // line computed from the measured benchmark; raising it past the line means deploying the ALB edge.
    const api = readServingBench(join(dirname(fileURLToPath(import.meta.url)), '../../bench/results'));
    const s = production.serving;
    const measuredTask = {
      ...task,
      vcpu: s.taskCpu / 1024,
      memoryGb: s.taskMemoryMiB / 1024,
      targetUtil: s.targetCpuPercent / 100,
    };
    const measuredLine = edgeBreakEven(
      perVcpu(api) * measuredTask.vcpu,
      api.bytesPerResponse ?? ASSUMPTIONS.fallbackResponseBytes,
      measuredTask,
    );
    expect(s.plannedLoadPerSecond).toBeLessThan(measuredLine);
  });
});

describe('the database infra/ deploys and the one capacity.md prices', () => {
  it('are the same instance, and its storage ceiling holds the quotes kept at the planned load', () => {
    // PRICES.rdsPostgresMultiAzHour is the price of a Multi-AZ db.t4g.medium (2 vCPUs: RDS Proxy's billing basis).
    expect(production.database.instanceType).toBe('t4g.medium');
    expect(PRICES.rdsInstanceVcpu).toBe(2);
    const api = readServingBench(join(dirname(fileURLToPath(import.meta.url)), '../../bench/results'));
    const q = quoteStore(
      production.serving.plannedLoadPerSecond,
      api.bytesPerResponse ?? ASSUMPTIONS.fallbackResponseBytes,
      production.database.quoteRetentionDays,
    );
    expect(q.postgresStorageGb).toBeLessThanOrEqual(production.database.maxStorageGb);
    expect(production.database.storageGb).toBe(ASSUMPTIONS.databaseStorageGb);
  });
});

describe('training', () => {
  const tb = { rows: 4000, fitSeconds: 0.5 };
  it('scales fit time linearly with rows and adds the run overhead', () => {
    const r = trainingRun(tb, 40_000, { vcpu: 2, memoryGb: 4 });
    expect(r.seconds).toBeCloseTo(ASSUMPTIONS.fitsPerRun * 0.5 * 10 + ASSUMPTIONS.runOverheadSeconds, 9);
    expect(r.cost).toBeCloseTo((r.seconds / 3600) * (2 * PRICES.fargateArmVcpuHour + 4 * PRICES.fargateArmGbHour), 12);
  });
  it('bills at least one minute', () => {
    const r = trainingRun({ rows: 4000, fitSeconds: 0.001 }, 4000, { vcpu: 2, memoryGb: 4 }, PRICES, {
      ...ASSUMPTIONS,
      runOverheadSeconds: 0,
    });
    expect(r.cost).toBeCloseTo((60 / 3600) * (2 * PRICES.fargateArmVcpuHour + 4 * PRICES.fargateArmGbHour), 12);
  });
  it('puts the one-machine line where a run no longer fits the retrain window', () => {
    const lim = trainingLimits(tb);
    const seconds = trainingRun(tb, lim.rowsInWindow, { vcpu: 2, memoryGb: 4 }).seconds;
    expect(seconds).toBeLessThanOrEqual(ASSUMPTIONS.retrainWindowHours * 3600);
    expect(trainingRun(tb, lim.rowsInWindow + 10, { vcpu: 2, memoryGb: 4 }).seconds).toBeGreaterThan(
      ASSUMPTIONS.retrainWindowHours * 3600,
    );
  });
});

describe('a measured pipeline run', () => {
  it('adds the restore/publish overhead and bills at least a minute', () => {
    const r = measuredRun({ rows: 5000, seconds: 30 }, { vcpu: 2, memoryGb: 4 });
    expect(r.seconds).toBe(30 + ASSUMPTIONS.runOverheadSeconds);
    expect(r.cost).toBeCloseTo((r.seconds / 3600) * (2 * PRICES.fargateArmVcpuHour + 4 * PRICES.fargateArmGbHour), 12);
  });
});

describe('reading benchmark results', () => {
  const dir = mkdtempSync(join(tmpdir(), 'loupe-capacity-'));
  it('says what to run when the API result is missing', () => {
    expect(() => readApiBench(join(dir, 'api.json'))).toThrow(/does not exist yet.*API benchmark/);
  });
  it('refuses a result measured without explanations', () => {
    const p = join(dir, 'noexplain.json');
    writeFileSync(p, JSON.stringify({ ...bench, explain: false }));
    expect(() => readApiBench(p)).toThrow(/explain/);
  });
  it('sizes from the newer of the default benchmark and the PostgreSQL side of the store comparison', () => {
    const d = mkdtempSync(join(tmpdir(), 'loupe-capacity-serving-'));
    writeFileSync(join(d, 'api.json'), JSON.stringify({ ...bench, date: '2026-12-04T05:00:00Z' }));
    expect(readServingBench(d).source).toBe('bench/results/api.json');
    const run = { connections: 50, durationSeconds: 10, modelKind: 'gbdt', loadAverageAtStart: 1.1 };
    const sides = {
      sqlite: { requestsPerSecond: 4400, p99Ms: 26, serverCpuMicrosPerRequest: 289 },
      postgres: { requestsPerSecond: 3600, p99Ms: 40, serverCpuMicrosPerRequest: 290 },
    };
    writeFileSync(join(d, 'api-backends.json'), JSON.stringify({ ...sides, ...run, date: '2026-12-05T21:00:00Z' }));
    const newer = readServingBench(d);
    expect(newer.store).toMatch(/PostgreSQL/);
    expect(perVcpu(newer)).toBeCloseTo(1e6 / 290, 6);
    expect(newer.cores).toBeUndefined();
    expect(renderCapacity(newer, undefined)).toContain('cores not recorded');
    writeFileSync(join(d, 'api-backends.json'), JSON.stringify({ ...sides, ...run, date: '2026-12-01T00:00:00Z' }));
    expect(readServingBench(d).source).toBe('bench/results/api.json');
    writeFileSync(join(d, 'api-backends.json'), JSON.stringify({ sqlite: sides.sqlite, ...run, date: 'x' }));
    expect(() => readServingBench(d)).toThrow(/postgres/);
  });
  it('tolerates a missing pipeline result and rejects one without runs', () => {
    expect(readPipelineBench(join(dir, 'pipeline.json'))).toBeUndefined();
    const p = join(dir, 'bad-pipeline.json');
    writeFileSync(p, JSON.stringify({ runs: [] }));
    expect(() => readPipelineBench(p)).toThrow(/runs/);
  });
  it('tolerates a missing training result and rejects a malformed one', () => {
    expect(readTrainingBench(join(dir, 'training.json'))).toBeUndefined();
    const p = join(dir, 'bad-training.json');
    writeFileSync(p, JSON.stringify({ rows: 10 }));
    expect(() => readTrainingBench(p)).toThrow(/fitSeconds/);
  });
});

describe('the generated document', () => {
  it('shows the measured per-vCPU rate, the three tiers, and says when training is not measured', () => {
    const md = renderCapacity(bench, undefined);
    expect(md).toContain(
      '| **valuations/s per vCPU** | **1,000** (2000 requests/s ÷ 2 cores (whole machine, load generator included: conservative)) |',
    );
    expect(md).toContain('| | 10 valuations/s | 1,000 valuations/s | 100,000 valuations/s |');
    expect(md).toContain('No training benchmark result yet');
    expect(md).not.toContain('## Training run time');
    expect(md).not.toContain('## One training run, measured');
  });
  it('prices the largest measured pipeline run when one exists', () => {
    const md = renderCapacity(bench, undefined, PRICES, ASSUMPTIONS, {
      runs: [
        { rows: 5000, seconds: 4 },
        { rows: 11000, seconds: 9, batch: '2026-11' },
      ],
    });
    expect(md).toContain('## One training run, measured');
    expect(md).toContain('trained on 11,000 rows in 9.0 s (2026-11)');
  });
  it('adds the training line and the cost table when a training result exists', () => {
    const md = renderCapacity(bench, { rows: 4000, fitSeconds: 0.5, trees: 1000 });
    expect(md).toContain('## Training run time and cost by data size');
    expect(md).toContain('| 4,000 (measured) |');
  });
});
