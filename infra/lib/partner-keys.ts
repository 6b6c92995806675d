/**
 * Partner onboarding without a deployment: shared usage plans (one per tier) and one function that creates,
 * rotates and revokes a partner's key. The key goes from the function straight into API Gateway (as the
 * usage-plan key) and Secrets Manager (`loupe/partners/<id>`); it is never returned, printed or logged.
 * Onboarding 100 or 10,000 partners adds no CloudFormation resource (infra/test/partners.test.ts).
 */
import * as cdk from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import type { Foundation } from './foundation.js';
import type { LoupeSettings } from './settings.js';

export const PARTNER_KEYS_FUNCTION = 'loupe-partner-keys';

export class PartnerKeys extends Construct {
  readonly plans: apigw.UsagePlan[] = [];
  readonly handler: lambda.Function;

  constructor(scope: Construct, id: string, base: Foundation, settings: LoupeSettings, api: apigw.RestApi) {
    super(scope, id);
    if (settings.tiers.length === 0) throw new Error('at least one usage tier is needed: partners join a tier');
    if (settings.tiers.length > 10) throw new Error('at most 10 tiers: API Gateway allows 10 usage plans per key');
    for (const tier of settings.tiers) {
      if (!/^[a-z0-9-]+$/.test(tier.name)) throw new Error(`tier name "${tier.name}": use a-z, 0-9 and -`);
      this.plans.push(
        api.addUsagePlan(`Plan-${tier.name}`, {
          name: `loupe-${tier.name}`,
          description: `Loupe ${tier.name} tier: ${tier.ratePerSecond}/s per key, ${tier.monthlyQuota} requests a month`,
          throttle: { rateLimit: tier.ratePerSecond, burstLimit: tier.burst },
          quota: { limit: tier.monthlyQuota, period: apigw.Period.MONTH },
          apiStages: [{ api, stage: api.deploymentStage }],
        }),
      );
    }

    const stack = cdk.Stack.of(this);
    const logGroup = base.logGroup('PartnerKeysLogs', settings.appLogRetentionDays);
    const role = new iam.Role(this, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [`${logGroup.logGroupArn}:*`],
      }),
    );
    const apigwArn = (path: string) => stack.formatArn({ service: 'apigateway', account: '', resource: path });
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['apigateway:POST', 'apigateway:PATCH', 'apigateway:DELETE'],
        resources: [
          apigwArn('/apikeys'),
          apigwArn('/apikeys/*'),
          ...this.plans.map((p) => apigwArn(`/usageplans/${p.usagePlanId}/keys`)),
        ],
      }),
    );
    const secretArn = stack.formatArn({
      service: 'secretsmanager',
      resource: 'secret',
      resourceName: 'loupe/partners/*',
      arnFormat: cdk.ArnFormat.COLON_RESOURCE_NAME,
    });
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: [
          'secretsmanager:CreateSecret',
          'secretsmanager:PutSecretValue',
          'secretsmanager:GetSecretValue',
          'secretsmanager:TagResource',
        ],
        resources: [secretArn],
      }),
    );
    base.key.grantEncryptDecrypt(role);

    this.handler = new lambda.Function(this, 'Function', {
      functionName: PARTNER_KEYS_FUNCTION,
      description: 'create, rotate or revoke a partner key: API Gateway key in a tier plan + Secrets Manager secret',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      handler: 'index.handler',
      role,
      logGroup,
      memorySize: 256,
      timeout: cdk.Duration.seconds(30),
      // One onboarding at a time: API Gateway allows 5 CreateApiKey calls per second per account.
      reservedConcurrentExecutions: 1,
      code: lambda.Code.fromInline(PARTNER_KEYS_SOURCE),
      environment: {
        TIER_PLANS: stack.toJsonString(
          Object.fromEntries(settings.tiers.map((t, i) => [t.name, this.plans[i]!.usagePlanId])),
        ),
        KMS_KEY_ID: base.key.keyArn,
      },
    });
  }
}

