/**
 * Serving for partners: API Gateway (one key and usage plan per partner, WAF in front) → VPC link →
 * internal Network Load Balancer → Fargate tasks running `loupe serve` in private isolated subnets.
 */
import * as cdk from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secrets from 'aws-cdk-lib/aws-secretsmanager';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import type { Foundation } from './foundation.js';
import { HOME_MOUNT, LOUPE_UID, restoreServingBundle } from './registry-sync.js';
import type { LoupeSettings } from './settings.js';

export const LOUPE_PORT = 3000;
const LISTENER_PORT = 80;

export class Serving extends Construct {
  readonly api: apigw.RestApi;
  readonly service: ecs.FargateService;
  readonly loadBalancer: elbv2.NetworkLoadBalancer;
  readonly targetGroup: elbv2.NetworkTargetGroup;
  readonly webAcl: wafv2.CfnWebACL;

  constructor(scope: Construct, id: string, base: Foundation, settings: LoupeSettings) {
    super(scope, id);
    const s = settings.serving;

    const task = new ecs.FargateTaskDefinition(this, 'Task', {
      family: 'loupe-serve',
      cpu: s.taskCpu,
      memoryLimitMiB: s.taskMemoryMiB,
      runtimePlatform: { cpuArchitecture: ecs.CpuArchitecture.ARM64, operatingSystemFamily: ecs.OperatingSystemFamily.LINUX },
      volumes: [{ name: 'home' }, { name: 'tmp' }],
    });
    // Serving reads only the approved bundles, never the pipeline's working home.
    base.registry.grantRead(task.taskRole, 'serving/*');

    const sync = task.addContainer('registry-sync', {
      image: awsCliImage(this, settings, task),
      essential: false,
      entryPoint: ['/bin/sh', '-c'],
      command: [restoreServingBundle],
      environment: { REGISTRY_BUCKET: base.registry.bucketName },
      logging: ecs.LogDrivers.awsLogs({ streamPrefix: 'sync', logGroup: base.logGroup('SyncLogs', settings.appLogRetentionDays) }),
    });
    sync.addMountPoints({ sourceVolume: 'home', containerPath: HOME_MOUNT, readOnly: false });

    const serve = task.addContainer('loupe', {
      image: ecs.ContainerImage.fromEcrRepository(base.images, settings.imageTag),
      command: ['serve'],
      user: LOUPE_UID,
      readonlyRootFilesystem: true,
      environment: { HOST: '0.0.0.0', PORT: String(LOUPE_PORT), LOUPE_HOME: HOME_MOUNT, NODE_ENV: 'production' },
      portMappings: [{ containerPort: LOUPE_PORT, protocol: ecs.Protocol.TCP }],
      healthCheck: {
        command: ['CMD', 'node', '-e', `fetch('http://127.0.0.1:${LOUPE_PORT}/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))`],
        interval: cdk.Duration.seconds(15),
        timeout: cdk.Duration.seconds(5),
        retries: 3,
        startPeriod: cdk.Duration.seconds(30),
      },
      logging: ecs.LogDrivers.awsLogs({ streamPrefix: 'serve', logGroup: base.logGroup('ServeLogs', settings.appLogRetentionDays) }),
      stopTimeout: cdk.Duration.seconds(30),
    });
    serve.addMountPoints(
      { sourceVolume: 'home', containerPath: HOME_MOUNT, readOnly: false },
      { sourceVolume: 'tmp', containerPath: '/tmp', readOnly: false },
    );
    serve.addContainerDependencies({ container: sync, condition: ecs.ContainerDependencyCondition.SUCCESS });

    const lbGroup = new ec2.SecurityGroup(this, 'LoadBalancerSg', {
      vpc: base.vpc,
      description: 'internal NLB: reachable only from inside the VPC (API Gateway VPC link)',
      allowAllOutbound: false,
    });
    lbGroup.addIngressRule(ec2.Peer.ipv4(base.vpc.vpcCidrBlock), ec2.Port.tcp(LISTENER_PORT), 'VPC link and health checks');
    const taskGroup = new ec2.SecurityGroup(this, 'TaskSg', {
      vpc: base.vpc,
      description: 'loupe serve tasks: only the NLB may connect; outbound goes to VPC endpoints (no internet route)',
      allowAllOutbound: true,
    });
    taskGroup.addIngressRule(lbGroup, ec2.Port.tcp(LOUPE_PORT), 'from the internal NLB');
    lbGroup.addEgressRule(taskGroup, ec2.Port.tcp(LOUPE_PORT), 'to loupe serve tasks');

    this.service = new ecs.FargateService(this, 'Service', {
      serviceName: 'loupe-serve',
      cluster: base.cluster,
      taskDefinition: task,
      desiredCount: s.minTasks,
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      circuitBreaker: { enable: true, rollback: true },
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      assignPublicIp: false,
      securityGroups: [taskGroup],
      healthCheckGracePeriod: cdk.Duration.seconds(60),
    });
    const scaling = this.service.autoScaleTaskCount({ minCapacity: s.minTasks, maxCapacity: s.maxTasks });
    scaling.scaleOnCpuUtilization('Cpu', {
      targetUtilizationPercent: s.targetCpuPercent,
      scaleOutCooldown: cdk.Duration.seconds(60),
      scaleInCooldown: cdk.Duration.seconds(300),
    });

    this.loadBalancer = new elbv2.NetworkLoadBalancer(this, 'Nlb', {
      vpc: base.vpc,
      internetFacing: false,
      crossZoneEnabled: true,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      securityGroups: [lbGroup],
      enforceSecurityGroupInboundRulesOnPrivateLinkTraffic: false,
    });
    const listener = this.loadBalancer.addListener('Http', { port: LISTENER_PORT, protocol: elbv2.Protocol.TCP });
    this.targetGroup = listener.addTargets('Serve', {
      port: LOUPE_PORT,
      protocol: elbv2.Protocol.TCP,
      targets: [this.service],
      deregistrationDelay: cdk.Duration.seconds(30),
      healthCheck: { protocol: elbv2.Protocol.HTTP, path: '/readyz', interval: cdk.Duration.seconds(10), healthyThresholdCount: 2, unhealthyThresholdCount: 2 },
    });

    // The public edge.
    const accessLogs = base.logGroup('ApiAccessLogs', settings.requestLogRetentionDays);
    this.api = new apigw.RestApi(this, 'PartnerApi', {
      restApiName: 'loupe-partner-api',
      description: 'Loupe valuations for partner businesses',
      endpointConfiguration: { types: [apigw.EndpointType.REGIONAL] },
      // The usage-plan key comes from the authorizer, which reads Loupe's own "Authorization: Bearer lp_…".
      apiKeySourceType: apigw.ApiKeySourceType.AUTHORIZER,
      disableExecuteApiEndpoint: false,
      cloudWatchRole: true,
      cloudWatchRoleRemovalPolicy: cdk.RemovalPolicy.DESTROY,
      deployOptions: {
        stageName: 'live',
        metricsEnabled: true,
        // Execution logging would write request bodies; the access log below records who/what/how long only.
        loggingLevel: apigw.MethodLoggingLevel.OFF,
        dataTraceEnabled: false,
        accessLogDestination: new apigw.LogGroupLogDestination(accessLogs),
        accessLogFormat: apigw.AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            time: '$context.requestTimeEpoch',
            partnerKeyId: '$context.identity.apiKeyId',
            method: '$context.httpMethod',
            path: '$context.resourcePath',
            status: '$context.status',
            latencyMs: '$context.responseLatency',
            integrationLatencyMs: '$context.integrationLatency',
            responseBytes: '$context.responseLength',
            wafAction: '$context.waf.status',
          }),
        ),
        throttlingRateLimit: 10_000,
        throttlingBurstLimit: 5_000,
      },
    });
    const vpcLink = new apigw.VpcLink(this, 'VpcLink', { targets: [this.loadBalancer] });
    const authorizer = bearerKeyAuthorizer(this, base, settings);
    const forward = (path: string) =>
      new apigw.Integration({
        type: apigw.IntegrationType.HTTP_PROXY,
        integrationHttpMethod: 'ANY',
        uri: `http://${this.loadBalancer.loadBalancerDnsName}:${LISTENER_PORT}${path}`,
        options: {
          connectionType: apigw.ConnectionType.VPC_LINK,
          vpcLink,
          timeout: cdk.Duration.seconds(10),
          requestParameters: {
            ...(path.includes('{proxy}') ? { 'integration.request.path.proxy': 'method.request.path.proxy' } : {}),
            'integration.request.header.x-loupe-partner': 'context.identity.apiKeyId',
          },
        },
      });
    const v1 = this.api.root.addResource('v1');
    v1.addResource('{proxy+}').addMethod('ANY', forward('/v1/{proxy}'), {
      apiKeyRequired: true,
      authorizer,
      authorizationType: apigw.AuthorizationType.CUSTOM,
      requestParameters: { 'method.request.path.proxy': true },
    });
    // Partners read the contract without a key; it holds no data.
    this.api.root.addResource('openapi.json').addMethod('GET', forward('/openapi.json'), { apiKeyRequired: false });

    for (const partner of settings.partners) {
      const name = partner.id.replace(/[^a-z0-9]/gi, '');
      // The key value lives in Secrets Manager, encrypted with the data key; the template only refers to it.
      // Until onboarding stores the partner's Loupe key in it, the secret holds a random value nobody uses.
      const secret = new secrets.Secret(this, `PartnerKey${name}`, {
        secretName: `loupe/partners/${partner.id}`,
        description: `Loupe API key (lp_…) of partner ${partner.id}`,
        encryptionKey: base.key,
        generateSecretString: { passwordLength: 40, excludePunctuation: true, includeSpace: false },
      });
      if (!partner.keyIssued) continue;
      const key = this.api.addApiKey(`ApiKey${name}`, {
        apiKeyName: `loupe-${partner.id}`,
        value: secret.secretValue.unsafeUnwrap(),
      });
      const plan = this.api.addUsagePlan(`Plan${name}`, {
        name: `loupe-${partner.id}`,
        throttle: { rateLimit: partner.ratePerSecond, burstLimit: partner.burst },
        quota: { limit: partner.monthlyQuota, period: apigw.Period.MONTH },
        apiStages: [{ api: this.api, stage: this.api.deploymentStage }],
      });
      plan.addApiKey(key);
    }

    this.webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
      name: 'loupe-partner-api',
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: { cloudWatchMetricsEnabled: true, metricName: 'loupe-waf', sampledRequestsEnabled: false },
      rules: [
        managedRule('AWSManagedRulesAmazonIpReputationList', 0),
        // Its SizeRestrictions_BODY rule blocks bodies over 8 KB, which a legitimate /v1/valuations/batch exceeds:
        // counted, not blocked; Loupe's own batch limit and API Gateway's 10 MB cap bound the body instead.
        managedRule('AWSManagedRulesCommonRuleSet', 1, ['SizeRestrictions_BODY']),
        managedRule('AWSManagedRulesKnownBadInputsRuleSet', 2),
        {
          // The admin request log is for operators inside the VPC, never for the internet.
          name: 'block-admin-paths',
          priority: 3,
          action: { block: {} },
          statement: {
            byteMatchStatement: {
              fieldToMatch: { uriPath: {} },
              positionalConstraint: 'CONTAINS',
              searchString: '/v1/requests',
              textTransformations: [{ priority: 0, type: 'LOWERCASE' }],
            },
          },
          visibilityConfig: { cloudWatchMetricsEnabled: true, metricName: 'loupe-waf-admin', sampledRequestsEnabled: false },
        },
        {
          // Flood guard per source address; partners' own limits are the usage plans.
          name: 'rate-per-ip',
          priority: 4,
          action: { block: {} },
          statement: { rateBasedStatement: { limit: 300_000, aggregateKeyType: 'IP' } },
          visibilityConfig: { cloudWatchMetricsEnabled: true, metricName: 'loupe-waf-rate', sampledRequestsEnabled: false },
        },
      ],
    });
    new wafv2.CfnWebACLAssociation(this, 'WebAclAssociation', {
      resourceArn: this.api.deploymentStage.stageArn,
      webAclArn: this.webAcl.attrArn,
    });
  }
}

