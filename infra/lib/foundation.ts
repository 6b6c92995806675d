/**
 * What every other part stands on: the one customer-managed KMS key, a VPC with no internet path at all
 * (only private isolated subnets and VPC endpoints), the S3 buckets for landing data and the model
 * registry, the image repository, the ECS cluster and the operator's notification topic.
 */
import * as cdk from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import type { LoupeSettings } from './settings.js';

export class Foundation extends Construct {
  readonly key: kms.Key;
  readonly vpc: ec2.Vpc;
  readonly landing: s3.Bucket;
  readonly registry: s3.Bucket;
  readonly images: ecr.Repository;
  readonly cluster: ecs.Cluster;
  readonly alerts: sns.Topic;

  constructor(scope: Construct, id: string, settings: LoupeSettings) {
    super(scope, id);
    const stack = cdk.Stack.of(this);

    this.key = new kms.Key(this, 'DataKey', {
      alias: 'alias/loupe-data',
      description: 'Encrypts Loupe data at rest: S3, logs, secrets, images, task storage, notifications',
      enableKeyRotation: true,
      removalPolicy: cdk.RemovalPolicy.RETAIN,
    });
    // CloudWatch Logs and CloudWatch alarms (publishing to the encrypted topic) use the key as services,
    // each only within this account and region.
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: {
          ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:${stack.region}:${stack.account}:*` },
        },
      }),
    );
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
    );

    const flowLogs = this.logGroup('FlowLogs', settings.appLogRetentionDays);
    this.vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr('10.40.0.0/16'),
      availabilityZones: settings.availabilityZones,
      natGateways: 0,
      subnetConfiguration: [{ name: 'app', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 20 }],
      gatewayEndpoints: { S3: { service: ec2.GatewayVpcEndpointAwsService.S3 } },
      flowLogs: {
        all: {
          destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogs),
          trafficType: ec2.FlowLogTrafficType.REJECT,
        },
      },
    });
    // Interface endpoints are the only way out of the VPC: image pulls, logs, and the secrets ECS hands to tasks and
    // RDS Proxy reads (S3 goes through the gateway endpoint above). No NAT, no internet gateway.
    const endpoints: Array<[string, ec2.InterfaceVpcEndpointAwsService]> = [
      ['EcrApi', ec2.InterfaceVpcEndpointAwsService.ECR],
      ['EcrDocker', ec2.InterfaceVpcEndpointAwsService.ECR_DOCKER],
      ['Logs', ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS],
      ['Secrets', ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER],
    ];
    for (const [name, service] of endpoints) {
      this.vpc.addInterfaceEndpoint(name, { service, privateDnsEnabled: true, open: true });
    }

    this.landing = this.bucket('Landing', [
      // Files are moved to processed/ after a run; raw appraisals are kept 2 years for audit, then deleted.
      { id: 'expire-processed', prefix: 'processed/', expiration: cdk.Duration.days(730) },
      { id: 'expire-old-versions', noncurrentVersionExpiration: cdk.Duration.days(90) },
    ]);
    this.landing.enableEventBridgeNotification();

    this.registry = this.bucket('Registry', [
      // Every snapshot of LOUPE_HOME stays as an S3 version for a year: data versioning and rollback.
      { id: 'expire-old-versions', noncurrentVersionExpiration: cdk.Duration.days(365) },
    ]);

    this.images = new ecr.Repository(this, 'Images', {
      repositoryName: 'loupe',
      imageScanOnPush: true,
      imageTagMutability: ecr.TagMutability.IMMUTABLE,
      encryption: ecr.RepositoryEncryption.KMS,
      encryptionKey: this.key,
      lifecycleRules: [{ description: 'keep the last 50 images', maxImageCount: 50 }],
      removalPolicy: cdk.RemovalPolicy.RETAIN,
    });
    // The registry-sync containers run the AWS CLI image from ECR Public, fetched through this cache so the
    // isolated subnets never need the internet.
    new ecr.CfnPullThroughCacheRule(this, 'EcrPublicCache', {
      ecrRepositoryPrefix: 'ecr-public',
      upstreamRegistryUrl: 'public.ecr.aws',
    });

    this.cluster = new ecs.Cluster(this, 'Cluster', {
      vpc: this.vpc,
      clusterName: 'loupe',
      containerInsightsV2: ecs.ContainerInsights.ENABLED,
      managedStorageConfiguration: { fargateEphemeralStorageKmsKey: this.key },
    });

    this.alerts = new sns.Topic(this, 'Alerts', { topicName: 'loupe-alerts', masterKey: this.key, enforceSSL: true });
    this.alerts.addSubscription(new subscriptions.EmailSubscription(settings.operatorEmail));
  }

  /** A log group encrypted with the data key and kept for a stated number of days. */
  logGroup(id: string, days: number): logs.LogGroup {
    return new logs.LogGroup(this, id, {
      encryptionKey: this.key,
      retention: retentionFor(days),
      removalPolicy: cdk.RemovalPolicy.RETAIN,
    });
  }

  /** A private, versioned bucket encrypted with the data key that refuses plain HTTP. */
  bucket(id: string, lifecycleRules: s3.LifecycleRule[]): s3.Bucket {
    return new s3.Bucket(this, id, {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.key,
      bucketKeyEnabled: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      versioned: true,
      lifecycleRules,
      removalPolicy: cdk.RemovalPolicy.RETAIN,
    });
  }
}

/** CloudWatch accepts only certain retention periods; pick the shortest one that is at least `days`. */
export function retentionFor(days: number): logs.RetentionDays {
  const allowed = Object.values(logs.RetentionDays)
    .filter((v): v is logs.RetentionDays => typeof v === 'number' && v > 0)
    .sort((a, b) => a - b);
  const found = allowed.find((d) => d >= days);
  if (found === undefined) throw new Error(`no CloudWatch retention period of at least ${days} days`);
  return found;
}
