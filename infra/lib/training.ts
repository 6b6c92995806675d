/**
 * Retraining: a Step Functions state machine started weekly and whenever a file lands in the landing
 * bucket's incoming/ prefix. It runs `loupe pipeline run` as a Fargate task between a restore and a publish
 * of LOUPE_HOME, asks a human to approve the new bundle, then publishes it to serving and rolls the fleet.
 */
import * as cdk from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import type { Foundation } from './foundation.js';
import { HOME_MOUNT, LOUPE_UID, publishPipelineHome, publishServingBundle, restorePipelineHome } from './registry-sync.js';
import { awsCliImage } from './serving.js';
import type { LoupeSettings } from './settings.js';

export const STATE_MACHINE_NAME = 'loupe-retrain';

export class Training extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly pipelineLogs: cdk.aws_logs.LogGroup;

  constructor(scope: Construct, id: string, base: Foundation, settings: LoupeSettings, servingService: ecs.FargateService) {
    super(scope, id);
    const t = settings.training;
    const platform = { cpuArchitecture: ecs.CpuArchitecture.ARM64, operatingSystemFamily: ecs.OperatingSystemFamily.LINUX };
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
    const pipeline = pipelineTask.addContainer('pipeline', {
      image: ecs.ContainerImage.fromEcrRepository(base.images, settings.imageTag),
      essential: false,
      // --json: the report is machine-readable; the metric filters in monitoring.ts read its drift and evaluation.
      command: ['pipeline', 'run', '--incoming', `${HOME_MOUNT}/incoming`, '--json'],
      user: LOUPE_UID,
      readonlyRootFilesystem: true,
      environment: { LOUPE_HOME: HOME_MOUNT, NODE_ENV: 'production' },
      // The JSON report is printed indented; a new log event starts only at a line opening with "{", so the whole
      // report is one event that a JSON metric filter can read.
      logging: ecs.LogDrivers.awsLogs({ streamPrefix: 'pipeline', logGroup: this.pipelineLogs, multilinePattern: '^\\{' }),
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
      environment: { REGISTRY_BUCKET: base.registry.bucketName },
      logging: ecs.LogDrivers.awsLogs({ streamPrefix: 'promote', logGroup: syncLogs }),
    });

    const taskGroup = new ec2.SecurityGroup(this, 'TaskSg', {
      vpc: base.vpc,
      description: 'pipeline tasks: no inbound at all; outbound to VPC endpoints only (no internet route)',
      allowAllOutbound: true,
    });
    const runOn = {
      cluster: base.cluster,
      launchTarget: new tasks.EcsFargateLaunchTarget({ platformVersion: ecs.FargatePlatformVersion.LATEST }),
      subnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      securityGroups: [taskGroup],
      assignPublicIp: false,
      integrationPattern: sfn.IntegrationPattern.RUN_JOB,
    };

    const runPipeline = new tasks.EcsRunTask(this, 'Run loupe pipeline', {
      ...runOn,
      taskDefinition: pipelineTask,
      resultSelector: { 'containers.$': '$.Containers', 'stoppedReason.$': '$.StoppedReason' },
      resultPath: '$.pipeline',
      taskTimeout: sfn.Timeout.duration(cdk.Duration.hours(2)),
    });
    const failed = new sfn.Fail(this, 'Pipeline failed', { cause: 'loupe pipeline run exited non-zero or the task stopped' });
    const askApproval = new tasks.SnsPublish(this, 'Ask for approval', {
      topic: base.alerts,
      integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
      subject: 'Loupe: a retrained model waits for approval',
      message: sfn.TaskInput.fromObject({
        execution: sfn.JsonPath.executionName,
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
        { containerDefinition: promote, environment: [{ name: 'BUNDLE_ID', value: sfn.JsonPath.executionName }] },
      ],
      resultPath: sfn.JsonPath.DISCARD,
    });
    const rollServing = new tasks.CallAwsService(this, 'Roll the serving fleet', {
      service: 'ecs',
      action: 'updateService',
      parameters: { Cluster: base.cluster.clusterArn, Service: servingService.serviceName, ForceNewDeployment: true },
      iamResources: [servingService.serviceArn],
      resultPath: sfn.JsonPath.DISCARD,
    });

    const approval = askApproval.addCatch(rejected).next(publishBundle).next(rollServing);
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

    // One run at a time: two runs would race on home/. A run that finds another one going ends at once; the
    // files it was started for wait in incoming/ for the next run (the next landing or the weekly schedule).
    const ownArn = cdk.Stack.of(this).formatArn({
      service: 'states',
      resource: 'stateMachine',
      resourceName: STATE_MACHINE_NAME,
      arnFormat: cdk.ArnFormat.COLON_RESOURCE_NAME,
    });
    const guard = new tasks.CallAwsService(this, 'Count running executions', {
      service: 'sfn',
      action: 'listExecutions',
      iamAction: 'states:ListExecutions',
      iamResources: [ownArn],
      parameters: { StateMachineArn: ownArn, StatusFilter: 'RUNNING', MaxResults: 10 },
      resultSelector: { 'running.$': 'States.ArrayLength($.Executions)' },
      resultPath: '$.guard',
    });
    const alreadyRunning = new sfn.Succeed(this, 'Another run is in progress');

    // A missing exit code (the pipeline container never started) fails the execution, which alarms.
    const pipelineBranch = runPipeline
      .addCatch(failed, { resultPath: '$.error' })
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
        // Exit codes of `loupe pipeline run`: 0 done, 1 failure, 2 usage, 3 busy (another run holds the lock),
        // 4 done but some files failed as a whole (moved to failed/ in the landing bucket).
        new sfn.Choice(this, 'Pipeline succeeded?')
          .when(sfn.Condition.numberEquals('$.outcome.exitCode', 0), approval)
          .when(sfn.Condition.numberEquals('$.outcome.exitCode', 4), reportFailedFiles.next(approval))
          .when(sfn.Condition.numberEquals('$.outcome.exitCode', 3), new sfn.Succeed(this, 'Pipeline busy: nothing done'))
          .otherwise(failed),
      );
    const definition = guard.next(
      new sfn.Choice(this, 'Alone?')
        .when(sfn.Condition.numberGreaterThan('$.guard.running', 1), alreadyRunning)
        .otherwise(pipelineBranch),
    );

    this.stateMachine = new sfn.StateMachine(this, 'Retrain', {
      stateMachineName: STATE_MACHINE_NAME,
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
      timeout: cdk.Duration.hours(t.approvalTimeoutHours + 4),
      tracingEnabled: false,
      logs: { destination: base.logGroup('RetrainLogs', settings.appLogRetentionDays), level: sfn.LogLevel.ERROR },
    });

    new events.Rule(this, 'Weekly', {
      description: 'scheduled retrain',
      schedule: events.Schedule.cron(t.scheduleCron),
      targets: [new targets.SfnStateMachine(this.stateMachine)],
    });
    new events.Rule(this, 'FileLanded', {
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
