/** The settings the infra tests synthesise from: production's, with every value a test depends on pinned here. */
import * as cdk from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { LoupeStack } from '../lib/loupe-stack.js';
import type { LoupeSettings } from '../lib/settings.js';
import { production } from '../config/production.js';

/**
 * Production's settings, with what production reads from the environment pinned, and two values moved off
 * production's so that a test asserting them proves the stack takes them from the settings (not a default that
 * happens to agree): the fleet ceiling and the standard tier's quota.
 */
export const testSettings: LoupeSettings = {
  ...production,
  account: '111122223333',
  imageTag: 'test-tag',
  operatorEmail: 'ops@example.com',
  serving: { ...production.serving, maxTasks: 17, bundleId: 'retrain-2026-12-01' },
  tiers: production.tiers.map((t) => (t.name === 'standard' ? { ...t, monthlyQuota: 10_000_000 } : t)),
};

/**
 * Synthesises the stack offline from the given settings. Without the CloudFormation validation CDK runs on every
 * synth by default (a WebAssembly rule engine, about half of a synth's CPU): its findings are warnings that no test
 * here reads or can fail on. `npm run synth` (bin/synth.ts, synth.test.ts) still runs it on the production stack.
 */
export function synthesise(settings: LoupeSettings = testSettings): Template {
  const app = new cdk.App({ builtinCloudFormationValidation: false });
  return Template.fromStack(new LoupeStack(app, 'Loupe', settings));
}
