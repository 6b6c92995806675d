/**
 * Partners at scale: onboarding is a call to the partner-keys function, not a deployment. Here the function's
 * own source runs against a recording fake of API Gateway and Secrets Manager, 100 partners in a row, and the
 * template is checked to hold nothing per partner.
 */
import { runInNewContext } from 'node:vm';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { PARTNER_KEYS_SOURCE } from '../lib/partner-keys.js';
import { synthesise, testSettings as settings } from './settings.js';

type Call = [string, any];
type Run = (event: any, clients: any, env: Record<string, string>) => Promise<any>;
const mod: { run?: Run; handler?: unknown } = {};
runInNewContext(PARTNER_KEYS_SOURCE, { exports: mod, require, Date, JSON, Error, Object });
const run = mod.run!;
const env = {
  TIER_PLANS: JSON.stringify({ trial: 'plan-trial', standard: 'plan-std', volume: 'plan-vol' }),
  KMS_KEY_ID: 'arn:key',
};

/** A fake of the six SDK calls that remembers secrets, so rotate can read what create wrote. */
function fakeClients() {
  const calls: Call[] = [];
  const secrets = new Map<string, string>();
  let n = 0;
  const record = (name: string) => async (input: any) => {
    calls.push([name, input]);
    if (name === 'createApiKey') return { id: `key${String(++n).padStart(4, '0')}` };
    if (name === 'createSecret') {
      if (secrets.has(input.Name)) throw new Error('ResourceExistsException');
      secrets.set(input.Name, input.SecretString);
      return { ARN: `arn:secret:${input.Name}` };
    }
    if (name === 'putSecretValue') secrets.set(input.SecretId, input.SecretString);
    if (name === 'getSecretValue') return { SecretString: secrets.get(input.SecretId) };
    return {};
  };
  const names = [
    'createApiKey',
    'createUsagePlanKey',
    'updateApiKey',
    'createSecret',
    'putSecretValue',
    'getSecretValue',
  ];
  return { calls, secrets, clients: Object.fromEntries(names.map((k) => [k, record(k)])) };
}

describe('onboarding 100 partners', () => {
  const fake = fakeClients();
  const answers: any[] = [];
  const log = vi.spyOn(console, 'log');
  beforeAll(async () => {
    for (let i = 0; i < 100; i++) {
      const tier = ['trial', 'standard', 'volume'][i % 3];
      answers.push(await run({ action: 'create', partner: `partner-${i}`, tier }, fake.clients, env));
    }
  });

  it('gives each partner a key in its tier plan and a secret holding it', () => {
    const byName = (n: string) => fake.calls.filter(([c]) => c === n).map(([, i]) => i);
    expect(byName('createApiKey')).toHaveLength(100);
    expect(byName('createSecret')).toHaveLength(100);
    const planKeys = byName('createUsagePlanKey');
    expect(planKeys).toHaveLength(100);
    expect(planKeys[0]).toEqual({ usagePlanId: 'plan-trial', keyId: 'key0001', keyType: 'API_KEY' });
    expect(planKeys[1]!.usagePlanId).toBe('plan-std');
    const secret = JSON.parse(fake.secrets.get('loupe/partners/partner-2')!);
    expect(secret.key).toMatch(/^lp_[A-Za-z0-9_-]{43}$/);
    expect(secret).toMatchObject({ apiKeyId: 'key0003', tier: 'volume' });
    expect(byName('createApiKey')[2].value).toBe(secret.key);
    expect(new Set([...fake.secrets.values()].map((s) => JSON.parse(s).key)).size).toBe(100);
  });

  it('never returns or prints a key', () => {
    expect(JSON.stringify(answers)).not.toContain('lp_');
    expect(answers[0]).toEqual({
      partner: 'partner-0',
      tier: 'trial',
      apiKeyId: 'key0001',
      secretArn: 'arn:secret:loupe/partners/partner-0',
    });
    expect(log).not.toHaveBeenCalled();
  });

  it('adds nothing per partner to the template, which stays far below the 500-resource limit', () => {
    const resources = Object.values(synthesise(settings).toJSON().Resources as Record<string, { Type: string }>);
    const types = resources.map((r) => r.Type);
    for (const perPartner of ['AWS::ApiGateway::ApiKey', 'AWS::ApiGateway::UsagePlanKey']) {
      expect(types).not.toContain(perPartner);
    }
    // The one secret in the template is the database's (state.test.ts); partners' are made by the function.
    expect(types.filter((t) => t === 'AWS::SecretsManager::Secret')).toHaveLength(1);
    expect(types.filter((t) => t === 'AWS::ApiGateway::UsagePlan')).toHaveLength(settings.tiers.length);
    expect(resources.length).toBeLessThan(250);
  });
});

