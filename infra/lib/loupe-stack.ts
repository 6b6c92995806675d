/** Loupe on AWS: one stack, one region, three Availability Zones. */
import * as cdk from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { Database } from './database.js';
import { Foundation } from './foundation.js';
import { Monitoring } from './monitoring.js';
import { RequestLog } from './request-log.js';
import { Serving } from './serving.js';
import type { LoupeSettings } from './settings.js';
import { Training } from './training.js';

export class LoupeStack extends cdk.Stack {
  readonly foundation: Foundation;
  readonly database: Database;
  readonly requestLog: RequestLog;
  readonly serving: Serving;
  readonly training: Training;
  readonly monitoring: Monitoring;

  constructor(scope: Construct, id: string, settings: LoupeSettings) {
    super(scope, id, {
      env: { account: settings.account, region: settings.region },
      description: 'Loupe diamond valuations: partner API, retraining pipeline, registry, monitoring',
    });
    if (settings.serving.minTasks < settings.availabilityZones.length) {
      throw new Error(
        `serving.minTasks (${settings.serving.minTasks}) must be at least one task per Availability Zone`,
      );
    }
    if (settings.serving.maxTasks < settings.serving.minTasks) {
      throw new Error('serving.maxTasks must not be below serving.minTasks');
    }
    this.foundation = new Foundation(this, 'Foundation', settings);
    this.database = new Database(this, 'Database', this.foundation, settings);
    this.serving = new Serving(this, 'Serving', this.foundation, settings, this.database);
    this.training = new Training(this, 'Training', this.foundation, settings, this.database);
    this.database.admit(this.serving.taskGroup, 'loupe serve tasks');
    this.database.admit(this.training.taskGroup, 'pipeline tasks');
    this.requestLog = new RequestLog(this, 'RequestLog', this.foundation, settings, this.serving.accessLogs);
    this.monitoring = new Monitoring(
      this,
      'Monitoring',
      this.foundation,
      settings,
      this.serving,
      this.training,
      this.requestLog,
    );
    cdk.Tags.of(this).add('project', 'loupe');
  }
}
