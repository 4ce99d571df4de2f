// assets/pipeline/release-stack.sh, the release action's script, run as CodeBuild runs it (sh, the AWS CLI on PATH)
// against CloudFormation, STS and SSM in a local moto server: it sets only the image parameter of a stack that exists,
// keeps every other parameter and the template, and fails with one line naming what is wrong.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { missingMoto, Moto } from '../support/moto';
import { RunResult } from '../support/rehearsal';
import { runRelease } from '../support/release';
import { describeNeeding } from '../support/system-deps';

jest.setTimeout(5 * 60_000);

const REGION = 'eu-west-1';
const DIGEST = `sha256:${'ab'.repeat(32)}`;
const ROLE = 'arn:aws:iam::123456789012:role/cdk-hnb659fds-deploy-role-123456789012-eu-west-1';
const EXECUTION_ROLE = 'arn:aws:iam::123456789012:role/cdk-hnb659fds-cfn-exec-role-123456789012-eu-west-1';

/** A workload stack as the reference platform writes it: the record, the condition, and what it decides. */
const TEMPLATE = {
  Parameters: {
    ImageDigest: { Type: 'String', Default: 'none', AllowedPattern: '^(none|sha256:[a-f0-9]{64})$' },
    Owner: { Type: 'String' },
  },
  Conditions: { Released: { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'ImageDigest' }, 'none'] }] } },
  Resources: {
    Runs: {
      Type: 'AWS::SSM::Parameter',
      Properties: { Name: '/release/runs', Type: 'String', Value: { 'Fn::If': ['Released', { Ref: 'ImageDigest' }, 'nothing'] } },
    },
  },
};

describeNeeding(missingMoto(), 'the release script', () => {
  let moto: Moto;
  let root = '';

  beforeAll(async () => {
    moto = await Moto.start(REGION);
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'release-script-'));
  });
  afterAll(async () => {
    await moto?.stop();
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  async function createStack(name: string, template: object = TEMPLATE): Promise<void> {
    await moto.call('cloudformation', 'create_stack', { StackName: name, TemplateBody: JSON.stringify(template), Parameters: [{ ParameterKey: 'Owner', ParameterValue: 'team-a' }] });
  }

  function release(vars: Record<string, string>): Promise<RunResult> {
    return runRelease(moto, root, {
      IMAGE_DIGEST: DIGEST,
      STACK_NAME: 'Ecs-dev',
      STACK_REGION: REGION,
      PARAMETER_NAME: 'ImageDigest',
      DEPLOY_ROLE_ARN: ROLE,
      EXECUTION_ROLE_ARN: EXECUTION_ROLE,
      RELEASE_ENVIRONMENT: 'dev',
      ...vars,
    });
  }

  const parameters = async (stack: string) => Object.fromEntries(((await moto.call('cloudformation', 'describe_stacks', { StackName: stack }))
    .Stacks[0].Parameters as Array<{ ParameterKey: string; ParameterValue: string }>).map((p) => [p.ParameterKey, p.ParameterValue]));
  const runs = async () => (await moto.call('ssm', 'get_parameter', { Name: '/release/runs' })).Parameter.Value;

  test('sets the image parameter, keeps the others and the template, and the stack runs the digest', async () => {
    await createStack('Ecs-dev');
    expect(await runs()).toBe('nothing');
    const result = await release({});
    expect([result.status, result.output.trim().split('\n').pop()]).toEqual([0, `release: Ecs-dev (dev) runs ${DIGEST}`]);
    expect(await parameters('Ecs-dev')).toEqual({ ImageDigest: DIGEST, Owner: 'team-a' });
    expect(await runs()).toBe(DIGEST);
    // The next release of another digest replaces it.
    const next = `sha256:${'cd'.repeat(32)}`;
    expect((await release({ IMAGE_DIGEST: next })).status).toBe(0);
    expect(await parameters('Ecs-dev')).toEqual({ ImageDigest: next, Owner: 'team-a' });
    expect(await runs()).toBe(next);
  });

  test('waits for the image in the stack\'s region (replication brings a copy asynchronously), and gives up after IMAGE_WAIT_SECONDS', async () => {
    if (!(await moto.tryCall('cloudformation', 'describe_stacks', { StackName: 'Ecs-dev' })).result) await createStack('Ecs-dev');
    await moto.call('ecr', 'create_repository', { repositoryName: 'platform/storefront' });
    const manifest = JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.docker.distribution.manifest.v2+json', config: {}, layers: [] });
    const pushed = (await moto.call('ecr', 'put_image', { repositoryName: 'platform/storefront', imageManifest: manifest, imageTag: 'sha-1a2b3c4' })).image.imageId.imageDigest;
    const image = { IMAGE_REPOSITORY: 'platform/storefront', IMAGE_REGISTRY_ID: '123456789012', IMAGE_WAIT_SECONDS: '10' };
    const there = await release({ ...image, IMAGE_DIGEST: pushed });
    expect([there.status, there.output.trim().split('\n').pop()]).toEqual([0, `release: Ecs-dev (dev) runs ${pushed}`]);
    const absent = await release({ ...image, IMAGE_DIGEST: `sha256:${'ef'.repeat(32)}` });
    expect([absent.status, absent.output.trim().split('\n').pop()]).toEqual([1,
      `release: platform/storefront@sha256:${'ef'.repeat(32)} is not in eu-west-1 after 10s (replication has not brought it)`]);
  });

  test.each<[string, Record<string, string>, string]>([
    ['a digest that is not one', { IMAGE_DIGEST: 'latest' }, "release: 'latest' is not an image digest (sha256:<64 hex digits>)"],
    ['an upper-case digest', { IMAGE_DIGEST: `sha256:${'AB'.repeat(32)}` }, `release: 'sha256:${'AB'.repeat(32)}' is not an image digest (sha256:<64 hex digits>)`],
    ['no stack name', { STACK_NAME: '' }, 'release: STACK_NAME is not set'],
    ['no deploy role', { DEPLOY_ROLE_ARN: '' }, 'release: DEPLOY_ROLE_ARN is not set'],
    ['a stack that was never deployed', { STACK_NAME: 'Ecs-qa' }, 'release: could not read the stack Ecs-qa in eu-west-1 (deploy it first: cdk deploy Ecs-qa)'],
    ['a stack without the parameter', { PARAMETER_NAME: 'Digest' }, 'release: the stack Ecs-dev has no parameter Digest'],
  ])('fails on %s, with one line', async (_name, vars, message) => {
    if (!(await moto.tryCall('cloudformation', 'describe_stacks', { StackName: 'Ecs-dev' })).result) await createStack('Ecs-dev');
    const result = await release(vars);
    expect([result.status, result.output.trim().split('\n').pop()]).toEqual([1, message]);
  });
});
