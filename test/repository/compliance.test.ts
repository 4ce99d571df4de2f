import { App, Stack, Validations } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { ImageRepository } from '../../src';
import { FLAG_CONTEXTS } from '../reference/platform';
import { acknowledgedOn, guardFindings, nagFindings } from '../support/compliance';

const ENV = { account: '111111111111', region: 'eu-west-1' };

function setup(context: Record<string, unknown> = {}) {
  const app = new App({ context });
  const stack = new Stack(app, 'Stack', { env: ENV });
  const repo = new ImageRepository(stack, 'Repo', { repositoryName: 'team/app' });
  const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') });
  return { app, stack, repo, role };
}

describe('compliance of the defaults', () => {
  test.each(FLAG_CONTEXTS)('no cdk-nag finding in AwsSolutions, NIST 800-53 R5, HIPAA Security or PCI DSS 3.2.1, %s', (_flags, context) => {
    const { app } = setup(context);
    expect(nagFindings(app)).toEqual([]);
  });

  test.each(FLAG_CONTEXTS)('no Control Tower proactive control fails (CT.ECR.PR.1 lifecycle, PR.2 scan on push, PR.3 immutable tags), %s', (_flags, context) => {
    const { app } = setup(context);
    expect(guardFindings(app)).toEqual([]);
  });

  test('the guard does fail a repository without those defaults, so the check above can fail', () => {
    const app = new App();
    new ecr.CfnRepository(new Stack(app, 'Stack'), 'Bare', { imageTagMutability: 'MUTABLE' });
    expect(guardFindings(app)).toEqual([
      'ecr_private_image_scanning_enabled_check @ Bare',
      'ecr_private_lifecycle_policy_configured_check @ Bare',
      'ecr_private_tag_immutability_enabled_check @ Bare',
    ]);
  });

  test('a customer managed key with rotation keeps every pack clean', () => {
    const app = new App();
    const stack = new Stack(app, 'Stack', { env: ENV });
    new ImageRepository(stack, 'Repo', { encryption: ecr.RepositoryEncryption.KMS, encryptionKey: new kms.Key(stack, 'Key', { enableKeyRotation: true }) });
    expect(nagFindings(app)).toEqual([]);
    // The only failure is the key's own CDK default policy (account root may kms:CreateGrant), not the repository.
    expect(guardFindings(app)).toEqual([expect.stringMatching(/^kms_create_grant_aws_service_check @ Key[0-9A-F]{8}$/)]);
  });
});

describe('compliance of every grant variant: nothing left for the user to acknowledge', () => {
  test.each<[string, (s: ReturnType<typeof setup>) => void, string[], (s: ReturnType<typeof setup>) => void]>([
    ['grantPull', ({ repo, role }) => repo.grantPull(role), [], () => undefined],
    ['grantPush', ({ repo, role }) => repo.grantPush(role), [], () => undefined],
    ['grantPullPush', ({ repo, role }) => repo.grantPullPush(role), [], () => undefined],
    ['grantRead', ({ repo, role }) => repo.grantRead(role), [], () => undefined],
    ['grantPullToAccounts', ({ repo }) => repo.grantPullToAccounts(['222222222222']), [], () => undefined],
    ['grantPullToLambda', ({ repo }) => repo.grantPullToLambda({ accountIds: ['222222222222'] }), [], () => undefined],
    ['grantPullToOrganization', ({ repo }) => repo.grantPullToOrganization('o-abcdefghij'), ['AwsSolutions-ECR1 @ Stack/Repo/Resource'],
      ({ repo }) => Validations.of(repo).acknowledge({
        id: 'AwsSolutions-ECR1',
        reason: 'the "*" principal is limited to the organization by aws:PrincipalOrgID; cdk-nag ignores conditions',
      })],
  ])('%s', (_name, grant, expected, acknowledge) => {
    const setupResult = setup();
    grant(setupResult);
    expect(nagFindings(setupResult.app)).toEqual(expected);
    acknowledge(setupResult);
    expect(nagFindings(setupResult.app)).toEqual([]);
    expect(guardFindings(setupResult.app)).toEqual([]);
  });

  test('the library acknowledges the login\'s "*" on its own policy only, with the reason', () => {
    const { repo, role } = setup();
    repo.grantPull(role);
    expect(acknowledgedOn(role.node.findChild('EcrAccessPolicy'))).toEqual({
      'Annotation::AwsSolutions-IAM5[Resource::*]': 'ecr:GetAuthorizationToken (registry login) has no resource scope; it is the only statement of this '
        + 'policy on "*", and every repository action in it is scoped to repository ARNs',
    });
    expect(acknowledgedOn(role)).toEqual({});
  });

  test('without the library\'s policy the same grant is a finding: a role CDK imports keeps CDK\'s inline default policy', () => {
    const { app, stack, repo } = setup();
    repo.grantPull(iam.Role.fromRoleName(stack, 'Imported', 'existing-role'));
    expect(nagFindings(app)).toEqual([
      'AwsSolutions-IAM5[Resource::*] @ Stack/Imported/Policy/Resource',
      'HIPAA.Security-IAMNoInlinePolicy @ Stack/Imported/Policy/Resource',
      'NIST.800.53.R5-IAMNoInlinePolicy @ Stack/Imported/Policy/Resource',
      'PCI.DSS.321-IAMNoInlinePolicy @ Stack/Imported/Policy/Resource',
    ]);
  });
});
