/**
 * Everything about Loupe's AWS deployment that an operator chooses, in one typed object.
 * The stack reads only this; tests build it with explicit values so every property they assert is deliberate.
 */

/**
 * A usage tier: one shared API Gateway usage plan. Partners are data, not infrastructure: the partner-keys
 * function creates a partner's key and adds it to a tier's plan, so onboarding adds no CloudFormation resource.
 */
export interface UsageTier {
  /** Lower-case name used in the plan name `loupe-<name>` and by the partner-keys function. */
  name: string;
  /** Steady-state requests per second API Gateway lets each key of this tier make (best-effort, not billing). */
  ratePerSecond: number;
  /** Short bursts above the rate (token-bucket size). */
  burst: number;
  /** Requests per calendar month per key before API Gateway answers 429. */
  monthlyQuota: number;
}

export interface ServingSettings {
  /**
   * Fargate task size. One `loupe serve` process answers HTTP on one thread and values on worker threads
   * (LOUPE_VALUATION_THREADS); capacity.md sizes tasks from the measured CPU per request, whatever the split.
   */
  taskCpu: number;
  taskMemoryMiB: number;
  /** Autoscaling floor: at least one task per Availability Zone so one AZ can fail. */
  minTasks: number;
  /** Autoscaling ceiling: the fleet size for the tier's peak from docs/cloud/capacity.md, plus headroom. */
  maxTasks: number;
  /** Target-tracking set point for average CPU; below 100 % so a scale-out has time to land. */
  targetCpuPercent: number;
  /**
   * The approved model bundle this task-definition revision serves (`serving/<bundleId>/manifest.json`). A release
   * is a new revision with a new id; rollback is the previous revision. Never read from a mutable pointer.
   */
  bundleId: string;
  /**
   * The steady valuations/s this deployment is planned for. The edge follows capacity.md's rule: API Gateway
   * below the break-even load, the ALB edge above (test/cloud/capacity.test.ts checks the two agree).
   */
  plannedLoadPerSecond: number;
  /** Minutes a new revision must stay healthy, alarms quiet, before the old tasks go (ECS deployment bake time). */
  bakeMinutes: number;
}

export interface TrainingSettings {
  taskCpu: number;
  taskMemoryMiB: number;
  /** EventBridge cron for the scheduled retrain, in UTC. */
  scheduleCron: { minute: string; hour: string; weekDay: string };
  /** How long a release waits for a human approval before it is abandoned (training is never blocked by it). */
  approvalTimeoutHours: number;
  /** Minutes a landing waits before the run takes the lock, so a multi-file upload lands whole (debounce). */
  debounceMinutes: number;
}

export interface SloSettings {
  /** p99 latency at the API edge that, if exceeded for 10 of 15 minutes, pages. */
  p99LatencyMs: number;
  /** Share of 5xx answers (0..1) that pages. */
  serverErrorRate: number;
  /** Largest population-stability index over the nine inputs and the price before a drift alert is raised. */
  driftPsi: number;
  /** Champion's MAPE on fresh appraisals divided by its MAPE on the reference test rows that raises an alert. */
  freshErrorRatio: number;
  /** 429 answers in five minutes (over all partners) that raise an alert. */
  throttledPerFiveMinutes: number;
  /** Requests WAF blocks in five minutes that raise an alert. */
  wafBlocksPerFiveMinutes: number;
}

/**
 * The shared PostgreSQL database (docs/cloud/state.md): RDS for PostgreSQL, Multi-AZ, behind RDS Proxy. Its size
 * and storage are the ones capacity.md prices (scripts/capacity/prices.ts; test/cloud/capacity.test.ts holds them
 * together).
 */
export interface DatabaseSettings {
  /** Instance class without the `db.` prefix, e.g. `t4g.medium`. */
  instanceType: string;
  /** Allocated gp3 storage, GB; storage autoscaling may grow it up to maxStorageGb. */
  storageGb: number;
  maxStorageGb: number;
  /** Days of automated backups (point-in-time restore window); 35 is RDS's maximum. */
  backupDays: number;
  /**
   * Whether `loupe serve` and `loupe pipeline run` use this database (LOUPE_DATABASE_URL through the proxy) instead
   * of the SQLite file in the bundle. Needs the pipeline on PostgreSQL (issue 20); until then the database exists,
   * reachable, so the home can be copied into it (`loupe db copy`) before the switch.
   */
  tasksConnect: boolean;
  /** Days a stored valuation (a quote) is kept: LOUPE_VALUATION_RETENTION_DAYS of the serving tasks. */
  quoteRetentionDays: number;
}

export interface LoupeSettings {
  /** The one region Loupe runs in (see docs/cloud/README.md for why eu-west-1). */
  region: string;
  account: string;
  availabilityZones: string[];
  /** The Loupe image tag in the stack's ECR repository (immutable tags: one per commit). */
  imageTag: string;
  /** The AWS CLI image tag used by the registry sync containers (pulled through the ECR Public cache). */
  awsCliTag: string;
  /** Email that receives approval requests and alarms. */
  operatorEmail: string;
  serving: ServingSettings;
  training: TrainingSettings;
  slo: SloSettings;
  /** Shared usage plans; a partner's key joins one of them through the partner-keys function. */
  tiers: UsageTier[];
  /** Days API access logs (the request log at the edge) are kept before CloudWatch deletes them. */
  requestLogRetentionDays: number;
  /** Days application and pipeline logs are kept. */
  appLogRetentionDays: number;
  database: DatabaseSettings;
  /**
   * Days the edge request log is kept in S3 (Firehose archive, queried with Athena) before it is deleted; the
   * CloudWatch copy (requestLogRetentionDays) feeds the metric filters and recent queries only.
   */
  requestArchiveDays: number;
}
