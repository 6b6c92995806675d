/**
 * Shared state as the stack defines it (docs/cloud/state.md): the PostgreSQL database is reachable only through
 * RDS Proxy and the proxy only from the serving and pipeline tasks, both refuse plain connections, the credentials
 * are a secret the proxy reads; the edge request log streams through Firehose to S3 with a lifecycle and is
 * queryable with Athena. With `database.tasksConnect` the tasks use it and bundles carry model files only.
 */
import { readFileSync } from 'node:fs';
import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { production } from '../config/production.js';
import { DATABASE_PORT } from '../lib/database.js';
import {
  ATHENA_RESULTS_PREFIX,
  ATHENA_SCAN_LIMIT_BYTES,
  BUFFER,
  REQUEST_PREFIX,
  requestLogColumns,
} from '../lib/request-log.js';
import { ACCESS_LOG_FORMAT } from '../lib/serving.js';
import { RETRAIN_RULE_NAMES, STATE_MACHINE_NAME } from '../lib/training.js';
import { synthesise, testSettings as settings } from './settings.js';

type Resource = { Type: string; Properties?: Record<string, any>; DependsOn?: string[] };
let resources: Record<string, Resource>;
let connected: Record<string, Resource>;

const ofType = (all: Record<string, Resource>, type: string) => Object.entries(all).filter(([, r]) => r.Type === type);
const one = (all: Record<string, Resource>, type: string) => {
  const found = ofType(all, type);
  expect(found, type).toHaveLength(1);
  return found[0]!;
};
/** The logical id a {Ref} or {Fn::GetAtt} points to. */
const target = (v: any): string | undefined => v?.Ref ?? v?.['Fn::GetAtt']?.[0];
const containers = (all: Record<string, Resource>) =>
  ofType(all, 'AWS::ECS::TaskDefinition').flatMap(([, t]) => t.Properties!.ContainerDefinitions as any[]);
/** Every ingress rule of the template, inline or separate, with the group it belongs to. */
function ingress(all: Record<string, Resource>): Array<{ group: string; rule: any }> {
  const out: Array<{ group: string; rule: any }> = [];
  for (const [id, g] of ofType(all, 'AWS::EC2::SecurityGroup')) {
    for (const rule of g.Properties!.SecurityGroupIngress ?? []) out.push({ group: id, rule });
  }
  for (const [, r] of ofType(all, 'AWS::EC2::SecurityGroupIngress')) {
    out.push({ group: target(r.Properties!.GroupId)!, rule: r.Properties });
  }
  return out;
}

let template: Template;
beforeAll(() => {
  template = synthesise(settings);
  resources = template.toJSON().Resources;
  connected = synthesise({ ...settings, database: { ...settings.database, tasksConnect: true } }).toJSON().Resources;
});

