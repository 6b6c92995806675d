/**
 * The properties of Loupe's AWS stack that matter for money and data: everything encrypted with the
 * customer key, nothing public except the API edge, tasks in subnets with no internet route, autoscaling
 * bounds, SLO and drift alarms, least-privilege IAM, WAF, shared tier plans (partners: partners.test.ts),
 * the lock and the release (release.test.ts).
 * The stack is synthesised once, offline, from explicit settings.
 */
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ASSUMPTIONS } from '../../scripts/capacity/prices.js';
import { ACCESS_LOG_FORMAT, STAGE_NAME } from '../lib/serving.js';
import { synthesise, testSettings as settings } from './settings.js';

type Resource = { Type: string; Properties?: Record<string, any> };
let template: Template;
let resources: Record<string, Resource>;

function ofType(type: string): Array<[string, Resource]> {
  return Object.entries(resources).filter(([, r]) => r.Type === type);
}

beforeAll(() => {
  template = synthesise(settings);
  resources = template.toJSON().Resources;
});

describe('encryption at rest with the customer-managed key', () => {
  it('rotates the key yearly', () => {
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  it('encrypts every bucket with KMS and refuses plain HTTP', () => {
    const buckets = ofType('AWS::S3::Bucket');
    // landing, registry, request-log archive (state.test.ts)
    expect(buckets.length).toBe(3);
    for (const [, b] of buckets) {
      const rule = b.Properties!.BucketEncryption.ServerSideEncryptionConfiguration[0];
      expect(rule.ServerSideEncryptionByDefault.SSEAlgorithm).toBe('aws:kms');
      expect(rule.ServerSideEncryptionByDefault.KMSMasterKeyID).toBeDefined();
      expect(b.Properties!.VersioningConfiguration.Status).toBe('Enabled');
    }
    const policies = ofType('AWS::S3::BucketPolicy');
    expect(policies.length).toBe(3);
    for (const [, p] of policies) {
      expect(p.Properties!.PolicyDocument.Statement).toContainEqual(
        expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      );
    }
  });

  it('encrypts every log group, the topic, the image repository, secrets and task storage', () => {
    const groups = ofType('AWS::Logs::LogGroup');
    expect(groups.length).toBeGreaterThanOrEqual(5);
    for (const [, g] of groups) expect(g.Properties!.KmsKeyId).toBeDefined();
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    template.hasResourceProperties('AWS::ECR::Repository', {
      EncryptionConfiguration: { EncryptionType: 'KMS', KmsKey: Match.anyValue() },
      ImageTagMutability: 'IMMUTABLE',
      ImageScanningConfiguration: { ScanOnPush: true },
    });
    // Partner secrets are created by the partner-keys function with the same key (partners.test.ts).
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: Match.anyValue() },
    });
    template.hasResourceProperties('AWS::ECS::Cluster', {
      Configuration: { ManagedStorageConfiguration: { FargateEphemeralStorageKmsKeyId: Match.anyValue() } },
    });
  });
});

