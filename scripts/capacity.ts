/**
 * Sizes Loupe's AWS serving fleet and prices it from measurements, never from typed-in throughput:
 *   reads  bench/results/api.json      (the API benchmark: requests/s on `cores` cores, explain on)
 *          bench/results/training.json (optional: {rows, fitSeconds} of one model fit, see TrainingBench)
 *          bench/results/pipeline.json (optional: {runs: [{rows, seconds}]} of whole pipeline runs)
 *   writes docs/cloud/capacity.md      (fleet per tier, monthly cost, cost per million, one training run)
 *
 *   npm run capacity
 *
 * Prices are list prices typed into PRICES below with the date they were read: nothing can be fetched here,
 * so they are stated assumptions. Task size and CPU target come from infra/config/production.ts so the
 * document and the stack cannot disagree.
 */
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { production } from '../infra/config/production.js';

// ---------------------------------------------------------------------------------------------- inputs

/** What the API benchmark writes (bench/results/api.json). Extra fields are ignored. */
export interface ApiBench {
  requestsPerSecond: number;
  p99Ms: number;
  /** Cores of the benchmark machine. The load generator shares them, so rps/cores understates a vCPU. */
  cores: number;
  connections: number;
  durationSeconds: number;
  explain: boolean;
  date: string;
  /** Optional: cores the server alone used (e.g. 1 for one Node process); preferred over `cores`. */
  serverCores?: number;
  /** Optional: mean response body size in bytes; used for data-transfer cost. */
  bytesPerResponse?: number;
  /**
   * Optional: the server process's CPU time per request (user + system), in µs. Preferred basis: it does not
   * depend on what else the benchmark machine was doing, which on a shared machine it always is.
   */
  serverCpuMicrosPerRequest?: number;
  /** Optional: the server was pinned to one core (then requestsPerSecond is one core's worth). */
  pinned?: boolean;
  /** Optional context shown in the document. */
  modelKind?: string;
  modelVersion?: string;
  loadAverageAtStart?: number;
}

/** How valuations per vCPU were derived from the benchmark. */
export function perVcpuBasis(bench: ApiBench): string {
  if (bench.serverCpuMicrosPerRequest && bench.serverCpuMicrosPerRequest > 0) {
    return `1,000,000 µs ÷ ${bench.serverCpuMicrosPerRequest} µs of server CPU per request`;
  }
  const cores = bench.serverCores ?? (bench.pinned ? 1 : bench.cores);
  return `${bench.requestsPerSecond} requests/s ÷ ${cores} core${cores === 1 ? '' : 's'}` +
    (bench.serverCores || bench.pinned ? ' (the server\'s own)' : ' (whole machine, load generator included: conservative)');
}

/** What a training benchmark writes (bench/results/training.json): one fit of the production model kind. */
export interface TrainingBench {
  rows: number;
  /** Wall-clock seconds of one fit on one core (median of runs). */
  fitSeconds: number;
  trees?: number;
  date?: string;
}

/**
 * What a pipeline benchmark writes (bench/results/pipeline.json): whole `loupe pipeline run`s, timed. The
 * cost of one training run is priced from the largest measured run when this file exists.
 */
export interface PipelineBench {
  runs: Array<{ rows: number; seconds: number; batch?: string }>;
  date?: string;
}

// ---------------------------------------------------------------------------------------------- prices

export interface Tier {
  /** Units up to this cumulative amount cost `price` each (per million requests, or per GB). */
  upTo: number;
  price: number;
}

/**
 * AWS list prices, eu-west-1 (Ireland), USD, on-demand, without savings plans or free tier.
 * ASSUMPTIONS: typed in from the AWS public pricing pages as last read (see `asOf`); they could not be
 * fetched or re-checked from this machine. Verify with the AWS Pricing Calculator before quoting a customer.
 */