describe('the shared PostgreSQL database', () => {
  it('is RDS for PostgreSQL 15, Multi-AZ, encrypted with the data key, never publicly accessible', () => {
    const [, db] = one(resources, 'AWS::RDS::DBInstance');
    expect(db.Properties).toMatchObject({
      Engine: 'postgres',
      DBInstanceClass: `db.${settings.database.instanceType}`,
      MultiAZ: true,
      PubliclyAccessible: false,
      StorageEncrypted: true,
      StorageType: 'gp3',
      AllocatedStorage: String(settings.database.storageGb),
      MaxAllocatedStorage: settings.database.maxStorageGb,
      BackupRetentionPeriod: settings.database.backupDays,
      DeletionProtection: true,
    });
    expect(String(db.Properties!.EngineVersion)).toMatch(/^15/);
    expect(target(db.Properties!.KmsKeyId)).toMatch(/^FoundationDataKey/);
    // In the isolated subnets only.
    const [, subnets] = one(resources, 'AWS::RDS::DBSubnetGroup');
    const isolated = ofType(resources, 'AWS::EC2::Subnet').map(([id]) => id);
    expect(subnets.Properties!.SubnetIds.map(target).sort()).toEqual(isolated.sort());
  });

  it('refuses unencrypted connections at the server too (rds.force_ssl)', () => {
    const [, group] = one(resources, 'AWS::RDS::DBParameterGroup');
    expect(group.Properties!.Parameters).toEqual({ 'rds.force_ssl': '1' });
  });

  it('admits PostgreSQL only from the proxy, and the proxy only from the serving and pipeline tasks', () => {
    const [dbGroup] = ofType(resources, 'AWS::EC2::SecurityGroup').find(([id]) => id.startsWith('DatabaseInstanceSg'))!;
    const [proxyGroup] = ofType(resources, 'AWS::EC2::SecurityGroup').find(([id]) => id.startsWith('DatabaseProxySg'))!;
    const rules = ingress(resources);
    const toDb = rules.filter((r) => r.group === dbGroup);
    expect(toDb).toHaveLength(1);
    expect(target(toDb[0]!.rule.SourceSecurityGroupId)).toBe(proxyGroup);
    const toProxy = rules.filter((r) => r.group === proxyGroup);
    expect(toProxy.map((r) => target(r.rule.SourceSecurityGroupId)).sort()).toEqual(
      ['ServingTaskSg', 'TrainingTaskSg'].map(
        (prefix) => ofType(resources, 'AWS::EC2::SecurityGroup').find(([id]) => id.startsWith(prefix))![0],
      ),
    );
    for (const { rule } of toProxy) expect([rule.FromPort, rule.ToPort]).toEqual([DATABASE_PORT, DATABASE_PORT]);
    expect(toDb[0]!.rule.FromPort).toEqual({
      'Fn::GetAtt': [one(resources, 'AWS::RDS::DBInstance')[0], 'Endpoint.Port'],
    });
    for (const { rule } of [...toDb, ...toProxy]) expect(rule.CidrIp).toBeUndefined();
  });

  it('puts RDS Proxy in front: TLS required, clients authenticated against the Secrets Manager secret', () => {
    const [, proxy] = one(resources, 'AWS::RDS::DBProxy');
    const [secretId, secret] = one(resources, 'AWS::SecretsManager::Secret');
    expect(proxy.Properties).toMatchObject({ EngineFamily: 'POSTGRESQL', RequireTLS: true });
    expect(proxy.Properties!.Auth).toEqual([
      expect.objectContaining({ AuthScheme: 'SECRETS', IAMAuth: 'DISABLED', SecretArn: { Ref: secretId } }),
    ]);
    expect(target(secret.Properties!.KmsKeyId)).toMatch(/^FoundationDataKey/);
    expect(secret.Properties!.GenerateSecretString.SecretStringTemplate).toContain('"username":"loupe"');
    // ECS hands the secret to tasks and the proxy reads it through the VPC's Secrets Manager endpoint.
    const endpoints = ofType(resources, 'AWS::EC2::VPCEndpoint').map(([, e]) =>
      JSON.stringify(e.Properties!.ServiceName),
    );
    expect(endpoints.some((s) => s.includes('secretsmanager'))).toBe(true);
  });

  it('leaves the tasks on their bundle while tasksConnect is off; the pipeline can still fill the database', () => {
    for (const c of containers(resources)) {
      expect((c.Environment ?? []).map((e: any) => e.Name)).not.toContain('LOUPE_DATABASE_URL');
      if (c.Name !== 'pipeline') expect(c.Secrets).toBeUndefined();
    }
    // For `loupe db copy` (operations.md): the URL under another name Loupe does not read, and the password.
    const pipeline = containers(resources).find((c) => c.Name === 'pipeline');
    expect((pipeline.Environment as any[]).map((e) => e.Name)).toContain('LOUPE_SHARED_DATABASE_URL');
    expect(pipeline.Secrets.map((x: any) => x.Name)).toEqual(['PGPASSWORD']);
  });

  it('with tasksConnect, serve and pipeline reach it through the proxy over verified TLS, password from the secret', () => {
    const [secretId] = one(connected, 'AWS::SecretsManager::Secret');
    const [proxyId] = one(connected, 'AWS::RDS::DBProxy');
    const byName = new Map(containers(connected).map((c) => [c.Name, c]));
    for (const name of ['loupe', 'pipeline']) {
      const c = byName.get(name);
      const env = new Map((c.Environment as any[]).map((e) => [e.Name, e.Value]));
      const url = JSON.stringify(env.get('LOUPE_DATABASE_URL'));
      expect(url).toContain(proxyId);
      expect(url).toContain('postgres://loupe@');
      expect(url).toContain(`:${DATABASE_PORT}/loupe?sslmode=verify-full`);
      expect(c.Secrets).toEqual([
        { Name: 'PGPASSWORD', ValueFrom: expect.objectContaining({ 'Fn::Join': expect.anything() }) },
      ]);
      expect(JSON.stringify(c.Secrets)).toContain(secretId);
      expect(JSON.stringify(c.Secrets)).toContain(':password::');
    }
    const serveEnv = new Map((byName.get('loupe').Environment as any[]).map((e) => [e.Name, e.Value]));
    expect(serveEnv.get('LOUPE_VALUATION_RETENTION_DAYS')).toBe(String(settings.database.quoteRetentionDays));
    const promote = byName.get('promote');
    expect(promote.Environment).toContainEqual({ Name: 'BUNDLE_INCLUDE', Value: 'models/' });
    expect(JSON.stringify(byName.get('promote').Environment)).not.toContain('LOUPE_DATABASE_URL');
    // The secret is readable by the task execution roles that start those containers, not by anyone else.
    const readers = ofType(connected, 'AWS::IAM::Policy').filter(([, p]) =>
      JSON.stringify(p.Properties!.PolicyDocument).includes(`"Ref":"${secretId}"`),
    );
    const roles = readers.flatMap(([, p]) => p.Properties!.Roles.map(target)).sort();
    expect(
      roles.every((r: string) => /ExecutionRole|ProxyIAMRole/.test(r)),
      roles.join(),
    ).toBe(true);
  });
});

