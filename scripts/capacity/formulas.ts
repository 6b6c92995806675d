/**
 * The sizing and pricing arithmetic: tiered prices, throughput per vCPU, fleet size, the monthly cost of a
 * load tier and of a training run. Pure functions of explicit inputs (test/cloud/capacity.test.ts).
 */
import type { ApiBench, TrainingBench } from './inputs.js';
import { ASSUMPTIONS, PRICES, type Assumptions, type Prices, type Tier } from './prices.js';

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
  if (!(bench.requestsPerSecond > 0) || !(cores !== undefined && cores > 0))
    throw new Error('api.json needs requestsPerSecond > 0 and cores > 0');
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
  const afterLoss = (n: number) => load / ((perTask * n * (o.azs - 1)) / o.azs);
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
  /** HTTP API with a Lambda authorizer: cheapest per request, but no WAF and no usage plans (serving.md). */
  httpApiEdge: { name: 'HTTP API + authorizer + NLB'; cost: number };
  /**
   * The edge request log. API Gateway: CloudWatch Logs (metric filters, recent queries) and its archive through
   * Firehose to S3 (what infra/ deploys). ALB: the load balancer writes access logs to S3 itself.
   */
  logs: { sink: 'CloudWatch Logs + Firehose → S3' | 'ALB access logs → S3'; cost: number };
  transfer: number;
  /** The shared PostgreSQL database: one Multi-AZ instance, RDS Proxy, storage for the quotes kept (state.md). */
  database: number;
  quotes: QuoteStore;
  fixed: number;
  total: number;
  perMillion: number;
}

/** Stored quotes at a load: how much is kept, and what holding them costs in PostgreSQL and in DynamoDB. */
export interface QuoteStore {
  bytesPerQuote: number;
  /** Quotes kept at once: retention days of valuations. */
  storedGb: number;
  /** The database's storage: the stated base (registry, keys, appraisals, bounded request log) plus the quotes. */
  postgresStorageGb: number;
  /** Whether that storage fits one RDS instance. */
  fitsOneInstance: boolean;
  /** Multi-AZ gp3 storage for it (two copies), beyond nothing else: the instance is priced once, in `database`. */
  postgresStorageCost: number;
  dynamo: { writes: number; reads: number; storage: number; total: number };
}

export function quoteStore(
  load: number,
  responseBytes: number,
  retentionDays: number,
  p: Prices = PRICES,
  a: Assumptions = ASSUMPTIONS,
): QuoteStore {
  const bytesPerQuote = a.requestBytes + responseBytes + a.quoteOverheadBytes;
  const quotesPerMonth = load * a.hoursPerMonth * 3600;
  const storedGb = (load * 86_400 * retentionDays * bytesPerQuote) / 1e9;
  const postgresStorageGb = a.databaseStorageGb + storedGb;
  // DynamoDB: a write costs one unit per KB of item, a strongly consistent read one per 4 KB; TTL deletes are free.
  const writes = ((quotesPerMonth * Math.ceil(bytesPerQuote / 1024)) / 1e6) * p.dynamoWritePerMillion;
  const reads =
    ((quotesPerMonth * a.quoteReadsPerQuote * Math.ceil(bytesPerQuote / 4096)) / 1e6) * p.dynamoReadPerMillion;
  const storage = storedGb * p.dynamoGbMonth;
  return {
    bytesPerQuote,
    storedGb,
    postgresStorageGb,
    fitsOneInstance: postgresStorageGb <= p.rdsMaxStorageGb,
    postgresStorageCost: 2 * postgresStorageGb * p.rdsGp3GbMonth,
    dynamo: { writes, reads, storage, total: writes + reads + storage },
  };
}

export interface TaskShape {
  vcpu: number;
  memoryGb: number;
  targetUtil: number;
  azs: number;
  minTasks: number;
  /** Days CloudWatch keeps the edge request log. */
  logRetentionDays: number;
  /** Days S3 keeps its archive. */
  archiveDays: number;
  /** Days a stored quote is kept. */
  quoteRetentionDays: number;
}