export const PRICES = {
  region: 'eu-west-1',
  asOf: '2025-06 (AWS public pricing pages; not re-checked since)',
  /** Fargate, Linux/ARM (Graviton), per vCPU-hour and per GB-hour. */
  fargateArmVcpuHour: 0.03238,
  fargateArmGbHour: 0.00356,
  /** API Gateway REST API requests, per million, tiered by monthly volume. */
  apiGatewayRestPerMillion: [
    { upTo: 333e6, price: 3.5 },
    { upTo: 1e9, price: 3.19 },
    { upTo: 20e9, price: 2.71 },
    { upTo: Infinity, price: 1.72 },
  ] as Tier[],
  /** AWS WAF: per web ACL-month, per rule-month (a managed rule group counts as one), per million requests. */
  wafWebAclMonth: 5,
  wafRuleMonth: 1,
  wafPerMillionRequests: 0.6,
  /** Shield Advanced: per month per organisation (1-year commitment); WAF fees on protected resources included. */
  shieldAdvancedMonth: 3000,
  /** Network Load Balancer: per hour, per NLCU-hour (TCP: 800 new flows/s, or 1 GB/h processed). */
  nlbHour: 0.0252,
  nlcuHour: 0.006,
  /** Application Load Balancer: per hour, per LCU-hour (1 GB/h processed, or 1,000 rule evaluations/s). */
  albHour: 0.0252,
  lcuHour: 0.008,
  /** Interface VPC endpoint, per endpoint per AZ-hour. */
  interfaceEndpointAzHour: 0.011,
  /** CloudWatch Logs: ingestion per GB, storage per GB-month. */
  logsIngestGb: 0.57,
  logsStoreGbMonth: 0.03,
  /** Kinesis Data Firehose ingestion per GB (the cheaper sink for access logs at high volume). */
  firehoseIngestGb: 0.031,
  /** S3 Standard storage per GB-month. */
  s3GbMonth: 0.023,
  /** Data transfer out to the internet, per GB, tiered by monthly volume. */
  transferOutPerGb: [
    { upTo: 10_240, price: 0.09 },
    { upTo: 51_200, price: 0.085 },
    { upTo: 153_600, price: 0.07 },
    { upTo: Infinity, price: 0.05 },
  ] as Tier[],
  kmsKeyMonth: 1,
  alarmMonth: 0.1,
  secretMonth: 0.4,
} as const;

/** Non-price assumptions, each stated in the generated document. */
export const ASSUMPTIONS = {
  hoursPerMonth: 730,
  tiers: [10, 1_000, 100_000],
  /** Monthly saving of the ALB edge over API Gateway above which the design switches edges (serving.md). */
  edgeSwitchPremiumMonth: 1000,
  /** Monthly CloudWatch Logs cost for access logs above which they go through Firehose to S3 instead. */
  cloudwatchLogsBudgetMonth: 100,
  /** Bytes of one API access-log line in the JSON format of infra/lib/serving.ts. */
  accessLogBytes: 350,
  /** Request body of one valuation (nine fields as JSON plus headers). */
  requestBytes: 400,
  /** Used only when the benchmark does not report bytesPerResponse. */
  fallbackResponseBytes: 1_500,
  /** Autoscaling ceiling over the steady-state fleet, for bursts while target tracking catches up. */
  burstFactor: 1.5,
  /** After losing one of the AZs, the survivors must stay at or below this CPU utilisation. */
  maxUtilAfterAzLoss: 0.9,
  /** Interface endpoints in the stack (ECR API, ECR Docker, CloudWatch Logs). */
  interfaceEndpoints: 3,
  alarms: 7,
  /** A pipeline run fits the model this many times (cross-validation folds + the final fit). */
  fitsPerRun: 6,
  /** Task start, image pull, restore and publish of LOUPE_HOME: seconds billed around the fits. */
  runOverheadSeconds: 120,
  /** A retrain must finish within this many hours to fit the weekly approval loop comfortably. */
  retrainWindowHours: 1,
  /** Largest single machine considered for one-box serving/training (c7g.16xlarge / m7g.16xlarge). */
  bigMachineVcpu: 64,
  bigMachineMemoryGb: 256,
  /** Bytes per training row: Loupe's engine (9 float64 columns, 9 bin bytes, float64 gradient+hessian, prediction). */
  loupeEngineBytesPerRow: 9 * 8 + 9 + 16 + 8,
  /** Bytes per training row for XGBoost hist (float32 input, quantised matrix, gradient pair), times 2 for copies. */
  xgboostBytesPerRow: 2 * (9 * 4 + 9 + 8),
};