describe('nothing public that should not be', () => {
  it('blocks every form of public access on every bucket', () => {
    for (const [, b] of ofType('AWS::S3::Bucket')) {
      expect(b.Properties!.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
    }
  });

  it('opens no security group to the internet', () => {
    const ingress: any[] = [];
    for (const [, g] of ofType('AWS::EC2::SecurityGroup')) ingress.push(...(g.Properties!.SecurityGroupIngress ?? []));
    for (const [, r] of ofType('AWS::EC2::SecurityGroupIngress')) ingress.push(r.Properties);
    expect(ingress.length).toBeGreaterThan(0);
    for (const rule of ingress) {
      expect(rule.CidrIp).not.toBe('0.0.0.0/0');
      expect(rule.CidrIpv6).not.toBe('::/0');
    }
  });

  it('gives the VPC no internet route: no internet or NAT gateway, no public subnet', () => {
    template.resourceCountIs('AWS::EC2::InternetGateway', 0);
    template.resourceCountIs('AWS::EC2::NatGateway', 0);
    for (const [, s] of ofType('AWS::EC2::Subnet')) expect(s.Properties!.MapPublicIpOnLaunch).not.toBe(true);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Scheme: 'internal',
      Type: 'network',
    });
  });

  it('runs serving and pipeline tasks in the isolated subnets without public addresses', () => {
    const isolated = ofType('AWS::EC2::Subnet').map(([id]) => id);
    template.hasResourceProperties('AWS::ECS::Service', {
      NetworkConfiguration: {
        AwsvpcConfiguration: {
          AssignPublicIp: 'DISABLED',
          Subnets: Match.arrayWith(isolated.map((id) => ({ Ref: id }))),
        },
      },
    });
    const definition = ofType('AWS::StepFunctions::StateMachine')
      .map(([, m]) => JSON.stringify(m.Properties!.DefinitionString))
      .join('');
    // Both RunTask states (the pipeline in loupe-retrain, the bundle publish in loupe-release) name the isolated subnets; ECS's default for an omitted AssignPublicIp is DISABLED.
    expect(definition.match(/AwsvpcConfiguration/g)?.length).toBe(2);
    for (const id of isolated) expect(definition.split(`"Ref":"${id}"`).length - 1).toBe(2);
    expect(definition).not.toContain('AssignPublicIp');
  });

  it('runs Loupe as a non-root user on a read-only root filesystem', () => {
    const loupeContainers = ofType('AWS::ECS::TaskDefinition')
      .flatMap(([, t]) => t.Properties!.ContainerDefinitions as any[])
      .filter((c) => c.Name === 'loupe' || c.Name === 'pipeline');
    expect(loupeContainers.map((c) => c.Name).sort()).toEqual(['loupe', 'pipeline']);
    for (const c of loupeContainers) {
      expect(c.User).toBe('1000:1000');
      expect(c.ReadonlyRootFilesystem).toBe(true);
    }
  });
});

describe('serving fleet', () => {
  it('scales between the configured bounds on CPU target tracking', () => {
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      MinCapacity: settings.serving.minTasks,
      MaxCapacity: settings.serving.maxTasks,
      ScalableDimension: 'ecs:service:DesiredCount',
    });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      PolicyType: 'TargetTrackingScaling',
      TargetTrackingScalingPolicyConfiguration: {
        PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' },
        TargetValue: settings.serving.targetCpuPercent,
      },
    });
  });

  it('rolls back a deployment whose tasks do not become healthy', () => {
    template.hasResourceProperties('AWS::ECS::Service', {
      DeploymentConfiguration: {
        DeploymentCircuitBreaker: { Enable: true, Rollback: true },
        MinimumHealthyPercent: 100,
      },
    });
  });

  it('refuses fewer tasks than Availability Zones', () => {
    const tooFew = { ...settings, serving: { ...settings.serving, minTasks: 2 } };
    expect(() => synthesise(tooFew)).toThrow(/one task per Availability Zone/);
  });
});

