/** The explicit settings the infra tests synthesise from, so every property they assert is deliberate. */
import * as cdk from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { LoupeStack } from '../lib/loupe-stack.js';
import type { LoupeSettings } from '../lib/settings.js';

export const testSettings: LoupeSettings = {
  region: 'eu-west-1',
  account: '111122223333',
  availabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'],
  imageTag: 'test-tag',
  awsCliTag: '2.22.35',
  operatorEmail: 'ops@example.com',
  serving: {
    taskCpu: 1024,
    taskMemoryMiB: 2048,
    minTasks: 3,
    maxTasks: 17,
    targetCpuPercent: 55,
    plannedLoadPerSecond: 10,
    bundleId: 'retrain-2026-12-01',
    bakeMinutes: 15,
  },
  training: {
    taskCpu: 2048,
    taskMemoryMiB: 4096,
    scheduleCron: { minute: '0', hour: '3', weekDay: 'MON' },
    approvalTimeoutHours: 72,
    debounceMinutes: 5,
  },
  slo: {
    p99LatencyMs: 300,
    serverErrorRate: 0.001,
    driftPsi: 0.25,
    freshErrorRatio: 1.5,
    throttledPerFiveMinutes: 100,
    wafBlocksPerFiveMinutes: 1000,
  },
  tiers: [
    { name: 'trial', ratePerSecond: 5, burst: 10, monthlyQuota: 1_000_000 },
    { name: 'standard', ratePerSecond: 50, burst: 100, monthlyQuota: 10_000_000 },
    { name: 'volume', ratePerSecond: 500, burst: 1_000, monthlyQuota: 500_000_000 },
  ],
  requestLogRetentionDays: 90,
  appLogRetentionDays: 30,
};

/** Synthesises the stack offline from the given settings. */
export function synthesise(settings: LoupeSettings = testSettings): Template {
  const app = new cdk.App();
  return Template.fromStack(new LoupeStack(app, 'Loupe', settings));
}
