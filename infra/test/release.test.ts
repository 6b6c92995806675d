/**
 * Retraining and release as the state machines and the serving service define them: a real lock, debounced
 * landings, approval asked only after a promotion and never blocking training, an immutable bundle pinned in
 * the task definition, and a blue/green rollout that the deployment alarms undo.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Template } from 'aws-cdk-lib/assertions';
import { DEPLOYMENT_ALARMS } from '../lib/serving.js';
import { MAX_RERUNS, RELEASE_EVENT, RETRAIN_TIMEOUT_HOURS } from '../lib/training.js';
import { synthesise, testSettings as settings } from './settings.js';

type Resource = { Type: string; Properties?: Record<string, any> };
let template: Template;
let resources: Record<string, Resource>;
let retrain: any;
let release: any;

function definitionOf(name: string): any {
  const machine = Object.values(resources).find(
    (r) => r.Type === 'AWS::StepFunctions::StateMachine' && r.Properties!.StateMachineName === name,
  )!;
  const parts = machine.Properties!.DefinitionString['Fn::Join'][1] as unknown[];
  // References (partition, table and bucket names) read as "aws": the tests look at the shape, not the names.
  return JSON.parse(parts.map((p) => (typeof p === 'string' ? p : 'aws')).join(''));
}

beforeAll(() => {
  template = synthesise(settings);
  resources = template.toJSON().Resources;
  retrain = definitionOf('loupe-retrain');
  release = definitionOf('loupe-release');
});

describe('the retrain lock', () => {
  it('debounces a landing before it takes the lock', () => {
    expect(retrain.StartAt).toBe('Start counting re-runs');
    expect(retrain.States['Start counting re-runs'].Next).toBe('Let the upload settle');
    expect(retrain.States['Let the upload settle']).toMatchObject({
      Type: 'Wait',
      Seconds: settings.training.debounceMinutes * 60,
      Next: 'Take the lock',
    });
  });

  it('takes the lock with a conditional write that only an absent or expired lock passes', () => {
    const take = retrain.States['Take the lock'];
    expect(take.Resource).toBe('arn:aws:states:::aws-sdk:dynamodb:putItem');
    expect(take.QueryLanguage).toBe('JSONata');
    expect(take.Arguments.ConditionExpression).toBe('attribute_not_exists(pk) OR expiresAt < :now');
    // The lock expires exactly when its execution would time out.
    expect(take.Arguments.Item.expiresAt.N).toContain(
      `$toMillis($states.context.Execution.StartTime) + ${RETRAIN_TIMEOUT_HOURS * 3600_000}`,
    );
    expect(take.Arguments.Item.owner.S).toBe('{% $states.context.Execution.Id %}');
    expect(take.Catch).toEqual([
      expect.objectContaining({
        ErrorEquals: ['DynamoDb.ConditionalCheckFailedException'],
        Next: 'Another run holds the lock',
      }),
    ]);
    expect(retrain.States['Another run holds the lock'].Type).toBe('Succeed');
    expect(take.Next).toBe('Run loupe pipeline');
    expect(retrain.TimeoutSeconds).toBe(RETRAIN_TIMEOUT_HOURS * 3600);
  });

  it('releases the lock, only its own, on every path out of the pipeline', () => {
    const releases = Object.entries(retrain.States).filter(
      ([, s]: [string, any]) => s.Resource === 'arn:aws:states:::aws-sdk:dynamodb:deleteItem',
    );
    expect(releases.map(([name]) => name).sort()).toEqual([
      'Release the lock',
      'Release the lock (Pipeline busy)',
      'Release the lock (Pipeline failed)',
      'Release the lock (Pipeline task failed)',
      'Release the lock (Report unreadable)',
    ]);
    for (const [name, state] of releases as Array<[string, any]>) {
      expect(state.Arguments.ConditionExpression).toBe('#owner = :me');
      if (name !== 'Release the lock') expect(retrain.States[state.Next].Type).toBe('Fail');
    }
    expect(retrain.States['Run loupe pipeline'].Catch[0].Next).toBe('Release the lock (Pipeline task failed)');
  });

  it('fails, and so alarms, on every pipeline exit but 0 and 4', () => {
    const choice = retrain.States['Pipeline succeeded?'];
    const next = Object.fromEntries(choice.Choices.map((c: any) => [c.NumericEquals, c.Next]));
    expect(next).toEqual({ 0: 'Read the run report', 4: 'Report failed files', 3: 'Release the lock (Pipeline busy)' });
    expect(choice.Default).toBe('Release the lock (Pipeline failed)');
    expect(retrain.States['Report failed files'].Next).toBe('Read the run report');
  });

  it('re-runs for files that landed while it held the lock, a bounded number of times', () => {
    const waiting = retrain.States['Files waiting?'];
    expect(waiting.Choices[0].And).toEqual([
      { Variable: '$.waiting.count', NumericGreaterThan: 0 },
      { Variable: '$.loop.count', NumericLessThan: MAX_RERUNS },
    ]);
    expect(waiting.Choices[0].Next).toBe('Count the re-run');
    expect(retrain.States['Count the re-run'].Next).toBe('Take the lock');
    expect(waiting.Default).toBe('Done');
  });
});

describe('training separate from release', () => {
  it('starts a release only when the pipeline promoted a model, and does not wait for it', () => {
    expect(retrain.States['Release the lock'].Next).toBe('Promoted?');
    const promoted = retrain.States['Promoted?'];
    expect(promoted.Choices[0].And).toEqual([
      { Variable: '$.run.report.decision.promote', IsPresent: true },
      { Variable: '$.run.report.decision.promote', BooleanEquals: true },
    ]);
    expect(promoted.Choices[0].Next).toBe('Start the release');
    expect(promoted.Default).toBe('Look for files that landed meanwhile');
    expect(retrain.States['Start the release'].Resource).toBe('arn:aws:states:::states:startExecution');
    expect(JSON.stringify(retrain)).not.toContain('waitForTaskToken');
  });

  it('asks a human, publishes the bundle, then announces it to the deployment pipeline', () => {
    expect(release.StartAt).toBe('Ask for approval');
    expect(release.States['Ask for approval'].Resource).toBe('arn:aws:states:::sns:publish.waitForTaskToken');
    expect(release.States['Ask for approval'].TimeoutSeconds).toBe(settings.training.approvalTimeoutHours * 3600);
    expect(release.States['Ask for approval'].Next).toBe('Publish serving bundle');
    expect(release.States['Publish serving bundle'].Next).toBe('Announce the bundle');
    const entry = release.States['Announce the bundle'].Parameters.Entries[0];
    expect(entry).toMatchObject({ Source: RELEASE_EVENT.source, DetailType: RELEASE_EVENT.detailType });
    // The fleet is never rolled from here: no forced deployment, no pointer the tasks read.
    expect(JSON.stringify([retrain, release])).not.toMatch(/updateService|ForceNewDeployment/);
  });
});

describe('the serving release', () => {
  const containers = () =>
    Object.values(resources)
      .filter((r) => r.Type === 'AWS::ECS::TaskDefinition')
      .flatMap((t) => t.Properties!.ContainerDefinitions as any[]);

  it('pins the bundle id in the task definition', () => {
    const sync = containers().find((c) => c.Name === 'registry-sync');
    expect(sync.Environment).toContainEqual({ Name: 'LOUPE_BUNDLE_ID', Value: settings.serving.bundleId });
    expect(sync.Command[0]).not.toContain('CURRENT');
  });

  it('makes a new task-definition revision when the bundle changes', () => {
    const next = synthesise({ ...settings, serving: { ...settings.serving, bundleId: 'retrain-2026-12-08' } }).toJSON()
      .Resources;
    const serveTask = (r: Record<string, Resource>) =>
      Object.entries(r).find(
        ([, v]) => v.Type === 'AWS::ECS::TaskDefinition' && v.Properties!.Family === 'loupe-serve',
      )!;
    const [id, before] = serveTask(resources);
    const [idAfter, after] = serveTask(next);
    expect(idAfter).toBe(id);
    expect(JSON.stringify(after.Properties)).not.toBe(JSON.stringify(before.Properties));
    expect(JSON.stringify(after.Properties)).toContain('retrain-2026-12-08');
  });

  it('deploys blue/green with a bake time and rolls back on the deployment alarms', () => {
    const [service] = Object.values(resources).filter((r) => r.Type === 'AWS::ECS::Service');
    const config = service!.Properties!.DeploymentConfiguration;
    expect(config.Strategy).toBe('BLUE_GREEN');
    expect(config.BakeTimeInMinutes).toBe(settings.serving.bakeMinutes);
    expect(config.Alarms).toEqual({ AlarmNames: DEPLOYMENT_ALARMS, Enable: true, Rollback: true });
    expect(config.DeploymentCircuitBreaker).toEqual({ Enable: true, Rollback: true });
    const alarmNames = Object.values(resources)
      .filter((r) => r.Type === 'AWS::CloudWatch::Alarm')
      .map((a) => a.Properties!.AlarmName);
    for (const name of DEPLOYMENT_ALARMS) expect(alarmNames).toContain(name);
    const lb = service!.Properties!.LoadBalancers[0];
    expect(lb.AdvancedConfiguration).toMatchObject({
      AlternateTargetGroupArn: expect.anything(),
      ProductionListenerRule: expect.anything(),
      TestListenerRule: expect.anything(),
    });
  });
});
