/**
 * Serving for partners: API Gateway (shared tier usage plans, WAF in front) → VPC link → internal Network Load
 * Balancer → Fargate tasks running `loupe serve` in private isolated subnets. Each task-definition revision pins
 * one model bundle; a release is a blue/green deployment of a new revision that the deployment alarms can undo.
 */
import * as cdk from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import type { Database } from './database.js';
import type { Foundation } from './foundation.js';
import { PartnerKeys } from './partner-keys.js';
import { HOME_MOUNT, LOUPE_UID, restoreServingBundle } from './registry-sync.js';
import type { LoupeSettings } from './settings.js';

export const LOUPE_PORT = 3000;
/**
 * The REST API's one stage. Partners call https://<api>.execute-api.<region>.amazonaws.com/live/v1/…, and the
 * access log's `$context.path` is that full path, stage included (monitoring.ts filters on it).
 */
export const STAGE_NAME = 'live';

/**
 * One JSON line per request at the edge: who, what, how it went, how long. Numbers are unquoted so metric
 * filters read them as numbers (monitoring.ts); the path is the concrete one as called, stage included
 * (`/live/v1/valuations`), not the /v1/{proxy+} resource.
 */
export const ACCESS_LOG_FORMAT = JSON.stringify({
  requestId: '$context.requestId',
  time: '$context.requestTimeEpoch',
  partnerKeyId: '$context.identity.apiKeyId',
  method: '$context.httpMethod',
  path: '$context.path',
  status: '$context.status',
  latencyMs: '$context.responseLatency',
  integrationLatencyMs: '$context.integrationLatency',
  responseBytes: '$context.responseLength',
  authorizerError: '$context.authorizer.error',
  wafAction: '$context.waf.status',
}).replace(/"(\$context\.(?:requestTimeEpoch|status|responseLatency|integrationLatency))"/g, '$1');
const LISTENER_PORT = 80;
/** The blue/green test listener: a new revision answers here (smoke and shadow checks) before it takes traffic. */
export const TEST_LISTENER_PORT = 8080;
/** Alarms that stop and roll back a serving deployment (created in monitoring.ts under these names). */
export const DEPLOYMENT_ALARMS = ['loupe-ApiLatencyP99', 'loupe-Api5xxRate', 'loupe-UnhealthyTasks'];