/** The section of operations.md that turns the shared database on. */
function switchRunbook(): string {
  const doc = readFileSync(new URL('../../docs/cloud/operations.md', import.meta.url), 'utf8');
  const start = doc.indexOf('## Move state to the shared database');
  expect(start).toBeGreaterThan(-1);
  const end = doc.indexOf('\n## ', start + 1);
  return doc.slice(start, end === -1 ? undefined : end);
}

describe('the runbook that turns tasksConnect on (operations.md)', () => {
  it('starts from production as configured: the setting off, as state.md and the runbook say', () => {
    expect(production.database.tasksConnect).toBe(false);
    expect(switchRunbook()).toContain('Set `database.tasksConnect: true` in `infra/config/production.ts`');
  });

  it('pauses the two rules that start a retrain, by the names the stack gives them, and resumes them', () => {
    const runbook = switchRunbook();
    const rules = ofType(resources, 'AWS::Events::Rule');
    const [machine] = ofType(resources, 'AWS::StepFunctions::StateMachine').find(
      ([, m]) => m.Properties!.StateMachineName === STATE_MACHINE_NAME,
    )!;
    const named = rules.filter(([, r]) => Object.values(RETRAIN_RULE_NAMES).includes(r.Properties!.Name));
    expect(named).toHaveLength(2);
    for (const [, r] of named) expect(target(r.Properties!.Targets[0].Arn)).toBe(machine);
    for (const name of Object.values(RETRAIN_RULE_NAMES)) {
      expect(runbook).toContain(`aws events disable-rule --name ${name}`);
    }
    expect(runbook).toContain('aws events enable-rule');
    expect(runbook).toContain(`<${STATE_MACHINE_NAME}> --status-filter RUNNING`);
  });

  it("copies with a command the off-state pipeline container can run: its variable, Loupe's db copy options", () => {
    const command = /`(node bin\/loupe\.js db copy [^`]+)`/.exec(switchRunbook())?.[1];
    expect(command).toBeDefined();
    const pipeline = containers(resources).find((c) => c.Name === 'pipeline');
    // The override replaces the command only: the entry point must still be a shell for the variable to expand.
    expect(pipeline.EntryPoint).toEqual(['/bin/sh', '-c']);
    expect(pipeline.Command[0]).toMatch(/^node bin\/loupe\.js /);
    const env = (pipeline.Environment as any[]).map((e) => e.Name);
    for (const v of command!.matchAll(/\$(\w+)/g)) expect(env).toContain(v[1]);
    expect(command).toContain('sqlite:/var/loupe/loupe.db');
    expect(env).toContain('LOUPE_HOME');
    expect((pipeline.Environment as any[]).find((e) => e.Name === 'LOUPE_HOME').Value).toBe('/var/loupe');
    const cli = readFileSync(new URL('../../src/cli/db.ts', import.meta.url), 'utf8');
    for (const option of command!.matchAll(/ (--[a-z-]+)/g)) expect(cli).toContain(`'${option[1]} <`);
  });
});

