import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import { EcsDeployRole, EcsDeployRoleProps, ImageBuildProject, ImagePromotionPipeline, ImageRepository, PIPELINE_ROLE_PATH, ScanGate } from '../../src';
import { nagFindings } from '../support/compliance';
import { AccessModel } from '../support/iam-simulation';
import { synthesisProblems } from '../support/problems';

const PIPELINE_ACCOUNT = '111111111111';
const WORKLOAD_ACCOUNT = '333333333333';
const REGION = 'eu-west-1';
const BUCKET = `${PIPELINE_ACCOUNT}-${REGION}-storefront-pipeline`;
const ROLE_NAME = 'storefront-prod-deploy';
const CONNECTION = 'arn:aws:codeconnections:eu-west-1:111111111111:connection/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0';

/** A workload account's Fargate service, in a cluster and service of known names. */
function workloadStack(app: App, props: Partial<EcsDeployRoleProps> = {}) {
  const stack = new Stack(app, 'Workload', { env: { account: WORKLOAD_ACCOUNT, region: REGION } });
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'app', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
  const cluster = new ecs.Cluster(stack, 'Cluster', { vpc, clusterName: 'storefront-prod' });
  const task = new ecs.FargateTaskDefinition(stack, 'Task', { family: 'storefront' });
  const repository = ImageRepository.fromRepositoryAttributes(stack, 'Repository', {
    repositoryName: 'platform/storefront', repositoryArn: `arn:aws:ecr:${REGION}:${PIPELINE_ACCOUNT}:repository/platform/storefront`,
  });
  // An image from ECR: the task gets an execution role that pulls it.
  task.addContainer('app', { image: ecs.ContainerImage.fromEcrRepository(repository, 'prod') });
  const service = new ecs.FargateService(stack, 'Service', { cluster, taskDefinition: task, serviceName: 'storefront' });
  const deploy = new EcsDeployRole(stack, 'Deploy', { pipelineAccount: PIPELINE_ACCOUNT, roleName: ROLE_NAME, services: [service], artifactBucketName: BUCKET, ...props });
  return { stack, deploy, task };
}

/** The registry with the build, and the pipeline in a stack of its own that deploys the workload's service. */
function platform() {
  const app = new App();
  const env = { account: PIPELINE_ACCOUNT, region: REGION };
  const workload = workloadStack(app);
  const registry = new Stack(app, 'Registry', { env });
  const repository = new ImageRepository(registry, 'Repository', { repositoryName: 'platform/storefront', mutableTagPatterns: ['dev', 'prod'] });
  const build = new ImageBuildProject(registry, 'Build', { repository, environmentTags: ['dev'], promotionTags: ['prod'], scanGate: ScanGate.basic() });
  const delivery = new Stack(app, 'Delivery', { env });
  const service = ecs.FargateService.fromServiceArnWithCluster(delivery, 'ProdService', `arn:aws:ecs:${REGION}:${WORKLOAD_ACCOUNT}:service/storefront-prod/storefront`);
  const deployRole = iam.Role.fromRoleArn(delivery, 'ProdDeploy', EcsDeployRole.roleArn(delivery, WORKLOAD_ACCOUNT, ROLE_NAME), { mutable: false });
  new ImagePromotionPipeline(delivery, 'Promotion', {
    connectionArn: CONNECTION,
    sourceOwner: 'example-org',
    sourceRepository: 'storefront',
    buildProject: build,
    artifactBucketName: BUCKET,
    environments: [{ name: 'dev' }, { name: 'prod', ecsDeployments: [{ service, containerName: 'app', deployRole }] }],
  });
  delivery.addStackDependency(workload.stack);
  return { app, workload, registry, delivery, model: new AccessModel(app.synth()) };
}

