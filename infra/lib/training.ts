/**
 * Retraining and release, two state machines. `loupe-retrain` starts weekly and whenever a file lands in the
 * landing bucket's incoming/ prefix: it waits for the upload to settle, takes a lock (a conditional write in
 * DynamoDB), runs `loupe pipeline run` as a Fargate task between a restore and a publish of LOUPE_HOME, releases
 * the lock and runs again while files are waiting. Only when the pipeline promoted a model does it start
 * `loupe-release`, which asks a human, publishes an immutable checksummed bundle and announces it; the
 * deployment pipeline then rolls out a task-definition revision pinned to that bundle (serving.ts).
 */
import * as cdk from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import type { Database } from './database.js';
import type { Foundation } from './foundation.js';
import {
  HOME_MOUNT,
  LOUPE_UID,
  RUN_REPORT,
  publishPipelineHome,
  publishServingBundle,
  restorePipelineHome,
} from './registry-sync.js';
import { awsCliImage } from './serving.js';
import type { LoupeSettings } from './settings.js';

export const STATE_MACHINE_NAME = 'loupe-retrain';
export const RELEASE_MACHINE_NAME = 'loupe-release';
/** The two rules that start a retrain, named so that a runbook can pause them (operations.md). */
export const RETRAIN_RULE_NAMES = { weekly: 'loupe-retrain-weekly', landed: 'loupe-retrain-landed' } as const;
/** EventBridge source and detail type of "a bundle was approved and published"; the deployment pipeline listens. */
export const RELEASE_EVENT = { source: 'loupe.release', detailType: 'Loupe bundle approved' } as const;
/** Longest a retrain may hold the lock: the state machine's timeout, after which the lock expires by itself. */
export const RETRAIN_TIMEOUT_HOURS = 3;
/** Re-runs one execution makes for files that landed while it held the lock. */
export const MAX_RERUNS = 3;

