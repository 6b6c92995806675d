/**
 * SLO and drift alarms, all sent to the operator's topic. Latency and errors are measured at the API edge
 * (what partners feel); drift comes from the pipeline's own report in its log; failures from Step Functions;
 * throttling, authorizer errors and WAF blocks from the edge.
 */
import * as cdk from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { Foundation } from './foundation.js';
import type { RequestLog } from './request-log.js';
import { type Serving, STAGE_NAME } from './serving.js';
import type { LoupeSettings } from './settings.js';
import type { Training } from './training.js';

/** Namespace of the metrics Loupe's logs produce through metric filters. */
export const LOUPE_NAMESPACE = 'Loupe';

/** Batch valuations: left out of the latency SLO (README: up to the batch limit per request). */
export const BATCH_PATH = '/v1/valuations/batch';
/** The paths a batch valuation is logged under at the edge: through the stage, and at a root-mapped domain. */
const batchPaths = [`/${STAGE_NAME}${BATCH_PATH}`, BATCH_PATH];

/** The columns the pipeline's drift step compares: the nine inputs and the price. */
export const DRIFT_FEATURES = ['carat', 'cut', 'color', 'clarity', 'depth', 'table', 'x', 'y', 'z', 'price'] as const;

export class Monitoring extends Construct {
  readonly alarms: cloudwatch.Alarm[] = [];
  private readonly topic: sns.ITopic;