export function costTier(
  load: number,
  perTaskRps: number,
  responseBytes: number,
  task: TaskShape,
  p: Prices = PRICES,
  a: Assumptions = ASSUMPTIONS,
): TierCost {
  const h = a.hoursPerMonth;
  const requestsPerMonth = load * h * 3600;
  const millions = requestsPerMonth / 1e6;
  const fleet = sizeFleet(load, perTaskRps, {
    ...task,
    burstFactor: a.burstFactor,
    maxUtilAfterAzLoss: a.maxUtilAfterAzLoss,
  });
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
  const transferGb = (requestsPerMonth * responseBytes) / 1e9;
  const albShield = {
    name: 'ALB + Shield Advanced (WAF included)' as const,
    cost: alb + p.shieldAdvancedMonth + transferGb * p.shieldAdvancedElbTransferGb,
  };
  const albBest = albShield.cost < albWaf.cost ? albShield : albWaf;
  const gw = { name: 'API Gateway + WAF + NLB' as const, cost: apiGateway };
  // API Gateway (managed keys, plans, quotas: what infra/ deploys) until the ALB edge saves more than the
  // monthly premium worth moving throttling and quotas into Loupe and WAF (serving.md).
  const [edge, alternativeEdge] = gw.cost - albBest.cost <= a.edgeSwitchPremiumMonth ? [gw, albBest] : [albBest, gw];
  // The authorizer's answers are cached per key for five minutes: its invocations do not grow with traffic.
  const httpApiEdge = {
    name: 'HTTP API + authorizer + NLB' as const,
    cost: tiered(requestsPerMonth, p.httpApiPerMillion, 1e6) + nlb,
  };

  const logs = requestLogCost(requestsPerMonth, edge.name.startsWith('API Gateway'), task, p, a);

  const transfer = tiered(transferGb, p.transferOutPerGb);
  const fixed =
    a.interfaceEndpoints * task.azs * h * p.interfaceEndpointAzHour +
    p.kmsKeyMonth +
    a.alarmMetrics * p.alarmMonth +
    p.secretMonth; // the database credentials
  const quotes = quoteStore(load, responseBytes, task.quoteRetentionDays, p, a);
  const proxy = h * Math.max(p.rdsProxyMinVcpu, p.rdsInstanceVcpu) * p.rdsProxyVcpuHour;
  const database = h * p.rdsPostgresMultiAzHour + proxy + quotes.postgresStorageCost;
  const total = compute + edge.cost + logs.cost + transfer + database + fixed;
  return {
    load,
    requestsPerMonth,
    fleet,
    compute,
    edge,
    alternativeEdge,
    httpApiEdge,
    logs,
    transfer,
    database,
    quotes,
    fixed,
    total,
    perMillion: total / millions,
  };
}

/**
 * The edge request log for a month. API Gateway: CloudWatch Logs ingests every line and keeps it
 * `logRetentionDays`; its subscription hands the same bytes to Firehose in batches (so no line pays a 5 KB record
 * of its own; billed here on the uncompressed bytes, an upper bound since the batches arrive gzip'd) and S3 keeps
 * them `archiveDays` (uncompressed size: an upper bound too). ALB: access logs go to S3 with no ingestion charge.
 */
export function requestLogCost(
  requestsPerMonth: number,
  apiGateway: boolean,
  task: Pick<TaskShape, 'logRetentionDays' | 'archiveDays'>,
  p: Prices = PRICES,
  a: Assumptions = ASSUMPTIONS,
): TierCost['logs'] {
  const logGb = (requestsPerMonth * a.accessLogBytes) / 1e9;
  const archive = logGb * (task.archiveDays / 30) * p.s3GbMonth;
  if (!apiGateway) return { sink: 'ALB access logs → S3', cost: archive };
  const cloudwatch = logGb * (p.logsIngestGb + (task.logRetentionDays / 30) * p.logsStoreGbMonth);
  return { sink: 'CloudWatch Logs + Firehose → S3', cost: cloudwatch + logGb * p.firehoseIngestGb + archive };
}

/**
 * The steady load (valuations/s) above which the ALB edge saves more than the switch premium a month over
 * API Gateway: the edge rule's break-even, found by bisection (the saving grows with load).
 */
export function edgeBreakEven(
  perTaskRps: number,
  responseBytes: number,
  task: Parameters<typeof costTier>[3],
  p: Prices = PRICES,
  a: Assumptions = ASSUMPTIONS,
): number {
  const switches = (load: number) =>
    !costTier(load, perTaskRps, responseBytes, task, p, a).edge.name.startsWith('API Gateway');
  let low = 1;
  let high = 1e6;
  if (switches(low)) return low;
  while (high - low > 1) {
    const mid = Math.floor((low + high) / 2);
    if (switches(mid)) high = mid;
    else low = mid;
  }
  return high;
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
  return {
    rows: run.rows,
    seconds,
    cost: (billed / 3600) * (task.vcpu * p.fargateArmVcpuHour + task.memoryGb * p.fargateArmGbHour),
  };
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