// ---------------------------------------------------------------------------------------------- formulas

/** Cost of `amount` units under a tiered price list; `unit` divides amount (1e6 for per-million prices). */
export function tiered(amount: number, tiers: readonly Tier[], unit = 1): number {
  let cost = 0;
  let previous = 0;
  for (const t of tiers) {
    if (amount <= previous) break;
    const inTier = Math.min(amount, t.upTo) - previous;
    cost += (inTier / unit) * t.price;
    previous = t.upTo;
  }
  return cost;
}

/**
 * Requests one vCPU serves at saturation, from the benchmark: from the server's CPU time per request when the
 * benchmark reports it, else from its throughput divided by the cores the server had.
 */
export function perVcpu(bench: ApiBench): number {
  if (bench.serverCpuMicrosPerRequest !== undefined) {
    if (!(bench.serverCpuMicrosPerRequest > 0)) throw new Error('api.json: serverCpuMicrosPerRequest must be > 0');
    return 1e6 / bench.serverCpuMicrosPerRequest;
  }
  const cores = bench.serverCores ?? (bench.pinned ? 1 : bench.cores);
  if (!(bench.requestsPerSecond > 0) || !(cores > 0)) throw new Error('api.json needs requestsPerSecond > 0 and cores > 0');
  return bench.requestsPerSecond / cores;
}

export interface Fleet {
  tasks: number;
  maxTasks: number;
  /** Average CPU at the steady load with all tasks up. */
  utilisation: number;
  /** Average CPU after one AZ's tasks are lost. */
  utilisationAfterAzLoss: number;
}

/**
 * Tasks for a steady load: enough to run at the target CPU, at least one per AZ, a multiple of the AZ count
 * (even spread), and enough that losing one AZ keeps the rest under maxUtilAfterAzLoss.
 */
export function sizeFleet(
  load: number,
  perTask: number,
  o: { targetUtil: number; azs: number; minTasks: number; burstFactor: number; maxUtilAfterAzLoss: number },
): Fleet {
  const roundToAzs = (n: number) => Math.ceil(n / o.azs) * o.azs;
  let tasks = roundToAzs(Math.max(o.minTasks, Math.ceil(load / (perTask * o.targetUtil))));
  const afterLoss = (n: number) => load / (perTask * n * (o.azs - 1) / o.azs);
  while (afterLoss(tasks) > o.maxUtilAfterAzLoss) tasks += o.azs;
  return {
    tasks,
    maxTasks: roundToAzs(Math.ceil(tasks * o.burstFactor)),
    utilisation: load / (perTask * tasks),
    utilisationAfterAzLoss: afterLoss(tasks),
  };
}

export interface TierCost {
  load: number;
  requestsPerMonth: number;
  fleet: Fleet;
  compute: number;
  edge: { name: 'API Gateway + WAF + NLB' | 'ALB + WAF' | 'ALB + Shield Advanced (WAF included)'; cost: number };
  alternativeEdge: { name: string; cost: number };
  logs: { sink: 'CloudWatch Logs' | 'Firehose → S3'; cost: number };
  transfer: number;
  fixed: number;
  total: number;
  perMillion: number;
}

type Prices = typeof PRICES;
type Assumptions = typeof ASSUMPTIONS;