export class Serving extends Construct {
  readonly api: apigw.RestApi;
  readonly service: ecs.FargateService;
  readonly loadBalancer: elbv2.NetworkLoadBalancer;
  readonly targetGroup: elbv2.NetworkTargetGroup;
  readonly webAcl: wafv2.CfnWebACL;
  readonly partnerKeys: PartnerKeys;
  readonly accessLogs: cdk.aws_logs.LogGroup;
  readonly authorizerFunction: lambda.Function;
  readonly taskGroup: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, base: Foundation, settings: LoupeSettings, database: Database) {
    super(scope, id);
    const s = settings.serving;

    const task = new ecs.FargateTaskDefinition(this, 'Task', {
      family: 'loupe-serve',
      cpu: s.taskCpu,
      memoryLimitMiB: s.taskMemoryMiB,
      runtimePlatform: {
        cpuArchitecture: ecs.CpuArchitecture.ARM64,
        operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
      },
      volumes: [{ name: 'home' }, { name: 'tmp' }],
    });
    // Serving reads only the approved bundles, never the pipeline's working home.
    base.registry.grantRead(task.taskRole, 'serving/*');

    const sync = task.addContainer('registry-sync', {
      image: awsCliImage(this, settings, task),
      essential: false,
      entryPoint: ['/bin/sh', '-c'],
      command: [restoreServingBundle],
      // Pinned: this revision serves this bundle and no other; the next release is the next revision.
      environment: { REGISTRY_BUCKET: base.registry.bucketName, LOUPE_BUNDLE_ID: s.bundleId },
      logging: ecs.LogDrivers.awsLogs({
        streamPrefix: 'sync',
        logGroup: base.logGroup('SyncLogs', settings.appLogRetentionDays),
      }),
    });
    sync.addMountPoints({ sourceVolume: 'home', containerPath: HOME_MOUNT, readOnly: false });

    // With the shared database, the registry, keys, quotes and the request log are there; the bundle holds models.
    const shared = settings.database.tasksConnect ? database.connection() : undefined;
    const serve = task.addContainer('loupe', {
      image: ecs.ContainerImage.fromEcrRepository(base.images, settings.imageTag),
      command: ['serve'],
      user: LOUPE_UID,
      readonlyRootFilesystem: true,
      environment: {
        HOST: '0.0.0.0',
        PORT: String(LOUPE_PORT),
        LOUPE_HOME: HOME_MOUNT,
        NODE_ENV: 'production',
        ...(shared
          ? {
              ...shared.environment,
              LOUPE_VALUATION_RETENTION_DAYS: String(settings.database.quoteRetentionDays),
            }
          : {}),
      },
      ...(shared ? { secrets: shared.secrets } : {}),
      portMappings: [{ containerPort: LOUPE_PORT, protocol: ecs.Protocol.TCP }],
      healthCheck: {
        command: [
          'CMD',
          'node',
          '-e',
          `fetch('http://127.0.0.1:${LOUPE_PORT}/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))`,
        ],
        interval: cdk.Duration.seconds(15),
        timeout: cdk.Duration.seconds(5),
        retries: 3,
        startPeriod: cdk.Duration.seconds(30),
      },
      logging: ecs.LogDrivers.awsLogs({
        streamPrefix: 'serve',
        logGroup: base.logGroup('ServeLogs', settings.appLogRetentionDays),
      }),
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
    lbGroup.addIngressRule(
      ec2.Peer.ipv4(base.vpc.vpcCidrBlock),
      ec2.Port.tcp(LISTENER_PORT),
      'VPC link and health checks',
    );
    const taskGroup = new ec2.SecurityGroup(this, 'TaskSg', {
      vpc: base.vpc,
      description: 'loupe serve tasks: only the NLB may connect; outbound goes to VPC endpoints (no internet route)',
      allowAllOutbound: true,
    });
    this.taskGroup = taskGroup;
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
      // Blue/green: the new revision's tasks come up beside the old ones behind the test listener, traffic moves
      // at once, and for the bake time the old tasks stay ready; any deployment alarm rolls back to them.
      deploymentStrategy: ecs.DeploymentStrategy.BLUE_GREEN,
      bakeTime: cdk.Duration.minutes(s.bakeMinutes),
      deploymentAlarms: { alarmNames: DEPLOYMENT_ALARMS, behavior: ecs.AlarmBehavior.ROLLBACK_ON_ALARM },
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
    const testListener = this.loadBalancer.addListener('Test', {
      port: TEST_LISTENER_PORT,
      protocol: elbv2.Protocol.TCP,
    });
    lbGroup.addIngressRule(
      ec2.Peer.ipv4(base.vpc.vpcCidrBlock),
      ec2.Port.tcp(TEST_LISTENER_PORT),
      'blue/green test traffic from inside the VPC',
    );
    const targetGroupProps = {
      vpc: base.vpc,
      port: LOUPE_PORT,
      protocol: elbv2.Protocol.TCP,
      targetType: elbv2.TargetType.IP,
      deregistrationDelay: cdk.Duration.seconds(30),
      healthCheck: {
        protocol: elbv2.Protocol.HTTP,
        path: '/readyz',
        interval: cdk.Duration.seconds(10),
        healthyThresholdCount: 2,
        unhealthyThresholdCount: 2,
      },
    };
    this.targetGroup = new elbv2.NetworkTargetGroup(this, 'Blue', targetGroupProps);
    const green = new elbv2.NetworkTargetGroup(this, 'Green', targetGroupProps);
    listener.addTargetGroups('Serve', this.targetGroup);
    testListener.addTargetGroups('Candidate', green);
    this.targetGroup.addTarget(
      this.service.loadBalancerTarget({
        containerName: 'loupe',
        containerPort: LOUPE_PORT,
        alternateTarget: new ecs.AlternateTarget('Green', {
          alternateTargetGroup: green,
          productionListener: ecs.ListenerRuleConfiguration.networkListener(listener),
          testListener: ecs.ListenerRuleConfiguration.networkListener(testListener),
        }),
      }),
    );

    // The public edge.
    const accessLogs = base.logGroup('ApiAccessLogs', settings.requestLogRetentionDays);
    this.accessLogs = accessLogs;
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
        stageName: STAGE_NAME,
        metricsEnabled: true,
        // Execution logging would write request bodies; the access log below records who/what/how long only.
        loggingLevel: apigw.MethodLoggingLevel.OFF,
        dataTraceEnabled: false,
        accessLogDestination: new apigw.LogGroupLogDestination(accessLogs),
        accessLogFormat: apigw.AccessLogFormat.custom(ACCESS_LOG_FORMAT),
        throttlingRateLimit: 10_000,
        throttlingBurstLimit: 5_000,
      },
    });
    const vpcLink = new apigw.VpcLink(this, 'VpcLink', { targets: [this.loadBalancer] });
    const { authorizer, handler: authorizerFunction } = bearerKeyAuthorizer(this, base, settings);
    this.authorizerFunction = authorizerFunction;
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

    // Partners join shared tier plans through the partner-keys function: no resource per partner.
    this.partnerKeys = new PartnerKeys(this, 'PartnerKeys', base, settings, this.api);

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
          visibilityConfig: {
            cloudWatchMetricsEnabled: true,
            metricName: 'loupe-waf-admin',
            sampledRequestsEnabled: false,
          },
        },
        {
          // Flood guard per source address; partners' own limits are the usage plans.
          name: 'rate-per-ip',
          priority: 4,
          action: { block: {} },
          statement: { rateBasedStatement: { limit: 300_000, aggregateKeyType: 'IP' } },
          visibilityConfig: {
            cloudWatchMetricsEnabled: true,
            metricName: 'loupe-waf-rate',
            sampledRequestsEnabled: false,
          },
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
function bearerKeyAuthorizer(
  scope: Construct,
  base: Foundation,
  settings: LoupeSettings,
): { authorizer: apigw.TokenAuthorizer; handler: lambda.Function } {
  const logGroup = base.logGroup('AuthorizerLogs', settings.appLogRetentionDays);
  const role = new iam.Role(scope, 'AuthorizerRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  role.addToPolicy(
    new iam.PolicyStatement({
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: [`${logGroup.logGroupArn}:*`],
    }),
  );
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
  const authorizer = new apigw.TokenAuthorizer(scope, 'BearerKey', {
    handler,
    identitySource: apigw.IdentitySource.header('Authorization'),
    validationRegex: '^Bearer lp_[A-Za-z0-9_-]{20,}$',
    resultsCacheTtl: cdk.Duration.minutes(5),
  });
  return { authorizer, handler };
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
        ...(countOnly.length > 0
          ? { ruleActionOverrides: countOnly.map((rule) => ({ name: rule, actionToUse: { count: {} } })) }
          : {}),
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
      resources: [
        cdk.Stack.of(scope).formatArn({ service: 'ecr', resource: 'repository', resourceName: repositoryName }),
      ],
    }),
  );
  return ecs.ContainerImage.fromEcrRepository(repo, settings.awsCliTag);
}
