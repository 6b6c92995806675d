/**
 * The dated AWS list prices and the stated non-price assumptions `npm run capacity` prices with. Nothing is
 * fetched: each price is typed in with the date it was read, and the generated document prints them all.
 */

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
  asOf: '2025-06 (AWS public pricing pages) unless the line names another source and date',
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
  /**
   * API Gateway HTTP API requests, per million: us-east-1 list prices from AWS's whitepaper "Best Practices for
   * Designing Amazon API Gateway Private APIs and Private Integration" (cost table), re-read 2026-12-04;
   * eu-west-1 was not re-read, so this is a lower bound there.
   */
  httpApiPerMillion: [
    { upTo: 300e6, price: 1.0 },
    { upTo: Infinity, price: 0.9 },
  ] as Tier[],
  /** AWS WAF: per web ACL-month, per rule-month (a managed rule group counts as one), per million requests. */
  wafWebAclMonth: 5,
  wafRuleMonth: 1,
  wafPerMillionRequests: 0.6,
  /**
   * Shield Advanced: per month per organisation, on a 12-month commitment ($36,000 a year whatever the traffic);
   * WAF fees on protected resources included; plus a data-transfer-out fee per GB from a protected load balancer.
   */
  shieldAdvancedMonth: 3000,
  shieldAdvancedCommitmentMonths: 12,
  shieldAdvancedElbTransferGb: 0.05,
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
  /** Amazon Data Firehose Direct PUT ingestion per GB: the request-log archive (CloudWatch Logs → Firehose → S3). */
  firehoseIngestGb: 0.031,
  /**
   * Firehose bills each Direct PUT record as a whole number of 5 KB blocks: a 350-byte line sent alone costs 5 KB.
   * CloudWatch Logs' subscription sends batches of lines per record, which is why infra/ feeds Firehose that way.
   */
  firehoseRecordBlockBytes: 5 * 1024,
  /** S3 Standard storage per GB-month. */
  s3GbMonth: 0.023,
  /** Data transfer out to the internet, per GB, tiered by monthly volume. */
  transferOutPerGb: [
    { upTo: 10_240, price: 0.09 },
    { upTo: 51_200, price: 0.085 },
    { upTo: 153_600, price: 0.07 },
    { upTo: Infinity, price: 0.05 },
  ] as Tier[],
  /**
   * RDS for PostgreSQL, Multi-AZ db.t4g.medium (2 vCPU, 4 GiB), per hour, and gp3 storage per GB-month (billed
   * for both copies in Multi-AZ): us-east-1 list prices from third-party summaries of the AWS pricing pages dated
   * May–June 2026, read 2026-12-04; eu-west-1 was not re-read, so a lower bound there (docs/cloud/state.md).
   */
  rdsPostgresMultiAzHour: 0.13,
  rdsGp3GbMonth: 0.115,
  /** vCPUs of that instance class (RDS Proxy bills per vCPU of the database behind it, at least 2). */
  rdsInstanceVcpu: 2,
  /** RDS Proxy per vCPU-hour of the provisioned instance behind it, minimum 2 vCPUs (us-east-1; PRICE_SOURCES). */
  rdsProxyVcpuHour: 0.015,
  rdsProxyMinVcpu: 2,
  /** Largest storage of one RDS for PostgreSQL instance, GiB (64 TiB; PRICE_SOURCES). */
  rdsMaxStorageGb: 65_536,
  /** DynamoDB on-demand, Standard table class: per million write / read request units, per GB-month stored. */
  dynamoWritePerMillion: 0.625,
  dynamoReadPerMillion: 0.125,
  dynamoGbMonth: 0.25,
  kmsKeyMonth: 1,
  /** Standard-resolution alarm, per alarm metric: an alarm on metric math pays for every metric in it. */
  alarmMonth: 0.1,
  secretMonth: 0.4,
} as const;

/**
 * Where each price line comes from and when it was read, printed beside it in capacity.md. "Stored copy" means a
 * stored public web page read through this project's search tool (no internet here), not the live AWS page.
 */
