// The reference app runs cfn-guard's Control Tower rules with only the rule files that can match each template
// (app/guard.ts). The findings must be exactly the stock plugin's, which runs every rule file on every template.
import * as fs from 'fs';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { App, Stack } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { controlTowerRuleFiles, rulesFor, ScopedCfnGuardValidator } from '../../app/guard';

/** A stack of bare L1 resources, each type with Control Tower findings, plus one type no rule names. */
function templateWithFindings(): { appConstruct: App; templatePaths: string[] } {
  const app = new App();
  const stack = new Stack(app, 'Findings', { env: { account: '111111111111', region: 'eu-west-1' } });
  new s3.CfnBucket(stack, 'Bucket');
  new ecr.CfnRepository(stack, 'Repository');
  new kms.CfnKey(stack, 'Key', { keyPolicy: { Version: '2012-10-17', Statement: [] } });
  new logs.CfnLogGroup(stack, 'Logs');
  const role = new iam.CfnRole(stack, 'Role', { assumeRolePolicyDocument: { Version: '2012-10-17', Statement: [] } });
  new iam.CfnPolicy(stack, 'Policy', { policyName: 'p', roles: [role.ref], policyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } });
  new codebuild.CfnProject(stack, 'Project', {
    artifacts: { type: 'NO_ARTIFACTS' },
    serviceRole: role.attrArn,
    source: { type: 'NO_SOURCE', buildSpec: '{}' },
    environment: { type: 'LINUX_CONTAINER', computeType: 'BUILD_GENERAL1_SMALL', image: 'aws/codebuild/standard:7.0', privilegedMode: true },
  });
  new ecr.CfnRegistryScanningConfiguration(stack, 'Scanning', { scanType: 'BASIC', rules: [] });
  return { appConstruct: app, templatePaths: [app.synth().getStackByName('Findings').templateFullPath] };
}

const sorted = (report: { violations: unknown[] }) => report.violations.map((v) => JSON.stringify(v)).sort();

test('finds exactly what the stock cfn-guard plugin finds, with far fewer rule files', () => {
  const context = templateWithFindings();
  const templatePaths = context.templatePaths;
  const stock = new CfnGuardValidator().validate(context);
  const scoped = new ScopedCfnGuardValidator().validate(context);
  expect(stock.success).toBe(false);
  expect(stock.violations.length).toBeGreaterThan(10);
  expect(sorted(scoped)).toEqual(sorted(stock));
  expect(scoped.success).toBe(stock.success);
  const types = new Set(Object.values(JSON.parse(fs.readFileSync(templatePaths[0], 'utf8')).Resources).map((r: any) => String(r.Type).toLowerCase()));
  const all = controlTowerRuleFiles();
  expect(all.length).toBeGreaterThan(200);
  expect(rulesFor(all, types).length).toBeLessThan(all.length / 3);
});

test('a rule file applies when the template has one of its types, whatever the case, or when it names none', () => {
  const rules = [
    { file: 'bucket.guard', types: new Set(['aws::s3::bucket']) },
    { file: 'group.guard', types: new Set(['aws::autoscaling::autoscalinggroup']) },
    { file: 'any.guard', types: new Set<string>() },
  ];
  expect(rulesFor(rules, new Set(['aws::s3::bucket', 'aws::iam::role']))).toEqual(['bucket.guard', 'any.guard']);
  expect(rulesFor(rules, new Set(['aws::iam::role']))).toEqual(['any.guard']);
});

test('reads as the stock plugin in reports: same name, version and rule ids', () => {
  const stock = new CfnGuardValidator();
  const scoped = new ScopedCfnGuardValidator();
  expect([scoped.name, scoped.version, scoped.ruleIds]).toEqual([stock.name, stock.version, stock.ruleIds]);
  expect(scoped.ruleIds!.length).toBeGreaterThan(200);
});