export function costTier(
  load: number,
  perTaskRps: number,
  responseBytes: number,
  task: { vcpu: number; memoryGb: number; targetUtil: number; azs: number; minTasks: number; logRetentionDays: number },
  p: Prices = PRICES,
  a: Assumptions = ASSUMPTIONS,
): TierCost {
  const h = a.hoursPerMonth;
  const requestsPerMonth = load * h * 3600;
  const millions = requestsPerMonth / 1e6;
  const fleet = sizeFleet(load, perTaskRps, { ...task, burstFactor: a.burstFactor, maxUtilAfterAzLoss: a.maxUtilAfterAzLoss });
  const compute = fleet.tasks * h * (task.vcpu * p.fargateArmVcpuHour + task.memoryGb * p.fargateArmGbHour);

  const gbPerHour = (load * 3600 * (a.requestBytes + responseBytes)) / 1e9;
  const wafRules = 5;
  const wafFixed = p.wafWebAclMonth + wafRules * p.wafRuleMonth;
  const waf = wafFixed + millions * p.wafPerMillionRequests;
  // API Gateway opens a flow to the NLB per request in the worst case: NLCUs from new flows or bytes.
  const nlb = h * (p.nlbHour + Math.max(load / 800, gbPerHour) * p.nlcuHour);
  const apiGateway = tiered(requestsPerMonth, p.apiGatewayRestPerMillion, 1e6) + waf + nlb;
  // ALB with partner keep-alive connections: LCUs from bytes processed or rule evaluations (one per request).
  const alb = h * (p.albHour + Math.max(gbPerHour, load / 1000) * p.lcuHour);
  const albWaf = { name: 'ALB + WAF' as const, cost: alb + waf };
  const albShield = { name: 'ALB + Shield Advanced (WAF included)' as const, cost: alb + p.shieldAdvancedMonth };
  const albBest = albShield.cost < albWaf.cost ? albShield : albWaf;
  const gw = { name: 'API Gateway + WAF + NLB' as const, cost: apiGateway };
  // API Gateway (managed keys, plans, quotas: what infra/ deploys) until the ALB edge saves more than the
  // monthly premium worth moving throttling and quotas into Loupe and WAF (serving.md).
  const [edge, alternativeEdge] = gw.cost - albBest.cost <= a.edgeSwitchPremiumMonth ? [gw, albBest] : [albBest, gw];

  const logGb = (requestsPerMonth * a.accessLogBytes) / 1e9;
  const retainedMonths = task.logRetentionDays / 30;
  const cloudwatch = logGb * (p.logsIngestGb + retainedMonths * p.logsStoreGbMonth);
  const firehose = logGb * (p.firehoseIngestGb + retainedMonths * p.s3GbMonth);
  // CloudWatch Logs is simpler to run (Logs Insights queries, no extra pipeline) while it stays cheap.
  const logs = cloudwatch <= a.cloudwatchLogsBudgetMonth
    ? { sink: 'CloudWatch Logs' as const, cost: cloudwatch }
    : { sink: 'Firehose → S3' as const, cost: firehose };

  const transfer = tiered((requestsPerMonth * responseBytes) / 1e9, p.transferOutPerGb);
  const fixed =
    a.interfaceEndpoints * task.azs * h * p.interfaceEndpointAzHour + p.kmsKeyMonth + a.alarms * p.alarmMonth;
  const total = compute + edge.cost + logs.cost + transfer + fixed;
  return { load, requestsPerMonth, fleet, compute, edge, alternativeEdge, logs, transfer, fixed, total, perMillion: total / millions };
}

/** One measured pipeline run, priced on the training task (the run's own seconds plus restore/publish). */
export function measuredRun(
  run: { rows: number; seconds: number },
  task: { vcpu: number; memoryGb: number },
  p: Prices = PRICES,
  a: Assumptions = ASSUMPTIONS,
): TrainingCost {
  const seconds = run.seconds + a.runOverheadSeconds;
  const billed = Math.max(60, seconds);
  return { rows: run.rows, seconds, cost: (billed / 3600) * (task.vcpu * p.fargateArmVcpuHour + task.memoryGb * p.fargateArmGbHour) };
}

export interface TrainingCost {
  rows: number;
  seconds: number;
  cost: number;
}

