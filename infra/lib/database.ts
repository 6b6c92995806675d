/**
 * The shared PostgreSQL database (docs/cloud/state.md): RDS for PostgreSQL 15, Multi-AZ, in the isolated subnets,
 * encrypted with the data key, reached only through RDS Proxy, and the proxy only from the serving and pipeline
 * tasks. The credentials are a Secrets Manager secret the proxy reads; clients must use TLS.
 */
import * as cdk from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as rds from 'aws-cdk-lib/aws-rds';
import { Construct } from 'constructs';
import type { Foundation } from './foundation.js';
import type { LoupeSettings } from './settings.js';

export const DATABASE_PORT = 5432;
export const DATABASE_NAME = 'loupe';
export const DATABASE_USER = 'loupe';

export class Database extends Construct {
  readonly instance: rds.DatabaseInstance;
  readonly proxy: rds.DatabaseProxy;
  readonly secret: rds.DatabaseSecret;
  private readonly proxyGroup: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, base: Foundation, settings: LoupeSettings) {
    super(scope, id);
    const d = settings.database;
    const isolated = { subnetType: ec2.SubnetType.PRIVATE_ISOLATED };

    this.secret = new rds.DatabaseSecret(this, 'Credentials', {
      username: DATABASE_USER,
      secretName: 'loupe/database',
      encryptionKey: base.key,
    });

    const engine = rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_15 });
    const dbGroup = new ec2.SecurityGroup(this, 'InstanceSg', {
      vpc: base.vpc,
      description: 'loupe database: PostgreSQL from RDS Proxy only',
      allowAllOutbound: false,
    });
    this.proxyGroup = new ec2.SecurityGroup(this, 'ProxySg', {
      vpc: base.vpc,
      description: 'RDS Proxy: PostgreSQL from the serving and pipeline tasks only',
      allowAllOutbound: false,
    });
    // The proxy → database rules (both directions) are added by the proxy's target below. The proxy reads the
    // credentials from Secrets Manager through the VPC's interface endpoint.
    this.proxyGroup.addEgressRule(
      ec2.Peer.ipv4(base.vpc.vpcCidrBlock),
      ec2.Port.tcp(443),
      'Secrets Manager interface endpoint',
    );

    this.instance = new rds.DatabaseInstance(this, 'Instance', {
      engine,
      instanceType: new ec2.InstanceType(d.instanceType),
      vpc: base.vpc,
      vpcSubnets: isolated,
      securityGroups: [dbGroup],
      publiclyAccessible: false,
      multiAz: true,
      storageType: rds.StorageType.GP3,
      allocatedStorage: d.storageGb,
      maxAllocatedStorage: d.maxStorageGb,
      storageEncrypted: true,
      storageEncryptionKey: base.key,
      credentials: rds.Credentials.fromSecret(this.secret),
      databaseName: DATABASE_NAME,
      // The server refuses unencrypted connections too, whoever reaches it.
      parameterGroup: new rds.ParameterGroup(this, 'Parameters', { engine, parameters: { 'rds.force_ssl': '1' } }),
      backupRetention: cdk.Duration.days(d.backupDays),
      copyTagsToSnapshot: true,
      deletionProtection: true,
      removalPolicy: cdk.RemovalPolicy.SNAPSHOT,
      autoMinorVersionUpgrade: true,
      iamAuthentication: false,
    });

    this.proxy = new rds.DatabaseProxy(this, 'Proxy', {
      dbProxyName: 'loupe',
      proxyTarget: rds.ProxyTarget.fromInstance(this.instance),
      secrets: [this.secret],
      vpc: base.vpc,
      vpcSubnets: isolated,
      securityGroups: [this.proxyGroup],
      // Clients connect with TLS and the password from the secret. IAM tokens would need Loupe to sign one every
      // 15 minutes (it has no AWS SDK); state.md says so.
      requireTLS: true,
      iamAuth: false,
      idleClientTimeout: cdk.Duration.minutes(30),
      maxConnectionsPercent: 90,
      debugLogging: false,
    });
  }

  /** Lets a task security group reach the proxy (and nothing else of the database). */
  admit(group: ec2.ISecurityGroup, who: string): void {
    this.proxyGroup.addIngressRule(group, ec2.Port.tcp(DATABASE_PORT), `from ${who}`);
  }

  /**
   * What a Loupe container needs to use the database: LOUPE_DATABASE_URL names the proxy with no password and
   * asks for a verified TLS connection; `pg` takes the password from PGPASSWORD, which ECS fills from the secret
   * when the task starts (so a password change reaches tasks started after it: operations.md).
   */
  connection(): { environment: Record<string, string>; secrets: Record<string, ecs.Secret> } {
    return {
      environment: {
        LOUPE_DATABASE_URL: `postgres://${DATABASE_USER}@${this.proxy.endpoint}:${DATABASE_PORT}/${DATABASE_NAME}?sslmode=verify-full`,
      },
      secrets: { PGPASSWORD: ecs.Secret.fromSecretsManager(this.secret, 'password') },
    };
  }
}