export class Training extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly releaseMachine: sfn.StateMachine;
  readonly lockTable: dynamodb.Table;
  readonly pipelineLogs: cdk.aws_logs.LogGroup;
  readonly taskGroup: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, base: Foundation, settings: LoupeSettings, database: Database) {
    super(scope, id);
    const t = settings.training;
    const platform = {
      cpuArchitecture: ecs.CpuArchitecture.ARM64,
      operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
    };
    this.pipelineLogs = base.logGroup('PipelineLogs', settings.appLogRetentionDays);
    const syncLogs = base.logGroup('PipelineSyncLogs', settings.appLogRetentionDays);

    // Task 1: restore → loupe pipeline run → publish, in one task sharing one ephemeral volume.
    const pipelineTask = new ecs.FargateTaskDefinition(this, 'PipelineTask', {
      family: 'loupe-pipeline',
      cpu: t.taskCpu,
      memoryLimitMiB: t.taskMemoryMiB,
      runtimePlatform: platform,
      volumes: [{ name: 'home' }, { name: 'tmp' }],
    });
    base.registry.grantReadWrite(pipelineTask.taskRole, 'home/*');
    base.landing.grantRead(pipelineTask.taskRole, 'incoming/*');
    base.landing.grantDelete(pipelineTask.taskRole, 'incoming/*');
    base.landing.grantPut(pipelineTask.taskRole, 'processed/*');
    base.landing.grantPut(pipelineTask.taskRole, 'failed/*');
    const cli = awsCliImage(this, settings, pipelineTask);
    const bucketEnv = { REGISTRY_BUCKET: base.registry.bucketName, LANDING_BUCKET: base.landing.bucketName };

    const restore = pipelineTask.addContainer('restore', {
      image: cli,
      essential: false,
      entryPoint: ['/bin/sh', '-c'],
      command: [restorePipelineHome],
      environment: bucketEnv,
      logging: ecs.LogDrivers.awsLogs({ streamPrefix: 'restore', logGroup: syncLogs }),
    });
    // The pipeline task can reach the shared database from the first deployment, so that `loupe db copy` can fill
    // it before the switch (operations.md); Loupe uses it only when LOUPE_DATABASE_URL names it (tasksConnect).
    const connection = database.connection();
    const databaseEnv = settings.database.tasksConnect
      ? connection.environment
      : { LOUPE_SHARED_DATABASE_URL: connection.environment.LOUPE_DATABASE_URL! };
    const pipeline = pipelineTask.addContainer('pipeline', {
      image: ecs.ContainerImage.fromEcrRepository(base.images, settings.imageTag),
      essential: false,
      // --json: the report is machine-readable; the metric filters in monitoring.ts read its drift and evaluation
      // from the log, the state machine reads its decision from the copy left in the home.
      entryPoint: ['/bin/sh', '-c'],
      command: [
        `node bin/loupe.js pipeline run --incoming ${HOME_MOUNT}/incoming --json > ${HOME_MOUNT}/${RUN_REPORT}; code=$?; ` +
          `cat ${HOME_MOUNT}/${RUN_REPORT}; exit $code`,
      ],
      user: LOUPE_UID,
      readonlyRootFilesystem: true,
      environment: { LOUPE_HOME: HOME_MOUNT, NODE_ENV: 'production', ...databaseEnv },
      secrets: connection.secrets,
      // The JSON report is printed indented; a new log event starts only at a line opening with "{", so the whole
      // report is one event that a JSON metric filter can read.
      logging: ecs.LogDrivers.awsLogs({
        streamPrefix: 'pipeline',
        logGroup: this.pipelineLogs,
        multilinePattern: '^\\{',
      }),
    });
    const publish = pipelineTask.addContainer('publish', {
      image: cli,
      essential: true,
      entryPoint: ['/bin/sh', '-c'],
      command: [publishPipelineHome],
      environment: bucketEnv,
      logging: ecs.LogDrivers.awsLogs({ streamPrefix: 'publish', logGroup: syncLogs }),
    });
    for (const c of [restore, pipeline, publish]) {
      c.addMountPoints({ sourceVolume: 'home', containerPath: HOME_MOUNT, readOnly: false });
    }
    pipeline.addMountPoints({ sourceVolume: 'tmp', containerPath: '/tmp', readOnly: false });
    pipeline.addContainerDependencies({ container: restore, condition: ecs.ContainerDependencyCondition.SUCCESS });
    // COMPLETE, not SUCCESS: the home is published whatever the exit code; the state machine reads the code.
    publish.addContainerDependencies({ container: pipeline, condition: ecs.ContainerDependencyCondition.COMPLETE });

    // Task 2 (after approval): copy home/ to an immutable serving bundle. Its own role: read home, write serving.
    const promoteTask = new ecs.FargateTaskDefinition(this, 'PromoteTask', {
      family: 'loupe-promote-bundle',
      cpu: 256,
      memoryLimitMiB: 512,
      runtimePlatform: platform,
    });
    base.registry.grantRead(promoteTask.taskRole, 'home/*');
    base.registry.grantPut(promoteTask.taskRole, 'serving/*');
    const promote = promoteTask.addContainer('promote', {
      image: awsCliImage(this, settings, promoteTask),
      entryPoint: ['/bin/sh', '-c'],
      command: [publishServingBundle],
      environment: {
        REGISTRY_BUCKET: base.registry.bucketName,
        // With the shared database the bundle carries the model files only.
        ...(settings.database.tasksConnect ? { BUNDLE_INCLUDE: 'models/' } : {}),
      },
      logging: ecs.LogDrivers.awsLogs({ streamPrefix: 'promote', logGroup: syncLogs }),
    });

    const taskGroup = new ec2.SecurityGroup(this, 'TaskSg', {
      vpc: base.vpc,
      description: 'pipeline tasks: no inbound at all; outbound to VPC endpoints only (no internet route)',
      allowAllOutbound: true,
    });
    this.taskGroup = taskGroup;
    const runOn = {
      cluster: base.cluster,
      launchTarget: new tasks.EcsFargateLaunchTarget({ platformVersion: ecs.FargatePlatformVersion.LATEST }),
      subnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      securityGroups: [taskGroup],
      assignPublicIp: false,
      integrationPattern: sfn.IntegrationPattern.RUN_JOB,
    };

    // The lock: one item, written only if absent or expired. It expires when the execution that wrote it times
    // out, so a crashed run cannot block the next one for longer than that.
    this.lockTable = new dynamodb.Table(this, 'Locks', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: base.key,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      removalPolicy: cdk.RemovalPolicy.RETAIN,
    });
    const lockItem = { pk: { S: 'retrain' } };
    const execution = '{% $states.context.Execution.Id %}';
    const takeLock = () =>
      tasks.CallAwsService.jsonata(this, 'Take the lock', {
        service: 'dynamodb',
        action: 'putItem',
        iamResources: [this.lockTable.tableArn],
        parameters: {
          TableName: this.lockTable.tableName,
          Item: {
            ...lockItem,
            owner: { S: execution },
            expiresAt: {
              N: `{% $string($toMillis($states.context.Execution.StartTime) + ${RETRAIN_TIMEOUT_HOURS * 3600_000}) %}`,
            },
          },
          ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now',
          ExpressionAttributeValues: { ':now': { N: '{% $string($millis()) %}' } },
        },
        outputs: '{% $states.input %}',
      });
    const releaseLock = (id: string) =>
      tasks.CallAwsService.jsonata(this, id, {
        service: 'dynamodb',
        action: 'deleteItem',
        iamResources: [this.lockTable.tableArn],
        parameters: {
          TableName: this.lockTable.tableName,
          Key: lockItem,
          ConditionExpression: '#owner = :me',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: { ':me': { S: execution } },
        },
        outputs: '{% $states.input %}',
      });

    const runPipeline = new tasks.EcsRunTask(this, 'Run loupe pipeline', {
      ...runOn,
      taskDefinition: pipelineTask,
      resultSelector: { 'containers.$': '$.Containers', 'stoppedReason.$': '$.StoppedReason' },
      resultPath: '$.pipeline',
      taskTimeout: sfn.Timeout.duration(cdk.Duration.hours(2)),
    });
    const failed = (id: string, cause: string) =>
      releaseLock(`Release the lock (${id})`).next(new sfn.Fail(this, id, { cause }));

    // Release: its own state machine, so a pending approval never blocks the next retrain.
    const askApproval = new tasks.SnsPublish(this, 'Ask for approval', {
      topic: base.alerts,
      integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
      subject: 'Loupe: a promoted model waits for approval to serve',
      message: sfn.TaskInput.fromObject({
        bundle: sfn.JsonPath.stringAt('$.bundleId'),
        decision: sfn.JsonPath.stringAt('$.decision'),
        report: `s3://${base.registry.bucketName}/home/reports/`,
        approve: 'aws stepfunctions send-task-success --task-token <token> --task-output "{}"',
        reject: 'aws stepfunctions send-task-failure --task-token <token>',
        token: sfn.JsonPath.taskToken,
      }),
      resultPath: sfn.JsonPath.DISCARD,
      taskTimeout: sfn.Timeout.duration(cdk.Duration.hours(t.approvalTimeoutHours)),
    });
    const rejected = new sfn.Succeed(this, 'Not approved: serving unchanged');
    const publishBundle = new tasks.EcsRunTask(this, 'Publish serving bundle', {
      ...runOn,
      taskDefinition: promoteTask,
      containerOverrides: [
        {
          containerDefinition: promote,
          environment: [{ name: 'BUNDLE_ID', value: sfn.JsonPath.stringAt('$.bundleId') }],
        },
      ],
      resultPath: sfn.JsonPath.DISCARD,
    });
    const announce = new tasks.EventBridgePutEvents(this, 'Announce the bundle', {
      entries: [
        {
          source: RELEASE_EVENT.source,
          detailType: RELEASE_EVENT.detailType,
          detail: sfn.TaskInput.fromObject({ bundleId: sfn.JsonPath.stringAt('$.bundleId') }),
        },
      ],
      resultPath: sfn.JsonPath.DISCARD,
    });
    this.releaseMachine = new sfn.StateMachine(this, 'Release', {
      stateMachineName: RELEASE_MACHINE_NAME,
      definitionBody: sfn.DefinitionBody.fromChainable(
        askApproval.addCatch(rejected).next(publishBundle).next(announce),
      ),
      timeout: cdk.Duration.hours(t.approvalTimeoutHours + 1),
      tracingEnabled: false,
      logs: { destination: base.logGroup('ReleaseLogs', settings.appLogRetentionDays), level: sfn.LogLevel.ERROR },
    });

    const reportFailedFiles = new tasks.SnsPublish(this, 'Report failed files', {
      topic: base.alerts,
      subject: 'Loupe: some landed files could not be read',
      message: sfn.TaskInput.fromObject({
        execution: sfn.JsonPath.executionName,
        files: `s3://${base.landing.bucketName}/failed/`,
        rejects: 'loupe rejects list (in an admin task) names each file and reason',
      }),
      resultPath: sfn.JsonPath.DISCARD,
    });
    const readReport = new tasks.CallAwsService(this, 'Read the run report', {
      service: 's3',
      action: 'getObject',
      iamAction: 's3:GetObject',
      iamResources: [base.registry.arnForObjects(`home/${RUN_REPORT}`)],
      parameters: { Bucket: base.registry.bucketName, Key: `home/${RUN_REPORT}` },
      resultSelector: { 'report.$': 'States.StringToJson($.Body)' },
      resultPath: '$.run',
    });
    const startRelease = new tasks.StepFunctionsStartExecution(this, 'Start the release', {
      stateMachine: this.releaseMachine,
      integrationPattern: sfn.IntegrationPattern.REQUEST_RESPONSE,
      input: sfn.TaskInput.fromObject({
        bundleId: sfn.JsonPath.executionName,
        decision: sfn.JsonPath.stringAt('$.run.report.decision.reason'),
      }),
      resultPath: sfn.JsonPath.DISCARD,
    });
    const waitingFiles = new tasks.CallAwsService(this, 'Look for files that landed meanwhile', {
      service: 's3',
      action: 'listObjectsV2',
      iamAction: 's3:ListBucket',
      iamResources: [base.landing.bucketArn],
      parameters: { Bucket: base.landing.bucketName, Prefix: 'incoming/', MaxKeys: 1 },
      resultSelector: { 'count.$': '$.KeyCount' },
      resultPath: '$.waiting',
    });
    const again = new sfn.Pass(this, 'Count the re-run', {
      parameters: { 'count.$': 'States.MathAdd($.loop.count, 1)' },
      resultPath: '$.loop',
    });
    const done = new sfn.Succeed(this, 'Done');
    const lock = takeLock();
    const afterRun = releaseLock('Release the lock').next(
      new sfn.Choice(this, 'Promoted?')
        .when(
          sfn.Condition.and(
            sfn.Condition.isPresent('$.run.report.decision.promote'),
            sfn.Condition.booleanEquals('$.run.report.decision.promote', true),
          ),
          startRelease.next(waitingFiles),
        )
        .otherwise(waitingFiles),
    );
    waitingFiles.next(
      new sfn.Choice(this, 'Files waiting?')
        .when(
          sfn.Condition.and(
            sfn.Condition.numberGreaterThan('$.waiting.count', 0),
            sfn.Condition.numberLessThan('$.loop.count', MAX_RERUNS),
          ),
          again.next(lock),
        )
        .otherwise(done),
    );

    // A missing exit code (the pipeline container never started) fails the execution, which alarms.
    const pipelineBranch = runPipeline
      .addCatch(failed('Pipeline task failed', 'the pipeline task did not run to completion'), {
        resultPath: '$.error',
      })
      .next(
        new sfn.Pass(this, 'Find the pipeline container', {
          parameters: { 'codes.$': "$.pipeline.containers[?(@.Name == 'pipeline')].ExitCode" },
          resultPath: '$.outcome',
        }),
      )
      .next(
        new sfn.Pass(this, 'Read its exit code', {
          parameters: { 'exitCode.$': 'States.ArrayGetItem($.outcome.codes, 0)' },
          resultPath: '$.outcome',
        }),
      )
      .next(
        // Exit codes of `loupe pipeline run`: 0 done, 1 failure, 2 usage, 3 busy (another run holds Loupe's own
        // lock: under this lock that means something else wrote the home, so it alarms), 4 done but some files
        // failed as a whole (moved to failed/ in the landing bucket).
        new sfn.Choice(this, 'Pipeline succeeded?')
          .when(sfn.Condition.numberEquals('$.outcome.exitCode', 0), readReport)
          .when(sfn.Condition.numberEquals('$.outcome.exitCode', 4), reportFailedFiles.next(readReport))
          .when(
            sfn.Condition.numberEquals('$.outcome.exitCode', 3),
            failed('Pipeline busy', "Loupe's own lock was held: a second writer touched the home"),
          )
          .otherwise(failed('Pipeline failed', 'loupe pipeline run exited non-zero or the task stopped')),
      );
    readReport
      .addCatch(failed('Report unreadable', `home/${RUN_REPORT} is missing or not JSON`), { resultPath: '$.error' })
      .next(afterRun);

    // Landings are debounced: every file of a multi-file upload starts an execution; each waits, then one takes
    // the lock and runs on all of them, the others end at once, and files landing during the run are picked
    // up by its re-run. The weekly start waits too, which costs nothing.
    const definition = new sfn.Pass(this, 'Start counting re-runs', {
      result: sfn.Result.fromObject({ count: 0 }),
      resultPath: '$.loop',
    })
      .next(
        new sfn.Wait(this, 'Let the upload settle', {
          time: sfn.WaitTime.duration(cdk.Duration.minutes(t.debounceMinutes)),
        }),
      )
      .next(
        lock.addCatch(new sfn.Succeed(this, 'Another run holds the lock'), {
          errors: ['DynamoDb.ConditionalCheckFailedException'],
        }),
      )
      .next(pipelineBranch);

    this.stateMachine = new sfn.StateMachine(this, 'Retrain', {
      stateMachineName: STATE_MACHINE_NAME,
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
      timeout: cdk.Duration.hours(RETRAIN_TIMEOUT_HOURS),
      tracingEnabled: false,
      logs: { destination: base.logGroup('RetrainLogs', settings.appLogRetentionDays), level: sfn.LogLevel.ERROR },
    });
    base.key.grantDecrypt(this.stateMachine);

    new events.Rule(this, 'Weekly', {
      ruleName: RETRAIN_RULE_NAMES.weekly,
      description: 'scheduled retrain',
      schedule: events.Schedule.cron(t.scheduleCron),
      targets: [new targets.SfnStateMachine(this.stateMachine)],
    });
    new events.Rule(this, 'FileLanded', {
      ruleName: RETRAIN_RULE_NAMES.landed,
      description: 'event-driven retrain: a file arrived in the landing bucket',
      eventPattern: {
        source: ['aws.s3'],
        detailType: ['Object Created'],
        detail: { bucket: { name: [base.landing.bucketName] }, object: { key: [{ prefix: 'incoming/' }] } },
      },
      targets: [new targets.SfnStateMachine(this.stateMachine)],
    });
  }
}