describe('the request log stream', () => {
  it('subscribes Firehose to the edge access log group', () => {
    const [, filter] = one(resources, 'AWS::Logs::SubscriptionFilter');
    const [streamId] = one(resources, 'AWS::KinesisFirehose::DeliveryStream');
    const [accessLogs] = ofType(resources, 'AWS::Logs::LogGroup').find(([id]) =>
      id.startsWith('FoundationApiAccessLogs'),
    )!;
    expect(target(filter.Properties!.LogGroupName)).toBe(accessLogs);
    expect(target(filter.Properties!.DestinationArn)).toBe(streamId);
    expect(filter.Properties!.FilterPattern).toBe('');
  });

  it('buffers to S3 by day, gzip, encrypted with the data key, unpacking CloudWatch batches into lines', () => {
    const [, stream] = one(resources, 'AWS::KinesisFirehose::DeliveryStream');
    const s3 = stream.Properties!.ExtendedS3DestinationConfiguration;
    expect(s3).toMatchObject({
      Prefix: `${REQUEST_PREFIX}dt=!{timestamp:yyyy-MM-dd}/`,
      BufferingHints: { IntervalInSeconds: BUFFER.seconds, SizeInMBs: BUFFER.megabytes },
      CompressionFormat: 'GZIP',
    });
    expect(target(s3.EncryptionConfiguration.KMSEncryptionConfig.AWSKMSKeyARN)).toMatch(/^FoundationDataKey/);
    expect(s3.ProcessingConfiguration.Processors.map((p: any) => p.Type)).toEqual([
      'Decompression',
      'CloudWatchLogProcessing',
      'AppendDelimiterToRecord',
    ]);
    expect(target(s3.BucketARN)).toMatch(/^FoundationRequestArchive/);
  });

  it('keeps the archive for the stated days and expires query results and errors', () => {
    const [, bucket] = ofType(resources, 'AWS::S3::Bucket').find(([id]) => id.startsWith('FoundationRequestArchive'))!;
    const rules = bucket.Properties!.LifecycleConfiguration.Rules as any[];
    expect(rules).toContainEqual(
      expect.objectContaining({ Prefix: REQUEST_PREFIX, ExpirationInDays: settings.requestArchiveDays }),
    );
    expect(rules).toContainEqual(expect.objectContaining({ Prefix: ATHENA_RESULTS_PREFIX, ExpirationInDays: 7 }));
    expect(rules).toContainEqual(expect.objectContaining({ Prefix: 'errors/', ExpirationInDays: 30 }));
  });

  it('lets CloudWatch Logs put records into this stream only', () => {
    const [streamId] = one(resources, 'AWS::KinesisFirehose::DeliveryStream');
    const [, policy] = ofType(resources, 'AWS::IAM::Policy').find(([id]) =>
      id.startsWith('RequestLogSubscriptionPolicy'),
    )!;
    expect(policy.Properties!.PolicyDocument.Statement).toEqual([
      expect.objectContaining({
        Action: ['firehose:PutRecord', 'firehose:PutRecordBatch'],
        Resource: { 'Fn::GetAtt': [streamId, 'Arn'] },
      }),
    ]);
  });

  it('is an Athena table with one column per access-log field, partitions projected by day', () => {
    const fields = Object.keys(JSON.parse(ACCESS_LOG_FORMAT.replace(/\$context\.[a-zA-Z.]+/g, '0')));
    expect(requestLogColumns().map((c) => c.name)).toEqual(fields.map((f) => f.toLowerCase()));
    expect(requestLogColumns().find((c) => c.name === 'status')!.type).toBe('bigint');
    const [, table] = one(resources, 'AWS::Glue::Table');
    const input = table.Properties!.TableInput;
    expect(input.StorageDescriptor.Columns).toEqual(requestLogColumns().map((c) => ({ Name: c.name, Type: c.type })));
    expect(input.PartitionKeys).toEqual([{ Name: 'dt', Type: 'string' }]);
    expect(input.Parameters).toMatchObject({ 'projection.enabled': 'true', 'projection.dt.type': 'date' });
    expect(JSON.stringify(input.Parameters['storage.location.template'])).toContain(`${REQUEST_PREFIX}dt=\${dt}/`);
    const [, workGroup] = one(resources, 'AWS::Athena::WorkGroup');
    expect(workGroup.Properties!.WorkGroupConfiguration).toMatchObject({
      EnforceWorkGroupConfiguration: true,
      BytesScannedCutoffPerQuery: ATHENA_SCAN_LIMIT_BYTES,
      ResultConfiguration: { EncryptionConfiguration: { EncryptionOption: 'SSE_KMS' } },
    });
  });
});