export const PRICE_SOURCES = {
  fargate:
    'typed in 2025-06 for eu-west-1; re-checked 2026-12-05 only against a stored copy of vantage.sh/blog/fargate-pricing ' +
    '(undated), which lists the same $0.03238 / $0.00356 for Linux/ARM in us-east-1; eu-west-1 not re-read',
  restApi:
    'typed in 2025-06 for eu-west-1; the first tier ($3.50) matches the cost table of the stored AWS whitepaper on API ' +
    'Gateway private integrations (docs.aws.amazon.com/whitepapers, read 2026-12-05), whose lower us-east-1 tiers are ' +
    '$2.80, $2.38, $1.51; the higher eu-west-1 tiers are kept (they cost more) and were not re-read',
  waf:
    'stored copies of awsnegotiations.com/waf-pricing-strategy.html ("2026") and c3x.dev/blog/aws-waf-cost-explained ' +
    '(undated), read 2026-12-05; the AWS networking blog "Cost-effective ways for securing your web applications using ' +
    'AWS WAF" states WAF prices are the same in every region',
  httpApi: 'AWS whitepaper on API Gateway private integrations (cost table), us-east-1, re-read 2026-12-04',
  shield:
    'monthly fee and 1-year subscription: stored copies of awsnegotiations.com and TechTarget summaries, read ' +
    '2026-12-05; data-transfer fee: TechTarget gives $25–50 per TB in the first 100 TB by resource type, so ' +
    '$0.05/GB is its upper end',
  nlb: 'typed in 2025-06 for eu-west-1; no stored page with the eu-west-1 NLB price was found on 2026-12-05',
  alb:
    'typed in 2025-06 for eu-west-1; a stored calculator page (cal53.calculator.city/aws-alb-cost-calculator, ' +
    'undated, third party) lists $0.0252/h for Europe (Ireland); the LCU-hour price was not re-read',
  endpoint:
    'typed in 2025-06 for eu-west-1; the stored copy of aws.amazon.com/privatelink/pricing (undated) confirms it is ' +
    'billed per endpoint per AZ-hour but its excerpt carries no hourly figure',
  rds:
    'us-east-1, third-party summaries of the AWS pricing page dated May–June 2026, read 2026-12-04 (a stored copy ' +
    'of infratally.com, re-read 2026-12-05, lists $0.130/h for Multi-AZ db.t4g.medium)',
  rdsProxy:
    'us-east-1, PostgreSQL: $0.015 per vCPU-hour (SKU AHVT2C6WP2BB5BXQ, "USE1-RDS:ProxyUsage") and "Minimum Charge: ' +
    '2 vCPUs", as quoted from aws.amazon.com/rds/proxy/pricing and the AWS price list (retrieved 2026-08-17) in a ' +
    'stored public repository document, read 2026-12-05 (not the live page); eu-west-1 not re-read',
  rdsMaxStorage:
    '"a primary storage volume with a maximum capacity of 64 TiB": stored copy of docs.aws.amazon.com/AmazonRDS/' +
    'latest/UserGuide/USER_PIOPS.ModifyingExisting.html (undated), read 2026-12-05',
  firehose:
    '5 KB rounding per Direct PUT record: stored copy of aws.amazon.com/de/kinesis/data-firehose/pricing (undated), ' +
    'read 2026-12-05; the per-GB price is the 2025-06 eu-west-1 figure',
  dynamo:
    "us-east-1 on-demand after the November 2024 cut: stored copy of Airbyte's DynamoDB pricing guide (2025-07-21), " +
    'read 2026-12-05; storage "from $0.25 per GB-month" after 25 GB free: stored copy of aws.amazon.com/dynamodb/' +
    'pricing (undated), read 2026-12-05',
  logs:
    'typed in 2025-06 for eu-west-1 ($0.57 ingest); a stored copy of c3x.dev/blog/cloudwatch-logs-cost-optimization ' +
    'gives $0.50 ingest and $0.03 storage for us-east-1 "June 2026", read 2026-12-05; eu-west-1 not re-read',
  s3: 'typed in 2025-06 for eu-west-1; no stored page with the eu-west-1 S3 Standard price was found on 2026-12-05',
  transfer:
    'typed in 2025-06 for eu-west-1; a stored copy of awsforengineers.com (2025-05-19) gives $0.09/GB for the first ' +
    'tier; the other tiers were not re-read',
  kmsSecret:
    '$1 per KMS key-month: stored copy of aws.amazon.com/kms/pricing (undated); $0.40 per secret-month: stored copy ' +
    'of hivebook.wiki on Secrets Manager (undated, third party); both read 2026-12-05',
  alarms:
    "$0.10 per standard-resolution alarm-month: stored copy of c3x.dev's CloudWatch alarm page, read 2026-12-05; " +
    "that an alarm on metric math bills every metric it reads is the issue's reading of the AWS page, not re-read here",
} as const;

/** Non-price assumptions, each stated in the generated document. */
export const ASSUMPTIONS = {
  hoursPerMonth: 730,
  tiers: [10, 1_000, 100_000],
  /** Monthly saving of the ALB edge over API Gateway above which the design switches edges (serving.md). */
  edgeSwitchPremiumMonth: 1000,
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
  /** The shared database's storage besides quotes: appraisals, registry, keys, the bounded request log (state.md). */
  databaseStorageGb: 20,
  /** Interface endpoints in the stack (ECR API, ECR Docker, CloudWatch Logs, Secrets Manager). */
  interfaceEndpoints: 4,
  /** Bytes of one stored quote: its input (requestBytes), its answer (the response size) and ~100 B of id, times, key. */
  quoteOverheadBytes: 100,
  /** Times a stored quote is fetched by id (GET /v1/valuations/{id}), on average: not measured, a stated guess. */
  quoteReadsPerQuote: 0.1,
  /**
   * Alarm metrics in infra/lib/monitoring.ts: 8 single-metric alarms, data drift over 10 metrics, performance
   * drift over 2, non-success exits over 6 (infra/test/loupe-stack.test.ts counts them in the template).
   */
  alarmMetrics: 26,
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

export type Prices = typeof PRICES;
export type Assumptions = typeof ASSUMPTIONS;