describe('partner API', () => {
  it('offers one shared usage plan per tier and no key in the template', () => {
    for (const t of settings.tiers) {
      template.hasResourceProperties('AWS::ApiGateway::UsagePlan', {
        UsagePlanName: `loupe-${t.name}`,
        Throttle: { RateLimit: t.ratePerSecond, BurstLimit: t.burst },
        Quota: { Limit: t.monthlyQuota, Period: 'MONTH' },
      });
    }
    template.resourceCountIs('AWS::ApiGateway::UsagePlan', settings.tiers.length);
    template.resourceCountIs('AWS::ApiGateway::ApiKey', 0);
    template.resourceCountIs('AWS::ApiGateway::UsagePlanKey', 0);
  });

  it("takes the usage-plan key from Loupe's own bearer header through a cached authorizer", () => {
    template.hasResourceProperties('AWS::ApiGateway::RestApi', { ApiKeySourceType: 'AUTHORIZER' });
    template.hasResourceProperties('AWS::ApiGateway::Authorizer', {
      Type: 'TOKEN',
      IdentitySource: 'method.request.header.Authorization',
      AuthorizerResultTtlInSeconds: 300,
    });
    // A runtime AWS still supports (nodejs20.x was deprecated on 2026-04-30).
    template.hasResourceProperties('AWS::Lambda::Function', { Runtime: 'nodejs24.x', Architectures: ['arm64'] });
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      ApiKeyRequired: true,
      AuthorizationType: 'CUSTOM',
      RequestParameters: { 'method.request.path.proxy': true },
    });
  });

  it('requires a key on every /v1 method', () => {
    const methods = ofType('AWS::ApiGateway::Method').filter(([, m]) => m.Properties!.HttpMethod !== 'OPTIONS');
    const keyed = methods.filter(([, m]) => m.Properties!.ApiKeyRequired === true);
    const open = methods.filter(([, m]) => m.Properties!.ApiKeyRequired !== true);
    expect(keyed.length).toBe(1);
    // The only method without a key serves the OpenAPI document, which holds no data.
    expect(open.length).toBe(1);
    expect(JSON.stringify(open[0]![1].Properties!.Integration.Uri)).toContain(':80/openapi.json');
    expect(JSON.stringify(keyed[0]![1].Properties!.Integration.Uri)).toContain(':80/v1/{proxy}');
  });

  it('attaches a WAF web ACL with managed rules, an admin-path block and a rate limit to the stage', () => {
    template.hasResourceProperties('AWS::WAFv2::WebACL', {
      Scope: 'REGIONAL',
      Rules: Match.arrayWith([
        Match.objectLike({
          Name: 'AWSManagedRulesCommonRuleSet',
          // batch bodies exceed the rule set's 8 KB body limit: that one rule only counts
          Statement: {
            ManagedRuleGroupStatement: Match.objectLike({
              RuleActionOverrides: [{ Name: 'SizeRestrictions_BODY', ActionToUse: { Count: {} } }],
            }),
          },
        }),
        Match.objectLike({ Name: 'block-admin-paths', Action: { Block: {} } }),
        Match.objectLike({
          Name: 'rate-per-ip',
          Statement: { RateBasedStatement: Match.objectLike({ AggregateKeyType: 'IP' }) },
        }),
      ]),
    });
    const [, association] = ofType('AWS::WAFv2::WebACLAssociation')[0]!;
    expect(JSON.stringify(association.Properties!.ResourceArn)).toContain('/stages/');
  });

  it('logs numbers at the edge as numbers, so metric filters can read them', () => {
    const parsed = JSON.parse(ACCESS_LOG_FORMAT.replace(/\$context\.[a-zA-Z.]+/g, '7'));
    expect(parsed).toMatchObject({
      status: 7,
      latencyMs: 7,
      integrationLatencyMs: 7,
      time: 7,
      path: '7',
      partnerKeyId: '7',
    });
  });

  it('keeps request logs at the edge for the stated days, without request bodies', () => {
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      AccessLogSetting: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('partnerKeyId') },
      MethodSettings: Match.arrayWith([Match.objectLike({ DataTraceEnabled: false, LoggingLevel: 'OFF' })]),
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: settings.requestLogRetentionDays });
    for (const [, g] of ofType('AWS::Logs::LogGroup')) expect(g.Properties!.RetentionInDays).toBeGreaterThan(0);
  });
});