describe('rotating and revoking a key', () => {
  it('issues a new key in the same plan and keeps the old key id for revocation', async () => {
    const fake = fakeClients();
    await run({ action: 'create', partner: 'acme', tier: 'volume' }, fake.clients, env);
    const before = JSON.parse(fake.secrets.get('loupe/partners/acme')!);
    const answer = await run({ action: 'rotate', partner: 'acme' }, fake.clients, env);
    const after = JSON.parse(fake.secrets.get('loupe/partners/acme')!);
    expect(after.key).not.toBe(before.key);
    expect(after).toMatchObject({ tier: 'volume', previousApiKeyId: before.apiKeyId });
    expect(answer).toEqual({
      partner: 'acme',
      tier: 'volume',
      apiKeyId: after.apiKeyId,
      previousApiKeyId: before.apiKeyId,
    });
    expect(fake.calls.filter(([c]) => c === 'createUsagePlanKey').map(([, i]) => i.usagePlanId)).toEqual([
      'plan-vol',
      'plan-vol',
    ]);
    await run({ action: 'revoke', partner: 'acme', apiKeyId: before.apiKeyId }, fake.clients, env);
    expect(fake.calls.at(-1)).toEqual([
      'updateApiKey',
      { apiKey: before.apiKeyId, patchOperations: [{ op: 'replace', path: '/enabled', value: 'false' }] },
    ]);
  });

  it('refuses a bad partner id, an unknown tier, a second create and an unknown action with what is allowed', async () => {
    const fake = fakeClients();
    await expect(run({ action: 'create', partner: 'Bad Name', tier: 'trial' }, fake.clients, env)).rejects.toThrow(
      /partner: lower-case id/,
    );
    await expect(run({ action: 'create', partner: 'acme', tier: 'gold' }, fake.clients, env)).rejects.toThrow(
      /tier: one of trial, standard, volume/,
    );
    await expect(run({ action: 'revoke', partner: 'acme' }, fake.clients, env)).rejects.toThrow(/apiKeyId/);
    await expect(run({ action: 'delete', partner: 'acme' }, fake.clients, env)).rejects.toThrow(
      /action: one of create, rotate, revoke/,
    );
    await run({ action: 'create', partner: 'acme', tier: 'trial' }, fake.clients, env);
    await expect(run({ action: 'create', partner: 'acme', tier: 'trial' }, fake.clients, env)).rejects.toThrow(
      /ResourceExists/,
    );
    expect(fake.calls.filter(([c]) => c === 'createApiKey')).toHaveLength(1); // no stray key for the refused create
  });
});

describe('the tiers', () => {
  it('refuses more tiers than API Gateway lets one key join, and tier names that are not ids', () => {
    const tier = settings.tiers[0]!;
    const eleven = Array.from({ length: 11 }, (_, i) => ({ ...tier, name: `t${i}` }));
    expect(() => synthesise({ ...settings, tiers: eleven })).toThrow(/at most 10 tiers/);
    expect(() => synthesise({ ...settings, tiers: [{ ...tier, name: 'Gold Tier' }] })).toThrow(/tier name/);
    expect(() => synthesise({ ...settings, tiers: [] })).toThrow(/at least one usage tier/);
  });
});
