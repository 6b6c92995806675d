/**
 * The edge request log as a stream (docs/cloud/state.md): API Gateway writes one JSON line per request to its
 * CloudWatch log group (metric filters and recent queries read it there); a subscription filter hands the lines
 * on, in the compressed batches CloudWatch Logs sends, to Firehose, which unpacks them and writes gzip'd JSON
 * lines to S3 under requests/dt=YYYY-MM-DD/. Athena queries them through a Glue table with partition projection
 * (no crawler). This log, keyed by partner, is what partners are billed from (serving.md).
 */
import * as cdk from 'aws-cdk-lib';
import * as athena from 'aws-cdk-lib/aws-athena';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { Foundation } from './foundation.js';
import { ACCESS_LOG_FORMAT } from './serving.js';
import type { LoupeSettings } from './settings.js';

export const REQUEST_PREFIX = 'requests/';
export const STREAM_NAME = 'loupe-requests';
export const ATHENA_RESULTS_PREFIX = 'athena-results/';
export const ERROR_PREFIX = 'errors/';
/** Firehose flushes to S3 at whichever comes first. */
export const BUFFER = { seconds: 300, megabytes: 64 } as const;
/** Athena refuses a query that would scan more than this (a forgotten date filter over months of logs). */
export const ATHENA_SCAN_LIMIT_BYTES = 10 * 1024 ** 3;

/** Athena types of the access log's fields (serving.ts writes status, latencies and time as JSON numbers). */
const NUMERIC = new Set(['time', 'status', 'latencyMs', 'integrationLatencyMs']);

/** The Glue columns, one per field of the access-log format, in its order. */
export function requestLogColumns(): Array<{ name: string; type: string }> {
  const fields = Object.keys(JSON.parse(ACCESS_LOG_FORMAT.replace(/\$context\.[a-zA-Z.]+/g, '0')));
  return fields.map((name) => ({ name: name.toLowerCase(), type: NUMERIC.has(name) ? 'bigint' : 'string' }));
}

export class RequestLog extends Construct {
  readonly bucket: s3.Bucket;
  readonly stream: firehose.CfnDeliveryStream;
  readonly workGroup: athena.CfnWorkGroup;
  readonly streamName = STREAM_NAME;