/**
 * The function's whole program (CommonJS, AWS SDK v3 from the Lambda runtime). Invoked by an operator with
 * IAM (`aws lambda invoke`), never through the partner API. `clients` is injectable so tests run it as is.
 *   {action: "create", partner, tier}  new key in the tier's plan, new secret
 *   {action: "rotate", partner}        new key in the same plan; the old one keeps working until revoked
 *   {action: "revoke", partner, apiKeyId}  disables that key (API Gateway answers 403 within the cache TTL)
 */
export const PARTNER_KEYS_SOURCE = `
const crypto = require('node:crypto');
const ID = /^[a-z0-9][a-z0-9-]{1,62}$/;

function sdk() {
  const gw = require('@aws-sdk/client-api-gateway');
  const sm = require('@aws-sdk/client-secrets-manager');
  const api = new gw.APIGatewayClient({});
  const secrets = new sm.SecretsManagerClient({});
  return {
    createApiKey: (input) => api.send(new gw.CreateApiKeyCommand(input)),
    createUsagePlanKey: (input) => api.send(new gw.CreateUsagePlanKeyCommand(input)),
    updateApiKey: (input) => api.send(new gw.UpdateApiKeyCommand(input)),
    createSecret: (input) => secrets.send(new sm.CreateSecretCommand(input)),
    putSecretValue: (input) => secrets.send(new sm.PutSecretValueCommand(input)),
    getSecretValue: (input) => secrets.send(new sm.GetSecretValueCommand(input)),
  };
}

function newKey() {
  return 'lp_' + crypto.randomBytes(32).toString('base64url');
}

async function issue(c, partner, tier, planId, key) {
  const apiKey = await c.createApiKey({ name: 'loupe-' + partner + '-' + Date.now(), value: key, enabled: true, tags: { partner, tier } });
  await c.createUsagePlanKey({ usagePlanId: planId, keyId: apiKey.id, keyType: 'API_KEY' });
  return apiKey.id;
}

async function run(event, c, env) {
  const plans = JSON.parse(env.TIER_PLANS);
  const partner = event && event.partner;
  if (!ID.test(partner || '')) throw new Error('partner: lower-case id of 2-63 characters (a-z, 0-9, -) is required');
  const secretId = 'loupe/partners/' + partner;
  if (event.action === 'create') {
    const planId = plans[event.tier];
    if (!planId) throw new Error('tier: one of ' + Object.keys(plans).join(', ') + ' is required');
    const key = newKey();
    // The secret first: it fails for a partner that already has one, before any key exists in API Gateway.
    const secret = await c.createSecret({
      Name: secretId,
      KmsKeyId: env.KMS_KEY_ID,
      SecretString: JSON.stringify({ key, tier: event.tier }),
      Tags: [{ Key: 'tier', Value: event.tier }],
    });
    const apiKeyId = await issue(c, partner, event.tier, planId, key);
    await c.putSecretValue({ SecretId: secretId, SecretString: JSON.stringify({ key, apiKeyId, tier: event.tier }) });
    return { partner, tier: event.tier, apiKeyId, secretArn: secret.ARN };
  }
  if (event.action === 'rotate') {
    const current = JSON.parse((await c.getSecretValue({ SecretId: secretId })).SecretString);
    const key = newKey();
    const apiKeyId = await issue(c, partner, current.tier, plans[current.tier], key);
    await c.putSecretValue({ SecretId: secretId, SecretString: JSON.stringify({ key, apiKeyId, tier: current.tier, previousApiKeyId: current.apiKeyId }) });
    return { partner, tier: current.tier, apiKeyId, previousApiKeyId: current.apiKeyId };
  }
  if (event.action === 'revoke') {
    if (!/^[a-z0-9]{6,}$/.test(event.apiKeyId || '')) throw new Error('apiKeyId: the id of the key to disable is required');
    await c.updateApiKey({ apiKey: event.apiKeyId, patchOperations: [{ op: 'replace', path: '/enabled', value: 'false' }] });
    return { partner, revoked: event.apiKeyId };
  }
  throw new Error('action: one of create, rotate, revoke is required');
}

exports.run = run;
exports.handler = async (event) => run(event, sdk(), process.env);
`;