/** One pipeline run on the training task: fits scale linearly with rows (histogram boosting is O(rows·trees)). */
export function trainingRun(
  bench: TrainingBench,
  rows: number,
  task: { vcpu: number; memoryGb: number },
  p: Prices = PRICES,
  a: Assumptions = ASSUMPTIONS,
): TrainingCost {
  const seconds = a.fitsPerRun * bench.fitSeconds * (rows / bench.rows) + a.runOverheadSeconds;
  const billed = Math.max(60, seconds); // Fargate bills per second with a one-minute minimum
  const cost = (billed / 3600) * (task.vcpu * p.fargateArmVcpuHour + task.memoryGb * p.fargateArmGbHour);
  return { rows, seconds, cost };
}

/** Rows one core trains within the retrain window; rows that fit in the big machine's memory. */
export function trainingLimits(bench: TrainingBench, a: Assumptions = ASSUMPTIONS) {
  const secondsPerRowPerRun = (a.fitsPerRun * bench.fitSeconds) / bench.rows;
  return {
    rowsInWindow: Math.floor((a.retrainWindowHours * 3600 - a.runOverheadSeconds) / secondsPerRowPerRun),
    loupeRowsInMemory: Math.floor((a.bigMachineMemoryGb * 1e9) / a.loupeEngineBytesPerRow),
    xgboostRowsInMemory: Math.floor((a.bigMachineMemoryGb * 1e9) / a.xgboostBytesPerRow),
  };
}

// ---------------------------------------------------------------------------------------------- reading

export function readApiBench(path: string): ApiBench {
  if (!existsSync(path)) {
    throw new Error(
      `${path} does not exist yet. Run the API benchmark first (it writes {requestsPerSecond, p99Ms, cores, ` +
        `connections, durationSeconds, explain, date}); capacity numbers come only from that measurement.`,
    );
  }
  const b = JSON.parse(readFileSync(path, 'utf8')) as ApiBench;
  for (const k of ['requestsPerSecond', 'p99Ms', 'cores', 'connections', 'durationSeconds'] as const) {
    if (typeof b[k] !== 'number' || !Number.isFinite(b[k])) throw new Error(`${path}: "${k}" must be a number`);
  }
  if (b.explain !== true) throw new Error(`${path}: the benchmark must be run with explanations on ("explain": true), as partners call it`);
  return b;
}

export function readTrainingBench(path: string): TrainingBench | undefined {
  if (!existsSync(path)) return undefined;
  const b = JSON.parse(readFileSync(path, 'utf8')) as TrainingBench;
  if (!(b.rows > 0) || !(b.fitSeconds > 0)) throw new Error(`${path}: needs "rows" > 0 and "fitSeconds" > 0`);
  return b;
}

export function readPipelineBench(path: string): PipelineBench | undefined {
  if (!existsSync(path)) return undefined;
  const b = JSON.parse(readFileSync(path, 'utf8')) as PipelineBench;
  if (!Array.isArray(b.runs) || b.runs.length === 0 || !b.runs.every((r) => r.rows > 0 && r.seconds > 0)) {
    throw new Error(`${path}: needs "runs": [{"rows" > 0, "seconds" > 0}, …]`);
  }
  return b;
}

// ---------------------------------------------------------------------------------------------- report

const usd = (x: number) =>
  x >= 100 ? `$${Math.round(x).toLocaleString('en-US')}` : `$${x.toFixed(x >= 1 ? 2 : 4)}`;
const num = (x: number) => Math.round(x).toLocaleString('en-US');
const pct = (x: number) => `${(x * 100).toFixed(x < 0.1 ? 1 : 0)} %`;