describe('EcsDeployRole', () => {
  const { workload, registry, delivery, model } = platform();
  const deployRole = { stack: 'Workload', role: 'DeployRole' };
  const trust = model.resourceWithPolicy('Workload', 'DeployRole', 'AWS::IAM::Role', 'AssumeRolePolicyDocument');
  const ecsArn = (resource: string) => `arn:aws:ecs:${REGION}:${WORKLOAD_ACCOUNT}:${resource}`;

  test('the pipeline imports the role by the ARN the workload stack gives it', () => {
    expect(model.roleArn('Workload', 'DeployRole')).toBe(`arn:aws:iam::${WORKLOAD_ACCOUNT}:role/${ROLE_NAME}`);
    expect(delivery.resolve(EcsDeployRole.roleArn(delivery, WORKLOAD_ACCOUNT, ROLE_NAME))).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${WORKLOAD_ACCOUNT}:role/${ROLE_NAME}`]],
    });
  });

  test('only the pipeline\'s role may assume it: not another role of the pipeline account, not another account', async () => {
    const pipelineRole = model.roleArn('Delivery', 'PromotionRole');
    expect(pipelineRole).toMatch(new RegExp(`^arn:aws:iam::${PIPELINE_ACCOUNT}:role${PIPELINE_ROLE_PATH}`));
    // Cross-account: the pipeline role's own policy must allow it too (aws-cdk-lib grants sts:AssumeRole on the action role).
    expect((await model.check({ stack: 'Delivery', role: 'PromotionRole' }, 'sts:AssumeRole', trust)).allowed).toBe(true);
    const admin = (arn: string) => ({ arn, policies: [[{ Effect: 'Allow', Action: '*', Resource: '*' }]] });
    expect((await model.check(admin(`arn:aws:iam::${PIPELINE_ACCOUNT}:role/Admin`), 'sts:AssumeRole', trust)).allowed).toBe(false);
    expect((await model.check(admin(`arn:aws:iam::444444444444:role${PIPELINE_ROLE_PATH}Other`), 'sts:AssumeRole', trust)).allowed).toBe(false);
    // The build of the same account is no pipeline role.
    expect((await model.check({ stack: 'Registry', role: 'BuildRole' }, 'sts:AssumeRole', trust)).allowed).toBe(false);
  });

  test.each([
    ['ecs:UpdateService', ecsArn('service/storefront-prod/storefront'), true],
    ['ecs:UpdateService', ecsArn('service/storefront-prod/catalog'), false],
    ['ecs:DescribeServices', ecsArn('service/storefront-prod/storefront'), true],
    ['ecs:RegisterTaskDefinition', ecsArn('task-definition/storefront:7'), true],
    ['ecs:DescribeTasks', ecsArn('task/storefront-prod/0123456789abcdef0123456789abcdef'), true],
    ['ecs:DescribeTasks', ecsArn('task/other/0123456789abcdef0123456789abcdef'), false],
    ['ecs:DeleteService', ecsArn('service/storefront-prod/storefront'), false],
    ['ecs:RunTask', ecsArn('task-definition/storefront:7'), false],
  ])('%s on %s: %s', async (action, resource, allowed) => {
    expect((await model.check(deployRole, action, { arn: resource })).allowed).toBe(allowed);
  });

  test('lists the tasks of its services\' clusters only', async () => {
    const arn = model.roleArn('Workload', 'DeployRole');
    const list = async (cluster: string) => (await model.check(deployRole, 'ecs:ListTasks', { arn: ecsArn(`container-instance/${cluster}/0123`) },
      { 'aws:PrincipalArn': arn, 'aws:PrincipalAccount': WORKLOAD_ACCOUNT, 'ecs:cluster': ecsArn(`cluster/${cluster}`) })).allowed;
    expect(await list('storefront-prod')).toBe(true);
    expect(await list('payments-prod')).toBe(false);
  });

  test('tags only the revisions it registers', async () => {
    const revision = { arn: ecsArn('task-definition/storefront:7') };
    const arn = model.roleArn('Workload', 'DeployRole');
    const context = (createAction: string) => ({ 'aws:PrincipalArn': arn, 'aws:PrincipalAccount': WORKLOAD_ACCOUNT, 'ecs:CreateAction': createAction });
    expect((await model.check(deployRole, 'ecs:TagResource', revision, context('RegisterTaskDefinition'))).allowed).toBe(true);
    expect((await model.check(deployRole, 'ecs:TagResource', revision, context('RunTask'))).allowed).toBe(false);
  });

  test('passes the service\'s task and execution roles to ECS tasks, and no other role or service', async () => {
    const arn = model.roleArn('Workload', 'DeployRole');
    const pass = async (role: string, service: string) => (await model.check(deployRole, 'iam:PassRole', { arn: role },
      { 'aws:PrincipalArn': arn, 'aws:PrincipalAccount': WORKLOAD_ACCOUNT, 'iam:PassedToService': service })).allowed;
    const taskRole = model.roleArn('Workload', 'TaskTaskRole');
    const executionRole = model.roleArn('Workload', 'TaskExecutionRole');
    expect(await pass(taskRole, 'ecs-tasks.amazonaws.com')).toBe(true);
    expect(await pass(executionRole, 'ecs-tasks.amazonaws.com')).toBe(true);
    expect(await pass(taskRole, 'lambda.amazonaws.com')).toBe(false);
    expect(await pass(arn, 'ecs-tasks.amazonaws.com')).toBe(false);
    expect(await pass(`arn:aws:iam::${WORKLOAD_ACCOUNT}:role/Admin`, 'ecs-tasks.amazonaws.com')).toBe(false);
  });

  test('reads the artifacts across accounts: its own policy and the pipeline\'s bucket policy and key policy admit it', async () => {
    const object = model.bucketObject('Delivery', 'PromotionArtifacts', 'Definitions/abc.zip');
    expect(object).toEqual({ arn: `arn:aws:s3:::${BUCKET}/Definitions/abc.zip`, account: PIPELINE_ACCOUNT, policy: expect.objectContaining({ Statement: expect.any(Array) }) });
    expect((await model.check(deployRole, 's3:GetObject', object)).allowed).toBe(true);
    expect((await model.check(deployRole, 's3:PutObject', object)).allowed).toBe(false);
    // Without the bucket policy's statement, the identity policy alone does not reach across accounts.
    expect((await model.check(deployRole, 's3:GetObject', { ...object, policy: undefined })).allowed).toBe(false);

    const key = model.resourceWithPolicy('Delivery', 'PromotionArtifactsKey', 'AWS::KMS::Key', 'KeyPolicy');
    const arn = model.roleArn('Workload', 'DeployRole');
    const via = (service?: string) => ({ 'aws:PrincipalArn': arn, 'aws:PrincipalAccount': WORKLOAD_ACCOUNT, ...(service ? { 'kms:ViaService': service } : {}) });
    expect((await model.check(deployRole, 'kms:Decrypt', key, via(`s3.${REGION}.amazonaws.com`))).allowed).toBe(true);
    // Only through S3 in the pipeline's region: not called directly, not through another service.
    expect((await model.check(deployRole, 'kms:Decrypt', key, via())).allowed).toBe(false);
    expect((await model.check(deployRole, 'kms:Decrypt', key, via(`secretsmanager.${REGION}.amazonaws.com`))).allowed).toBe(false);
    expect((await model.check(deployRole, 'kms:Encrypt', key, via(`s3.${REGION}.amazonaws.com`))).allowed).toBe(false);
  });

  test('the build in another stack reads the artifacts through a policy of the pipeline\'s stack: the registry never depends on the pipeline', async () => {
    const dependencies = (stack: Stack) => stack.dependencies.map((s) => s.stackName).sort();
    expect(dependencies(delivery)).toEqual(['Registry', 'Workload']);
    expect(dependencies(registry)).toEqual([]);
    const object = { arn: `arn:aws:s3:::${BUCKET}/Source/abc.zip`, account: PIPELINE_ACCOUNT };
    const build = { stack: 'Registry', role: 'BuildRole' };
    expect((await model.check(build, 's3:GetObject', object)).allowed).toBe(true);
    expect((await model.check(build, 'kms:Decrypt', model.resourceWithPolicy('Delivery', 'PromotionArtifactsKey', 'AWS::KMS::Key', 'KeyPolicy'))).allowed).toBe(true);
    expect((await model.check(build, 's3:PutObject', object)).allowed).toBe(false);
    const policies = Object.values(Template.fromStack(delivery).findResources('AWS::IAM::ManagedPolicy'));
    expect(policies.map((p) => p.Properties.Roles)).toEqual([[{ 'Fn::ImportValue': expect.stringMatching(/^Registry:ExportsOutputRefBuildRole/) }]]);
  });

  test('clean under the four cdk-nag packs', () => {
    // The deploy role's own findings; the sample service around it is not the library's.
    expect(nagFindings(workload.stack).filter((f) => f.includes('/Deploy/'))).toEqual([]);
    expect(nagFindings(delivery)).toEqual([]);
  });

  test.each<[string, Partial<EcsDeployRoleProps>, string]>([
    ['an account id of 11 digits', { pipelineAccount: '11111111111' },
      "prop 'pipelineAccount': got \"11111111111\"; an AWS account id is exactly 12 digits. Quote it as a string to keep leading zeros."],
    ['a role name with a slash', { roleName: 'platform/deploy' },
      "prop 'roleName': got \"platform/deploy\"; an IAM role name: 1 to 64 letters, digits and +=,.@_- characters."],
    ['a role name of 65 characters', { roleName: 'd'.repeat(65) },
      `prop 'roleName': got "${'d'.repeat(65)}"; an IAM role name: 1 to 64 letters, digits and +=,.@_- characters.`],
    ['a bucket name with capitals', { artifactBucketName: 'Storefront-Pipeline' },
      "prop 'artifactBucketName': got \"Storefront-Pipeline\"; an S3 bucket name: 3 to 63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit, "
      + 'without two adjacent dots, and not an IP address.'],
    ['no service', { services: [] }, "prop 'services': got []; name at least one service to deploy."],
  ])('refuses %s', (_name, props, problem) => {
    const { stack } = workloadStack(new App(), props);
    expect(synthesisProblems(stack)).toBe(`[Workload/Deploy] ${problem}`);
  });
});