  constructor(
    scope: Construct,
    id: string,
    base: Foundation,
    settings: LoupeSettings,
    serving: Serving,
    training: Training,
    requestLog: RequestLog,
  ) {
    super(scope, id);
    this.topic = base.alerts;
    const fiveMinutes = cdk.Duration.minutes(5);

    // p99 of single valuations only: a batch of up to the batch limit takes longer by design. The access log
    // (serving.ts) carries the concrete path as called, so a metric filter publishes every other request's
    // latency. `$context.path` includes the stage on the execute-api URL partners call (/live/v1/…); the bare
    // path is what a custom domain mapped at its root would log.
    const edgeLatency = new logs.MetricFilter(this, 'EdgeLatencyFilter', {
      logGroup: serving.accessLogs,
      filterPattern: logs.FilterPattern.all(
        logs.FilterPattern.numberValue('$.latencyMs', '>=', 0),
        ...batchPaths.map((path) => logs.FilterPattern.stringValue('$.path', '!=', path)),
      ),
      metricNamespace: LOUPE_NAMESPACE,
      metricName: 'EdgeLatencyExceptBatch',
      metricValue: '$.latencyMs',
      unit: cloudwatch.Unit.MILLISECONDS,
    });
    this.add('ApiLatencyP99', {
      alarmDescription: `p99 latency at the API edge, batch requests excluded, above ${settings.slo.p99LatencyMs} ms (SLO)`,
      metric: edgeLatency.metric({ statistic: 'p99', period: cdk.Duration.minutes(1) }),
      threshold: settings.slo.p99LatencyMs,
      evaluationPeriods: 15,
      datapointsToAlarm: 10,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    const throttled = new logs.MetricFilter(this, 'ThrottledFilter', {
      logGroup: serving.accessLogs,
      filterPattern: logs.FilterPattern.numberValue('$.status', '=', 429),
      metricNamespace: LOUPE_NAMESPACE,
      metricName: 'Throttled',
      metricValue: '1',
    });
    this.add('Throttled429', {
      alarmDescription: 'many 429s: a partner is at its tier limit or the account-wide API Gateway throttle is near',
      metric: throttled.metric({ statistic: 'Sum', period: fiveMinutes }),
      threshold: settings.slo.throttledPerFiveMinutes,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.add('AuthorizerErrors', {
      alarmDescription: 'the bearer-key authorizer fails (not a refusal: an error), so partners get 500s at the edge',
      metric: serving.authorizerFunction.metricErrors({ statistic: 'Sum', period: fiveMinutes }),
      threshold: 0,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.add('WafBlocks', {
      alarmDescription: 'WAF blocks many requests: an attack, or a rule that now blocks a partner',
      metric: new cloudwatch.Metric({
        namespace: 'AWS/WAFV2',
        metricName: 'BlockedRequests',
        dimensionsMap: { WebACL: 'loupe-partner-api', Region: settings.region, Rule: 'ALL' },
        statistic: 'Sum',
        period: fiveMinutes,
      }),
      threshold: settings.slo.wafBlocksPerFiveMinutes,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.add('Api5xxRate', {
      alarmDescription: `share of 5xx answers above ${settings.slo.serverErrorRate} (SLO)`,
      // API Gateway's 5XXError averaged over requests is the error rate.
      metric: serving.api.metricServerError({ statistic: 'Average', period: fiveMinutes }),
      threshold: settings.slo.serverErrorRate,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.add('UnhealthyTasks', {
      alarmDescription: 'a serving task fails its /readyz health check',
      metric: serving.targetGroup.metrics.unHealthyHostCount({ statistic: 'Maximum', period: cdk.Duration.minutes(1) }),
      threshold: 0,
      evaluationPeriods: 5,
      datapointsToAlarm: 3,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.add('FleetAtCeiling', {
      alarmDescription:
        'the serving fleet runs at its autoscaling maximum: raise maxTasks (capacity.md) before latency suffers',
      metric: new cloudwatch.Metric({
        namespace: 'ECS/ContainerInsights',
        metricName: 'RunningTaskCount',
        dimensionsMap: { ClusterName: base.cluster.clusterName, ServiceName: serving.service.serviceName },
        statistic: 'Minimum',
        period: fiveMinutes,
      }),
      threshold: settings.serving.maxTasks,
      evaluationPeriods: 6,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    // The request archive is what partners are billed from: say when Firehose stops delivering it to S3.
    this.add('RequestArchiveStale', {
      alarmDescription:
        'the request-log archive in S3 is over 15 minutes behind: Firehose cannot deliver (billing data waits)',
      metric: new cloudwatch.Metric({
        namespace: 'AWS/Firehose',
        metricName: 'DeliveryToS3.DataFreshness',
        dimensionsMap: { DeliveryStreamName: requestLog.streamName },
        statistic: 'Maximum',
        period: fiveMinutes,
      }),
      threshold: 15 * 60,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    // Data drift. `loupe pipeline run --json` prints a report whose drift.features is a list of
    // {feature, psi, level, …}, one per input and the price. A metric filter reads one list position; ten filters
    // cover the ten columns, each metric named by the feature found there, so the order does not matter.
    DRIFT_FEATURES.forEach((_, i) => {
      new logs.MetricFilter(this, `DriftFilter${i}`, {
        logGroup: training.pipelineLogs,
        filterPattern: logs.FilterPattern.exists(`$.drift.features[${i}].psi`),
        metricNamespace: LOUPE_NAMESPACE,
        metricName: 'DriftPsi',
        metricValue: `$.drift.features[${i}].psi`,
        dimensions: { Feature: `$.drift.features[${i}].feature` },
      });
    });
    const hour = cdk.Duration.hours(1);
    const psi = (feature: string) =>
      new cloudwatch.Metric({
        namespace: LOUPE_NAMESPACE,
        metricName: 'DriftPsi',
        dimensionsMap: { Feature: feature },
        statistic: 'Maximum',
        period: hour,
      });
    this.add('DataDrift', {
      alarmDescription: `incoming appraisals drifted: the largest PSI over the inputs and price is above ${settings.slo.driftPsi}`,
      metric: new cloudwatch.MathExpression({
        label: 'largest PSI',
        expression: `MAX([${DRIFT_FEATURES.map((_, i) => `f${i}`).join(', ')}])`,
        usingMetrics: Object.fromEntries(DRIFT_FEATURES.map((f, i) => [`f${i}`, psi(f)])),
        period: hour,
      }),
      threshold: settings.slo.driftPsi,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    // Performance drift: the serving champion's error on the new appraisals against its error on the reference
    // test rows, both from the same report (drift.performance.onNew / onReferenceTest, MAPE in %).
    const mape = (id: string, path: string) => {
      const filter = new logs.MetricFilter(this, id, {
        logGroup: training.pipelineLogs,
        filterPattern: logs.FilterPattern.exists(path),
        metricNamespace: LOUPE_NAMESPACE,
        metricName: id,
        metricValue: path,
      });
      return filter.metric({ statistic: 'Maximum', period: hour });
    };
    this.add('PerformanceDrift', {
      alarmDescription: `the champion's error on fresh appraisals is over ${settings.slo.freshErrorRatio}× its error on the reference test rows`,
      metric: new cloudwatch.MathExpression({
        label: 'MAPE on new / MAPE on reference test',
        expression: 'onNew / onReference',
        usingMetrics: {
          onNew: mape('ChampionMapeOnNew', '$.drift.performance.onNew.mape'),
          onReference: mape('ChampionMapeOnReferenceTest', '$.drift.performance.onReferenceTest.mape'),
        },
        period: hour,
      }),
      threshold: settings.slo.freshErrorRatio,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    // Every exit that is not success, of either state machine: failed, timed out or aborted. One alarm on metric
    // math over six metrics (CloudWatch bills each metric in it as an alarm metric, capacity.md).
    const exits: Record<string, cloudwatch.IMetric> = {};
    for (const [name, machine] of [
      ['retrain', training.stateMachine],
      ['release', training.releaseMachine],
    ] as const) {
      exits[`${name}Failed`] = machine.metricFailed({ statistic: 'Sum', period: fiveMinutes });
      exits[`${name}TimedOut`] = machine.metricTimedOut({ statistic: 'Sum', period: fiveMinutes });
      exits[`${name}Aborted`] = machine.metricAborted({ statistic: 'Sum', period: fiveMinutes });
    }
    this.add('RetrainFailed', {
      alarmDescription: 'a retrain or release execution ended failed, timed out or aborted',
      metric: new cloudwatch.MathExpression({
        label: 'executions that did not succeed',
        expression: Object.keys(exits)
          .map((k) => `FILL(${k}, 0)`)
          .join(' + '),
        usingMetrics: exits,
        period: fiveMinutes,
      }),
      threshold: 0,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }

  private add(id: string, props: cloudwatch.AlarmProps): void {
    const alarm = new cloudwatch.Alarm(this, id, { alarmName: `loupe-${id}`, ...props });
    alarm.addAlarmAction(new actions.SnsAction(this.topic));
    this.alarms.push(alarm);
  }
}
