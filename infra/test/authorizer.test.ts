/** The partner API's token authorizer, run as Lambda would run it: it forwards Loupe keys and nothing else. */
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { AUTHORIZER_SOURCE } from '../lib/serving.js';

type Handler = (event: { authorizationToken?: string; methodArn: string }) => Promise<any>;
const exportsObject: { handler?: Handler } = {};
runInNewContext(AUTHORIZER_SOURCE, { exports: exportsObject });
const handler = exportsObject.handler!;
const methodArn = 'arn:aws:execute-api:eu-west-1:111122223333:abc123/live/POST/v1/valuations';
const key = `lp_${'A'.repeat(20)}-_9z`;

describe('bearer key authorizer', () => {
  it('names the bearer key as the usage-plan key and allows the whole stage', async () => {
    const answer = await handler({ authorizationToken: `Bearer ${key}`, methodArn });
    expect(answer.usageIdentifierKey).toBe(key);
    expect(answer.principalId).toBe(key.slice(0, 9));
    expect(answer.policyDocument.Statement).toEqual([
      {
        Action: 'execute-api:Invoke',
        Effect: 'Allow',
        Resource: 'arn:aws:execute-api:eu-west-1:111122223333:abc123/live/*',
      },
    ]);
  });

  it('refuses anything that is not a Loupe bearer key (API Gateway answers 401)', async () => {
    for (const token of [
      undefined,
      '',
      key,
      `Basic ${key}`,
      'Bearer lp_short',
      `Bearer ${key} extra`,
      `Bearer sk_${'A'.repeat(30)}`,
    ]) {
      await expect(handler({ authorizationToken: token, methodArn })).rejects.toThrow('Unauthorized');
    }
  });
});
