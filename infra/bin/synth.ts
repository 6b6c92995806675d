/**
 * Synthesises the production stack to infra/cdk.out/ (CloudFormation JSON; elsewhere when CDK_OUTDIR names a
 * folder, as the CDK CLI sets it) without AWS credentials or network: `npm run synth --prefix infra`. Deploying is `npx cdk deploy` with the AWS CDK CLI and credentials.
 */
import * as cdk from 'aws-cdk-lib';
import { fileURLToPath } from 'node:url';
import { production } from '../config/production.js';
import { LoupeStack } from '../lib/loupe-stack.js';

const outdir = process.env.CDK_OUTDIR || fileURLToPath(new URL('../cdk.out', import.meta.url));
const app = new cdk.App({ outdir });
new LoupeStack(app, 'Loupe', production);
const assembly = app.synth();
for (const stack of assembly.stacks) {
  const resources = Object.keys((stack.template as { Resources?: object }).Resources ?? {}).length;
  console.log(`${stack.stackName}: ${resources} resources → ${stack.templateFullPath}`);
}