/**
 * A token authorizer that hands the bearer key to API Gateway as the usage-plan key: partners send one header,
 * the same one Loupe checks, and API Gateway matches it to the partner's plan (403 when no plan holds it).
 * It decides nothing else, so its answers are cached per key for five minutes.
 */
function bearerKeyAuthorizer(scope: Construct, base: Foundation, settings: LoupeSettings): apigw.TokenAuthorizer {
  const logGroup = base.logGroup('AuthorizerLogs', settings.appLogRetentionDays);
  const role = new iam.Role(scope, 'AuthorizerRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  role.addToPolicy(new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [`${logGroup.logGroupArn}:*`] }));
  const handler = new lambda.Function(scope, 'BearerKeyAuthorizer', {
    runtime: lambda.Runtime.NODEJS_24_X,
    architecture: lambda.Architecture.ARM_64,
    handler: 'index.handler',
    role,
    logGroup,
    memorySize: 128,
    timeout: cdk.Duration.seconds(3),
    code: lambda.Code.fromInline(AUTHORIZER_SOURCE),
  });
  return new apigw.TokenAuthorizer(scope, 'BearerKey', {
    handler,
    identitySource: apigw.IdentitySource.header('Authorization'),
    validationRegex: '^Bearer lp_[A-Za-z0-9_-]{20,}$',
    resultsCacheTtl: cdk.Duration.minutes(5),
  });
}

/** The authorizer's whole program: allow the stage, name the key as the usage identifier. */
export const AUTHORIZER_SOURCE = `
exports.handler = async (event) => {
  const key = /^Bearer (lp_[A-Za-z0-9_-]{20,})$/.exec(event.authorizationToken || '');
  if (!key) throw new Error('Unauthorized');
  const stage = event.methodArn.split('/').slice(0, 2).join('/');
  return {
    principalId: key[1].slice(0, 9),
    usageIdentifierKey: key[1],
    policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: stage + '/*' }] },
  };
};
`;

function managedRule(name: string, priority: number, countOnly: string[] = []): wafv2.CfnWebACL.RuleProperty {
  return {
    name,
    priority,
    overrideAction: { none: {} },
    statement: {
      managedRuleGroupStatement: {
        vendorName: 'AWS',
        name,
        ...(countOnly.length > 0 ? { ruleActionOverrides: countOnly.map((rule) => ({ name: rule, actionToUse: { count: {} } })) } : {}),
      },
    },
    visibilityConfig: { cloudWatchMetricsEnabled: true, metricName: `loupe-${name}`, sampledRequestsEnabled: false },
  };
}

/**
 * The AWS CLI image from ECR Public, through the account's pull-through cache, and the two extra rights
 * a first pull through the cache needs.
 */
export function awsCliImage(scope: Construct, settings: LoupeSettings, task: ecs.TaskDefinition): ecs.ContainerImage {
  const repositoryName = 'ecr-public/aws-cli/aws-cli';
  const repo = ecr.Repository.fromRepositoryName(task, 'AwsCliCache', repositoryName);
  task.obtainExecutionRole().addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['ecr:BatchImportUpstreamImage', 'ecr:CreateRepository'],
      resources: [cdk.Stack.of(scope).formatArn({ service: 'ecr', resource: 'repository', resourceName: repositoryName })],
    }),
  );
  return ecs.ContainerImage.fromEcrRepository(repo, settings.awsCliTag);
}