describe('monitoring', () => {
  const alarms = () => ofType('AWS::CloudWatch::Alarm').map(([, a]) => a.Properties!);

  it('alarms on p99 latency, 5xx rate, unhealthy tasks, fleet ceiling, drift and failed retrains, each notifying the operator', () => {
    const byName = new Map(alarms().map((a) => [a.AlarmName, a]));
    expect([...byName.keys()].sort()).toEqual(
      [
        'Api5xxRate',
        'ApiLatencyP99',
        'AuthorizerErrors',
        'DataDrift',
        'FleetAtCeiling',
        'PerformanceDrift',
        'RequestArchiveStale',
        'RetrainFailed',
        'Throttled429',
        'UnhealthyTasks',
        'WafBlocks',
      ].map((n) => `loupe-${n}`),
    );
    expect(byName.get('loupe-ApiLatencyP99')).toMatchObject({
      MetricName: 'EdgeLatencyExceptBatch',
      ExtendedStatistic: 'p99',
      Threshold: settings.slo.p99LatencyMs,
    });
    expect(byName.get('loupe-Throttled429')).toMatchObject({
      MetricName: 'Throttled',
      Threshold: settings.slo.throttledPerFiveMinutes,
    });
    expect(byName.get('loupe-AuthorizerErrors')).toMatchObject({ Namespace: 'AWS/Lambda', MetricName: 'Errors' });
    expect(byName.get('loupe-WafBlocks')).toMatchObject({ Namespace: 'AWS/WAFV2', MetricName: 'BlockedRequests' });
    expect(byName.get('loupe-Api5xxRate')).toMatchObject({
      MetricName: '5XXError',
      Statistic: 'Average',
      Threshold: settings.slo.serverErrorRate,
    });
    expect(byName.get('loupe-UnhealthyTasks')).toMatchObject({ MetricName: 'UnHealthyHostCount' });
    expect(byName.get('loupe-RequestArchiveStale')).toMatchObject({
      Namespace: 'AWS/Firehose',
      MetricName: 'DeliveryToS3.DataFreshness',
      Dimensions: [{ Name: 'DeliveryStreamName', Value: 'loupe-requests' }],
    });
    expect(byName.get('loupe-FleetAtCeiling')).toMatchObject({
      MetricName: 'RunningTaskCount',
      Threshold: settings.serving.maxTasks,
    });
    // Every exit that is not success, of both state machines.
    const exits = (byName.get('loupe-RetrainFailed')!.Metrics as any[])
      .filter((m) => m.MetricStat)
      .map((m) => m.MetricStat.Metric.MetricName);
    expect(exits.sort()).toEqual([
      'ExecutionsAborted',
      'ExecutionsAborted',
      'ExecutionsFailed',
      'ExecutionsFailed',
      'ExecutionsTimedOut',
      'ExecutionsTimedOut',
    ]);
    for (const a of alarms()) expect(a.AlarmActions).toHaveLength(1);
  });

  it('has as many alarm metrics as capacity.md bills (an alarm on metric math pays for each metric in it)', () => {
    const metrics = alarms().reduce(
      (n, a) => n + (a.Metrics ? (a.Metrics as any[]).filter((m) => m.MetricStat).length : 1),
      0,
    );
    expect(metrics).toBe(ASSUMPTIONS.alarmMetrics);
  });

  it('leaves batch requests out of the p99 latency alarm, under the path the access log records', () => {
    // Partners call the execute-api URL, whose `$context.path` carries the stage: /live/v1/valuations/batch.
    const stages = Object.values(template.findResources('AWS::ApiGateway::Stage'));
    expect(stages.map((st: any) => st.Properties.StageName)).toEqual([STAGE_NAME]);
    expect(ACCESS_LOG_FORMAT).toContain('"path":"$context.path"');
    const [filter] = Object.values(template.findResources('AWS::Logs::MetricFilter')).filter((f: any) =>
      f.Properties.MetricTransformations.some((m: any) => m.MetricName === 'EdgeLatencyExceptBatch'),
    ) as any[];
    expect(filter.Properties.MetricTransformations[0].MetricValue).toBe('$.latencyMs');
    const pattern: string = filter.Properties.FilterPattern;
    expect(pattern).toContain('($.latencyMs >= 0)');
    expect(pattern).toContain(`($.path != "/${STAGE_NAME}/v1/valuations/batch")`);
    expect(pattern).toContain('($.path != "/v1/valuations/batch")');
    // Single valuations are not excluded: no other path condition.
    expect(pattern.match(/\$\.path/g)).toHaveLength(2);
  });

  it('alarms when the largest PSI over the ten drift columns passes the threshold', () => {
    const drift = alarms().find((a) => a.AlarmName === 'loupe-DataDrift')!;
    expect(drift.Threshold).toBe(settings.slo.driftPsi);
    const expression = drift.Metrics.find((m: any) => m.Expression);
    expect(expression.Expression).toBe('MAX([f0, f1, f2, f3, f4, f5, f6, f7, f8, f9])');
    const features = drift.Metrics.filter((m: any) => m.MetricStat).map(
      (m: any) => m.MetricStat.Metric.Dimensions[0].Value,
    );
    expect(features.sort()).toEqual(['carat', 'clarity', 'color', 'cut', 'depth', 'price', 'table', 'x', 'y', 'z']);
  });

  it('alarms when the champion errs more on fresh appraisals than on the reference test', () => {
    const perf = alarms().find((a) => a.AlarmName === 'loupe-PerformanceDrift')!;
    expect(perf.Threshold).toBe(settings.slo.freshErrorRatio);
    expect(perf.Metrics.find((m: any) => m.Expression).Expression).toBe('onNew / onReference');
  });

  it('turns the pipeline report into drift metrics, one filter per list position, named by the feature found there', () => {
    for (let i = 0; i < 10; i++) {
      template.hasResourceProperties('AWS::Logs::MetricFilter', {
        MetricTransformations: [
          Match.objectLike({
            MetricName: 'DriftPsi',
            MetricValue: `$.drift.features[${i}].psi`,
            Dimensions: [{ Key: 'Feature', Value: `$.drift.features[${i}].feature` }],
          }),
        ],
      });
    }
    template.hasResourceProperties('AWS::Logs::MetricFilter', {
      MetricTransformations: [Match.objectLike({ MetricValue: '$.drift.performance.onNew.mape' })],
    });
  });
});