  constructor(scope: Construct, id: string, base: Foundation, settings: LoupeSettings, accessLogs: logs.ILogGroup) {
    super(scope, id);
    const stack = cdk.Stack.of(this);

    this.bucket = base.bucket('RequestArchive', [
      { id: 'expire-requests', prefix: REQUEST_PREFIX, expiration: cdk.Duration.days(settings.requestArchiveDays) },
      { id: 'expire-errors', prefix: ERROR_PREFIX, expiration: cdk.Duration.days(30) },
      { id: 'expire-query-results', prefix: ATHENA_RESULTS_PREFIX, expiration: cdk.Duration.days(7) },
      { id: 'expire-old-versions', noncurrentVersionExpiration: cdk.Duration.days(1) },
      { id: 'abort-uploads', abortIncompleteMultipartUploadAfter: cdk.Duration.days(1) },
    ]);

    const deliveryErrors = base.logGroup('FirehoseErrors', settings.appLogRetentionDays);
    const errorStream = new logs.LogStream(this, 'FirehoseErrorStream', {
      logGroup: deliveryErrors,
      logStreamName: 'S3Delivery',
    });
    const role = new iam.Role(this, 'FirehoseRole', {
      assumedBy: new iam.ServicePrincipal('firehose.amazonaws.com', {
        conditions: { StringEquals: { 'sts:ExternalId': stack.account } },
      }),
    });
    this.bucket.grantReadWrite(role);
    role.addToPolicy(
      new iam.PolicyStatement({ actions: ['logs:PutLogEvents'], resources: [`${deliveryErrors.logGroupArn}:*`] }),
    );

    const processor = (type: string, parameters: Record<string, string> = {}) => ({
      type,
      parameters: Object.entries(parameters).map(([parameterName, parameterValue]) => ({
        parameterName,
        parameterValue,
      })),
    });
    this.stream = new firehose.CfnDeliveryStream(this, 'Stream', {
      deliveryStreamName: STREAM_NAME,
      deliveryStreamType: 'DirectPut',
      // The buffer is encrypted with a key Firehose owns; the objects it writes, with the data key (below).
      deliveryStreamEncryptionConfigurationInput: { keyType: 'AWS_OWNED_CMK' },
      extendedS3DestinationConfiguration: {
        bucketArn: this.bucket.bucketArn,
        roleArn: role.roleArn,
        prefix: `${REQUEST_PREFIX}dt=!{timestamp:yyyy-MM-dd}/`,
        errorOutputPrefix: `${ERROR_PREFIX}!{firehose:error-output-type}/dt=!{timestamp:yyyy-MM-dd}/`,
        bufferingHints: { intervalInSeconds: BUFFER.seconds, sizeInMBs: BUFFER.megabytes },
        compressionFormat: 'GZIP',
        encryptionConfiguration: { kmsEncryptionConfig: { awskmsKeyArn: base.key.keyArn } },
        // CloudWatch Logs sends gzip'd batches of events; Firehose unpacks them and keeps each line as it was.
        processingConfiguration: {
          enabled: true,
          processors: [
            processor('Decompression', { CompressionFormat: 'GZIP' }),
            processor('CloudWatchLogProcessing', { DataMessageExtraction: 'true' }),
            processor('AppendDelimiterToRecord'),
          ],
        },
        cloudWatchLoggingOptions: {
          enabled: true,
          logGroupName: deliveryErrors.logGroupName,
          logStreamName: errorStream.logStreamName,
        },
      },
    });
    this.stream.node.addDependency(role);

    // CloudWatch Logs may put records into this stream only, from this account's log groups.
    const subscriptionRole = new iam.Role(this, 'SubscriptionRole', {
      assumedBy: new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`, {
        conditions: { ArnLike: { 'aws:SourceArn': `arn:aws:logs:${stack.region}:${stack.account}:*` } },
      }),
    });
    const put = new iam.Policy(this, 'SubscriptionPolicy', {
      roles: [subscriptionRole],
      statements: [
        new iam.PolicyStatement({
          actions: ['firehose:PutRecord', 'firehose:PutRecordBatch'],
          resources: [this.stream.attrArn],
        }),
      ],
    });
    const subscription = new logs.CfnSubscriptionFilter(this, 'ToArchive', {
      logGroupName: accessLogs.logGroupName,
      filterPattern: '',
      destinationArn: this.stream.attrArn,
      roleArn: subscriptionRole.roleArn,
    });
    subscription.node.addDependency(put);

    const database = new glue.CfnDatabase(this, 'Catalog', {
      catalogId: stack.account,
      databaseInput: { name: 'loupe', description: 'Loupe request log (Athena)' },
    });
    const table = new glue.CfnTable(this, 'RequestsTable', {
      catalogId: stack.account,
      databaseName: 'loupe',
      tableInput: {
        name: 'requests',
        description: 'One row per request at the API edge (API Gateway access log), partitioned by UTC day',
        tableType: 'EXTERNAL_TABLE',
        partitionKeys: [{ name: 'dt', type: 'string' }],
        parameters: {
          classification: 'json',
          'projection.enabled': 'true',
          'projection.dt.type': 'date',
          'projection.dt.format': 'yyyy-MM-dd',
          'projection.dt.range': '2026-01-01,NOW',
          'projection.dt.interval': '1',
          'projection.dt.interval.unit': 'DAYS',
          'storage.location.template': `s3://${this.bucket.bucketName}/${REQUEST_PREFIX}dt=\${dt}/`,
        },
        storageDescriptor: {
          location: `s3://${this.bucket.bucketName}/${REQUEST_PREFIX}`,
          columns: requestLogColumns(),
          inputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
          outputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
          serdeInfo: {
            serializationLibrary: 'org.openx.data.jsonserde.JsonSerDe',
            parameters: { 'case.insensitive': 'true', 'ignore.malformed.json': 'true' },
          },
        },
      },
    });
    table.addResourceDependency(database);

    this.workGroup = new athena.CfnWorkGroup(this, 'WorkGroup', {
      name: 'loupe',
      description: 'Queries over the request log; results encrypted with the data key and kept 7 days',
      state: 'ENABLED',
      workGroupConfiguration: {
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        bytesScannedCutoffPerQuery: ATHENA_SCAN_LIMIT_BYTES,
        resultConfiguration: {
          outputLocation: `s3://${this.bucket.bucketName}/${ATHENA_RESULTS_PREFIX}`,
          encryptionConfiguration: { encryptionOption: 'SSE_KMS', kmsKey: base.key.keyArn },
        },
      },
    });
  }
}
