/**
 * Everything about Loupe's AWS deployment that an operator chooses, in one typed object.
 * The stack reads only this; tests build it with explicit values so every property they assert is deliberate.
 */

/** A partner business that buys valuations through the API: one key, one usage plan. */
export interface Partner {
  /** Lower-case id used in resource names and the secret path `loupe/partners/<id>`. */
  id: string;
  /** Steady-state requests per second API Gateway lets this partner make. */
  ratePerSecond: number;
  /** Short bursts above the rate (token-bucket size). */
  burst: number;
  /** Requests per calendar month before API Gateway answers 429. */
  monthlyQuota: number;
  /**
   * Whether the partner's Loupe key (from `loupe keys create`) has been stored in the secret
   * `loupe/partners/<id>`. Onboarding deploys once with false (creates the encrypted secret), stores the key,
   * then deploys with true (creates the API Gateway key from the secret and the usage plan).
   */
  keyIssued: boolean;
}

export interface ServingSettings {
  /** Fargate task size: 1 vCPU runs one Node process, which is single-threaded, so one task = one vCPU. */
  taskCpu: number;
  taskMemoryMiB: number;
  /** Autoscaling floor: at least one task per Availability Zone so one AZ can fail. */
  minTasks: number;
  /** Autoscaling ceiling: the fleet size for the tier's peak from docs/cloud/capacity.md, plus headroom. */
  maxTasks: number;
  /** Target-tracking set point for average CPU; below 100 % so a scale-out has time to land. */
  targetCpuPercent: number;
}

export interface TrainingSettings {
  taskCpu: number;
  taskMemoryMiB: number;
  /** EventBridge cron for the scheduled retrain, in UTC. */
  scheduleCron: { minute: string; hour: string; weekDay: string };
  /** How long the human approval waits before the run is abandoned (the serving model stays as it is). */
  approvalTimeoutHours: number;
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
  partners: Partner[];
  /** Days API access logs (the request log at the edge) are kept before CloudWatch deletes them. */
  requestLogRetentionDays: number;
  /** Days application and pipeline logs are kept. */
  appLogRetentionDays: number;
}