describe('retraining', () => {
  it('starts on a weekly schedule and when a file lands in incoming/', () => {
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'cron(0 3 ? * MON *)' });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({
        'detail-type': ['Object Created'],
        detail: Match.objectLike({ object: { key: [{ prefix: 'incoming/' }] } }),
      }),
    });
  });

  it('runs `loupe pipeline run` and keeps its JSON report in the home for the state machine', () => {
    const pipeline = ofType('AWS::ECS::TaskDefinition')
      .flatMap(([, t]) => t.Properties!.ContainerDefinitions as any[])
      .find((c) => c.Name === 'pipeline');
    expect(pipeline.EntryPoint).toEqual(['/bin/sh', '-c']);
    expect(pipeline.Command[0]).toMatch(
      /^node bin\/loupe\.js pipeline run --incoming \/var\/loupe\/incoming --json > \/var\/loupe\/last-run\.json; code=\$\?; .*exit \$code$/,
    );
    expect(pipeline.LogConfiguration.Options['awslogs-multiline-pattern']).toBe('^\\{');
  });
});

describe('least-privilege IAM', () => {
  // Actions AWS does not scope to a resource, or whose resources (task ARNs) exist only at run time.
  const unscopable = new Set([
    'ecr:GetAuthorizationToken',
    'ecs:StopTask',
    'ecs:DescribeTasks',
    'logs:CreateLogDelivery',
    'logs:GetLogDelivery',
    'logs:UpdateLogDelivery',
    'logs:DeleteLogDelivery',
    'logs:ListLogDeliveries',
    'logs:PutResourcePolicy',
    'logs:DescribeResourcePolicies',
    'logs:DescribeLogGroups',
    's3:PutBucketNotification',
  ]);
  const statements = () => {
    const out: any[] = [];
    for (const [, p] of ofType('AWS::IAM::Policy')) out.push(...p.Properties!.PolicyDocument.Statement);
    for (const [, r] of ofType('AWS::IAM::Role')) {
      for (const p of r.Properties!.Policies ?? []) out.push(...p.PolicyDocument.Statement);
    }
    return out.filter((s) => s.Effect === 'Allow');
  };

  it('grants no wildcard action', () => {
    const all = statements();
    expect(all.length).toBeGreaterThan(10);
    for (const s of all) {
      for (const action of [s.Action].flat()) expect(action === '*' || /:\*$/.test(action), action).toBe(false);
    }
  });

  it('grants "*" resources only to actions that cannot be scoped', () => {
    for (const s of statements()) {
      if (![s.Resource].flat().includes('*')) continue;
      for (const action of [s.Action].flat()) expect(unscopable.has(action), action).toBe(true);
    }
  });

  it('lets serving read only approved bundles, never the pipeline home or the landing bucket', () => {
    const role = ofType('AWS::IAM::Role').find(([id]) => id.startsWith('ServingTaskTaskRole'))!;
    const policy = ofType('AWS::IAM::Policy').find(([, p]) => JSON.stringify(p.Properties!.Roles).includes(role[0]))!;
    const text = JSON.stringify(policy[1].Properties!.PolicyDocument);
    expect(text).toContain('/serving/*');
    expect(text).not.toContain('/home/*');
    expect(text).not.toMatch(/s3:(Put|Delete)/);
  });
});