export function renderCapacity(
  api: ApiBench,
  training: TrainingBench | undefined,
  p: Prices = PRICES,
  a: Assumptions = ASSUMPTIONS,
  pipeline?: PipelineBench,
): string {
  const s = production.serving;
  const task = {
    vcpu: s.taskCpu / 1024,
    memoryGb: s.taskMemoryMiB / 1024,
    targetUtil: s.targetCpuPercent / 100,
    azs: production.availabilityZones.length,
    minTasks: s.minTasks,
    logRetentionDays: production.requestLogRetentionDays,
  };
  const vcpuRps = perVcpu(api);
  const perTask = vcpuRps * task.vcpu;
  const responseBytes = api.bytesPerResponse ?? a.fallbackResponseBytes;
  const tiers = a.tiers.map((load) => costTier(load, perTask, responseBytes, task, p, a));
  const oneMachine = vcpuRps * a.bigMachineVcpu * task.targetUtil;

  const L: string[] = [];
  L.push('# Capacity and cost (generated)', '');
  L.push('Generated by `npm run capacity` (scripts/capacity.ts). Do not edit by hand: every throughput number here is');
  L.push('computed from the measurement below; every price is a stated list-price assumption.', '');
  L.push('## The measurement', '');
  L.push('| field | value |', '| --- | --- |');
  L.push(`| source | \`bench/results/api.json\`, dated ${api.date} |`);
  L.push(`| requests/s (explain on: ${api.explain}) | ${num(api.requestsPerSecond)} |`);
  L.push(`| p99 latency | ${api.p99Ms} ms |`);
  L.push(`| machine | ${api.cores} cores${api.pinned ? ', server pinned to one' : ''}${api.loadAverageAtStart !== undefined ? `, load average ${api.loadAverageAtStart} at start` : ''} |`);
  L.push(`| connections × duration | ${api.connections} × ${api.durationSeconds} s |`);
  if (api.modelKind) L.push(`| model served | ${api.modelKind}${api.modelVersion ? ` ${api.modelVersion}` : ''} |`);
  L.push(`| **valuations/s per vCPU** | **${num(vcpuRps)}** (${perVcpuBasis(api)}) |`);
  L.push(`| response size | ${num(responseBytes)} B${api.bytesPerResponse ? ' (measured)' : ' (assumed: the benchmark did not report it)'} |`, '');
  L.push(`A serving task is ${task.vcpu} vCPU / ${task.memoryGb} GB (Fargate, ARM), one Node process; autoscaling targets`);
  L.push(`${pct(task.targetUtil)} CPU so that losing one of ${task.azs} Availability Zones leaves the survivors at most`);
  L.push(`${pct(a.maxUtilAfterAzLoss)}; the fleet is a multiple of ${task.azs} and never below ${task.minTasks}.`, '');

  L.push('## Serving fleet and monthly cost', '');
  L.push(`Monthly = ${a.hoursPerMonth} hours at the tier's rate around the clock (an upper bound: real traffic has quiet hours).`, '');
  L.push('| | ' + tiers.map((t) => `${num(t.load)} valuations/s`).join(' | ') + ' |');
  L.push('| --- |' + tiers.map(() => ' ---: |').join(''));
  const row = (label: string, f: (t: TierCost) => string) => L.push(`| ${label} | ${tiers.map(f).join(' | ')} |`);
  row('valuations / month', (t) => num(t.requestsPerMonth));
  row('tasks (steady)', (t) => num(t.fleet.tasks));
  row('autoscaling max', (t) => num(t.fleet.maxTasks));
  row('CPU, all AZs up', (t) => pct(t.fleet.utilisation));
  row('CPU, one AZ lost', (t) => pct(t.fleet.utilisationAfterAzLoss));
  row('compute (Fargate)', (t) => usd(t.compute));
  row('edge (chosen)', (t) => `${usd(t.edge.cost)} — ${t.edge.name}`);
  row('edge (the other)', (t) => `${usd(t.alternativeEdge.cost)} — ${t.alternativeEdge.name}`);
  row('access logs', (t) => `${usd(t.logs.cost)} — ${t.logs.sink}`);
  row('data transfer out', (t) => usd(t.transfer));
  row('fixed (endpoints, key, alarms)', (t) => usd(t.fixed));
  row('**total / month**', (t) => `**${usd(t.total)}**`);
  row('**per million valuations**', (t) => `**${usd(t.perMillion)}**`);
  L.push('', `The edge is API Gateway (what \`infra/\` deploys: managed keys, usage plans, quotas) until the ALB edge would`);
  L.push(`save more than $${num(a.edgeSwitchPremiumMonth)} a month; past that, the ALB edge of serving.md ("When API Gateway gets too`);
  L.push('expensive"). At volume the bill is per-request and per-byte charges (edge, logs, data transfer), not compute.');
  L.push('', 'Not included: partner secrets ($0.40 each per month), Container Insights metrics, S3 storage of the registry');
  L.push('(megabytes), support plans, taxes, savings plans (a 1-year Compute Savings Plan lowers Fargate by roughly a fifth).', '');

  L.push('## Where one machine stops being enough', '');
  L.push(`**Serving.** One \`loupe serve\` process answers HTTP on one thread and values on others (\`LOUPE_VALUATION_THREADS\`); the`);
  L.push('measured CPU per request covers all of them, so throughput scales with vCPUs whatever the split into processes:');
  L.push(`a ${a.bigMachineVcpu}-vCPU machine serves about ${num(oneMachine)} valuations/s at the ${pct(task.targetUtil)} target (${num(vcpuRps)} × ${a.bigMachineVcpu} × ${task.targetUtil}).`);
  const firstOver = tiers.find((t) => t.load > oneMachine);
  L.push(
    firstOver
      ? `The ${num(firstOver.load)}/s tier is past that line: it needs a fleet for throughput, not only for availability.`
      : 'Every tier here fits one such machine for throughput; the fleet exists for availability (one AZ can fail).',
  );
  L.push('Loupe runs at least three tasks in any case, one per Availability Zone.', '');
  if (training) {
    const t = { vcpu: production.training.taskCpu / 1024, memoryGb: production.training.taskMemoryMiB / 1024 };
    const lim = trainingLimits(training, a);
    L.push(`**Training.** Measured: one fit on ${num(training.rows)} rows takes ${training.fitSeconds.toFixed(3)} s on one core` +
      `${training.trees ? ` (${training.trees} trees)` : ''}${training.date ? `, ${training.date}` : ''} (\`bench/results/training.json\`).`);
    L.push(`A run fits ${a.fitsPerRun} times. Loupe's engine is single-threaded, so one core must finish a run within`);
    L.push(`${a.retrainWindowHours} h: that holds up to about **${num(lim.rowsInWindow)} rows** (time, linear extrapolation).`);
    L.push(`Memory is not the limit first: ${a.loupeEngineBytesPerRow} B/row puts ${num(lim.loupeRowsInMemory)} rows in ${a.bigMachineMemoryGb} GB.`);
    L.push(`Past ${num(lim.rowsInWindow)} rows the pipeline's train step hands over to XGBoost (\`hist\`, multi-threaded)`);
    L.push(`on one ${a.bigMachineVcpu}-vCPU machine, which holds about ${num(lim.xgboostRowsInMemory)} rows in memory`);
    L.push(`(${a.xgboostBytesPerRow} B/row); past that, SageMaker's distributed XGBoost (several instances, data sharded by S3 key)`);
    L.push('takes over. Loupe keeps serving: it loads the XGBoost JSON model those engines write.', '');
    L.push('## Training run time and cost by data size (extrapolated from one fit)', '');
    L.push(`Pipeline task: ${t.vcpu} vCPU / ${t.memoryGb} GB Fargate ARM; ${a.runOverheadSeconds} s of start, restore and publish per run.`, '');
    L.push('| rows | run time | cost of one run |', '| ---: | ---: | ---: |');
    for (const rows of [training.rows, training.rows * 10, training.rows * 100, lim.rowsInWindow]) {
      const r = trainingRun(training, rows, t, p, a);
      L.push(`| ${num(rows)}${rows === training.rows ? ' (measured)' : ' (extrapolated)'} | ${(r.seconds / 60).toFixed(1)} min | ${usd(r.cost)} |`);
    }
    L.push('');
  } else {
    L.push('**Training.** No training benchmark result yet (`bench/results/training.json` with `{rows, fitSeconds}`),');
    L.push('so the one-machine line for training is not computed. Run the training benchmark, then `npm run capacity`.', '');
  }
  if (pipeline) {
    const t = { vcpu: production.training.taskCpu / 1024, memoryGb: production.training.taskMemoryMiB / 1024 };
    const largest = pipeline.runs.reduce((m, r) => (r.rows > m.rows ? r : m));
    const r = measuredRun(largest, t, p, a);
    L.push('## One training run, measured', '');
    L.push(`\`bench/results/pipeline.json\`${pipeline.date ? ` (${pipeline.date})` : ''}: the largest measured \`loupe pipeline run\``);
    L.push(`trained on ${num(largest.rows)} rows in ${largest.seconds.toFixed(1)} s${largest.batch ? ` (${largest.batch})` : ''}. With ${a.runOverheadSeconds} s of`);
    L.push(`start, restore and publish on the ${t.vcpu} vCPU / ${t.memoryGb} GB task: **${usd(r.cost)} per run**`);
    L.push(`(${(r.seconds / 60).toFixed(1)} min billed; weekly plus one per landed file: a few runs a month).`, '');
  }

  L.push('## Prices used (assumptions)', '');
  L.push(`AWS list prices, ${p.region}, USD, on-demand, as of ${p.asOf}. Verify before quoting.`, '');
  L.push('| item | price |', '| --- | ---: |');
  L.push(`| Fargate ARM vCPU-hour / GB-hour | $${p.fargateArmVcpuHour} / $${p.fargateArmGbHour} |`);
  L.push(`| API Gateway REST per million (tiers ≤333M, ≤1B, ≤20B, more) | ${p.apiGatewayRestPerMillion.map((t) => '$' + t.price).join(', ')} |`);
  L.push(`| WAF web ACL-month, rule-month, per million requests | $${p.wafWebAclMonth}, $${p.wafRuleMonth}, $${p.wafPerMillionRequests} |`);
  L.push(`| Shield Advanced per month | $${p.shieldAdvancedMonth} |`);
  L.push(`| NLB hour, NLCU-hour | $${p.nlbHour}, $${p.nlcuHour} |`);
  L.push(`| ALB hour, LCU-hour | $${p.albHour}, $${p.lcuHour} |`);
  L.push(`| interface endpoint AZ-hour | $${p.interfaceEndpointAzHour} |`);
  L.push(`| CloudWatch Logs ingest GB, stored GB-month | $${p.logsIngestGb}, $${p.logsStoreGbMonth} |`);
  L.push(`| Firehose ingest GB, S3 GB-month | $${p.firehoseIngestGb}, $${p.s3GbMonth} |`);
  L.push(`| transfer out per GB (tiers ≤10 TB, ≤50 TB, ≤150 TB, more) | ${p.transferOutPerGb.map((t) => '$' + t.price).join(', ')} |`);
  L.push(`| KMS key-month, alarm-month, secret-month | $${p.kmsKeyMonth}, $${p.alarmMonth}, $${p.secretMonth} |`, '');
  L.push('## Other assumptions', '');
  L.push('| assumption | value |', '| --- | ---: |');
  for (const [k, v] of Object.entries(a)) L.push(`| ${k} | ${Array.isArray(v) ? v.join(', ') : v} |`);
  L.push('');
  return L.join('\n');
}

function main(): void {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  try {
    const api = readApiBench(resolve(root, 'bench/results/api.json'));
    const trainingPath = resolve(root, 'bench/results/training.json');
    const training = readTrainingBench(trainingPath);
    if (!training) console.warn(`capacity: ${trainingPath} not found; the training line is not computed.`);
    const pipelinePath = resolve(root, 'bench/results/pipeline.json');
    const pipeline = readPipelineBench(pipelinePath);
    if (!pipeline) console.warn(`capacity: ${pipelinePath} not found; no measured pipeline run is priced.`);
    const out = resolve(root, 'docs/cloud/capacity.md');
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, renderCapacity(api, training, PRICES, ASSUMPTIONS, pipeline));
    console.log(`capacity: wrote ${out}: ${Math.round(perVcpu(api))} valuations/s per vCPU (${perVcpuBasis(api)}), measured ${api.date}`);
  } catch (e) {
    console.error(`capacity: ${(e as Error).message}`);
    process.exitCode = 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) main();
