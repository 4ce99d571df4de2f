import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { App, Annotations as CoreAnnotations, CfnParameter, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { parse } from 'yaml';
import { GitHubActionsPublisher, GitHubSubject, ImageRepository, ScanGate } from '../../src';
import { SCAN_GATE_FILE } from '../../src/image-build/buildspec';
import { INSPECTOR_GATE_REASON } from '../../src/repository/actions';
import { scratchDir } from '../support/clean-outdirs';
import { acknowledgedOn, guardFindings, nagFindings } from '../support/compliance';
import { AccessModel, RepositoryRef } from '../support/iam-simulation';
import { synthesisProblems } from '../support/problems';

const ENV = { account: '111111111111', region: 'eu-west-1' };
const PROVIDER_ARN = 'arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com';
const WORKFLOW = path.join(__dirname, '..', '..', 'docs', 'github-actions', 'publish-image.yml');

const SESSION_RULE = 'whole seconds from 1 to 12 hours, as IAM allows.';
const EVERY_BRANCH = (branch: string) => `prop 'subjects[0]': got ${JSON.stringify(branch)} as the branch; it matches every branch of example-org/storefront, present and future, `
  + "so whoever can push a branch can assume the role. Name the branches (a pattern such as 'release/*' is fine), or set 'allowAllBranches: true' if that is intended.";

function publisherStack(extra: Partial<ConstructorParameters<typeof GitHubActionsPublisher>[2]> = {}) {
  const app = new App();
  const stack = new Stack(app, 'Publisher', { env: ENV });
  const storefront = new ImageRepository(stack, 'storefront', { repositoryName: 'platform/storefront' });
  new ImageRepository(stack, 'catalog', { repositoryName: 'platform/catalog' });
  const publisher = new GitHubActionsPublisher(stack, 'GitHub', {
    repositories: [storefront],
    subjects: [GitHubSubject.branch('example-org', 'storefront', 'main'), GitHubSubject.tag('example-org', 'storefront', 'v*')],
    ...extra,
  });
  return { app, stack, publisher };
}

/**
 * The simulator's condition-key data (AWS's service authorization reference) lacks the `sub` and `aud` keys IAM
 * derives from an OIDC provider's host name for GitHub, and ignores keys it does not know. Both the policy and the
 * request name them under Google's provider instead, keys the simulator knows for this action and compares the same
 * way (single-valued strings): the operators and values under test are the synthesized ones.
 */
const simulatorKeys = (json: string) => json.split('token.actions.githubusercontent.com:').join('accounts.google.com:');

/** Whether a GitHub job with these claims may assume the role, by the role's synthesized trust policy. */
async function mayAssume(stack: Stack, claims: { sub: string; aud?: string }): Promise<boolean> {
  const template = Template.fromStack(stack).toJSON();
  const [roleId, role] = Object.entries(template.Resources as Record<string, any>).find(([id, r]) => r.Type === 'AWS::IAM::Role' && id.startsWith('GitHubRole'))!;
  const providerId = Object.keys(template.Resources).find((id) => template.Resources[id].Type === 'AWS::IAM::OIDCProvider');
  const trust = JSON.parse(simulatorKeys(JSON.stringify(role.Properties.AssumeRolePolicyDocument).replace(
    JSON.stringify({ Ref: providerId }), JSON.stringify(PROVIDER_ARN))));
  const result = await runSimulation({
    request: {
      principal: PROVIDER_ARN,
      action: 'sts:AssumeRoleWithWebIdentity',
      resource: { resource: `arn:aws:iam::111111111111:role/${roleId}`, accountId: '111111111111' },
      contextVariables: JSON.parse(simulatorKeys(JSON.stringify({
        'token.actions.githubusercontent.com:sub': claims.sub,
        'token.actions.githubusercontent.com:aud': claims.aud ?? 'sts.amazonaws.com',
      }))),
    },
    identityPolicies: [],
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: trust,
  } as any, {});
  const verdict = (result as any).overallResult;
  const ignored = (result as any).result?.ignoredContextKeys ?? [];
  if (ignored.length > 0) throw new Error(`the simulator ignored ${ignored.join(', ')}`);
  if (verdict === undefined) throw new Error(`the simulation did not answer: ${JSON.stringify(result).slice(0, 500)}`);
  return verdict === 'Allowed';
}

describe('GitHubActionsPublisher', () => {
  test('trusts GitHub\'s provider for the named subjects and the STS audience; the provider is created once and retained', () => {
    const { stack } = publisherStack();
    const template = Template.fromStack(stack);
    template.hasResource('AWS::IAM::OIDCProvider', {
      Properties: { Url: 'https://token.actions.githubusercontent.com', ClientIdList: ['sts.amazonaws.com'] },
      DeletionPolicy: 'Retain',
    });
    template.hasResourceProperties('AWS::IAM::Role', {
      MaxSessionDuration: 3600,
      AssumeRolePolicyDocument: {
        Statement: [{
          Action: 'sts:AssumeRoleWithWebIdentity',
          Effect: 'Allow',
          // The provider's Ref is its ARN.
          Principal: { Federated: { Ref: Object.keys(template.findResources('AWS::IAM::OIDCProvider'))[0] } },
          Condition: {
            StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' },
            StringLike: { 'token.actions.githubusercontent.com:sub': ['repo:example-org/storefront:ref:refs/heads/main', 'repo:example-org/storefront:ref:refs/tags/v*'] },
          },
        }],
      },
    });
  });

  test('exact subjects compare with StringEquals; an existing provider is imported by its ARN', () => {
    const app = new App();
    const stack = new Stack(app, 'Publisher', { env: ENV });
    new GitHubActionsPublisher(stack, 'GitHub', {
      provider: GitHubActionsPublisher.accountProvider(stack, 'Provider'),
      repositories: [new ImageRepository(stack, 'storefront', { repositoryName: 'platform/storefront' })],
      subjects: [GitHubSubject.environment('example-org', 'storefront', 'production')],
    });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::IAM::OIDCProvider', 0);
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [{
          Action: 'sts:AssumeRoleWithWebIdentity',
          Effect: 'Allow',
          Principal: { Federated: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::111111111111:oidc-provider/token.actions.githubusercontent.com']] } },
          Condition: {
            StringEquals: {
              'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
              'token.actions.githubusercontent.com:sub': ['repo:example-org/storefront:environment:production'],
            },
          },
        }],
      },
    });
  });

  // The subject formats are GitHub's ("Example subject claims" in GitHub's OpenID Connect reference).
  test.each<[string, string, string | undefined, boolean]>([
    ['the named repository\'s main branch', 'repo:example-org/storefront:ref:refs/heads/main', undefined, true],
    ['a release tag of the named repository', 'repo:example-org/storefront:ref:refs/tags/v1.2.3', undefined, true],
    ['another branch of the named repository', 'repo:example-org/storefront:ref:refs/heads/feature', undefined, false],
    ['a pull request (a fork\'s included)', 'repo:example-org/storefront:pull_request', undefined, false],
    ['a fork of the repository, on its main branch', 'repo:someone/storefront:ref:refs/heads/main', undefined, false],
    ['another repository of the owner', 'repo:example-org/catalog:ref:refs/heads/main', undefined, false],
    ['the main branch through a deployment environment', 'repo:example-org/storefront:environment:production', undefined, false],
    ['a token for another audience', 'repo:example-org/storefront:ref:refs/heads/main', 'https://github.com/example-org', false],
    ['a repository whose name extends the named one', 'repo:example-org/storefront-evil:ref:refs/heads/main', undefined, false],
  ])('assume the role: %s -> %s', async (_name, sub, aud, allowed) => {
    const { stack } = publisherStack();
    expect(await mayAssume(stack, { sub, aud })).toBe(allowed);
  });

  test('the role pushes to its repositories only, never deletes, and reads their scan findings', async () => {
    const { app } = publisherStack();
    const model = new AccessModel(app.synth());
    const role = { stack: 'Publisher', role: 'GitHubRole' };
    const storefront: RepositoryRef = { stack: 'Publisher', id: 'storefront' };
    const catalog: RepositoryRef = { stack: 'Publisher', id: 'catalog' };
    // The registry login has no resource: IAM evaluates it against '*'.
    const login: RepositoryRef = { arn: '*', account: '111111111111' };
    const cases: Array<[string, string, RepositoryRef, boolean]> = [
      // What amazon-ecr-login and a docker push call (ECR User Guide, "Pushing an image": required IAM permissions).
      ['ecr:GetAuthorizationToken', 'registry', login, true],
      ...['ecr:BatchCheckLayerAvailability', 'ecr:InitiateLayerUpload', 'ecr:UploadLayerPart', 'ecr:CompleteLayerUpload', 'ecr:PutImage',
        'ecr:DescribeImageScanFindings'].map((action): [string, string, RepositoryRef, boolean] => [action, 'storefront', storefront, true]),
      ['ecr:PutImage', 'catalog', catalog, false],
      ['ecr:BatchGetImage', 'catalog', catalog, false],
      ...['ecr:BatchDeleteImage', 'ecr:DeleteRepository', 'ecr:SetRepositoryPolicy', 'ecr:PutLifecyclePolicy']
        .map((action): [string, string, RepositoryRef, boolean] => [action, 'storefront', storefront, false]),
    ];
    const decisions = await Promise.all(cases.map(async ([action, , repository]) => (await model.check(role, action, repository)).allowed));
    expect(cases.map(([action, name], i) => `${action} ${name}: ${decisions[i]}`))
      .toEqual(cases.map(([action, name, , allowed]) => `${action} ${name}: ${allowed}`));
  });

  // ListCoverage and ListFindings have no resource type (Service Authorization Reference): IAM evaluates them against "*".
  test.each<[string, ScanGate, boolean]>([
    ['basic', ScanGate.basic(), false],
    ['enhanced', ScanGate.enhanced(), true],
  ])('the %s gate: the role may read Amazon Inspector\'s coverage and findings -> %s, and change nothing of Inspector', async (_name, scanGate, reads) => {
    const { app } = publisherStack({ scanGate });
    const model = new AccessModel(app.synth());
    const role = { stack: 'Publisher', role: 'GitHubRole' };
    const anyResource: RepositoryRef = { arn: '*', account: '111111111111' };
    const actions = ['inspector2:ListCoverage', 'inspector2:ListFindings', 'inspector2:CreateFilter', 'inspector2:Disable', 'inspector2:UpdateConfiguration'];
    const decisions = await Promise.all(actions.map(async (action) => `${action}: ${(await model.check(role, action, anyResource)).allowed}`));
    expect(decisions).toEqual(actions.map((action, i) => `${action}: ${i < 2 && reads}`));
  });

  test('enhanced scanning adds the Inspector reads, acknowledged where they land', () => {
    const { stack, publisher } = publisherStack({ scanGate: ScanGate.enhanced() });
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::ManagedPolicy', {
      Description: 'Amazon Inspector findings of the images pushed from GitHub Actions',
      PolicyDocument: { Statement: [{ Action: ['inspector2:ListFindings', 'inspector2:ListCoverage'], Effect: 'Allow', Resource: '*' }] },
      Roles: [{ Ref: Object.keys(Template.fromStack(stack).findResources('AWS::IAM::Role'))[0] }],
    });
    expect(acknowledgedOn(publisher.node.findChild('InspectorFindingsPolicy'))).toEqual({ 'Annotation::AwsSolutions-IAM5[Resource::*]': INSPECTOR_GATE_REASON });
    expect(nagFindings(stack)).toEqual([]);
  });

  test('clean under the four cdk-nag packs and the Control Tower controls', () => {
    const { app, stack } = publisherStack();
    expect(nagFindings(stack)).toEqual([]);
    expect(guardFindings(app)).toEqual([]);
  });

  const subject = GitHubSubject.branch('example-org', 'storefront', 'main');
  test.each<[string, Partial<ConstructorParameters<typeof GitHubActionsPublisher>[2]>, string]>([
    ['no subject', { subjects: [] }, "prop 'subjects': got []; name at least one repository and branch, tag or environment (GitHubSubject)."],
    ['no repository', { repositories: [] }, "prop 'repositories': got []; name at least one repository the workflows push to."],
    ['an owner wildcard', { subjects: [GitHubSubject.branch('*', 'storefront', 'main')] },
      "prop 'subjects[0]': got \"*\" as the owner; a GitHub user or organization: 1 to 39 letters, digits or single inner hyphens, no wildcard (an owner pattern would trust strangers' repositories)."],
    ['an owner with a leading hyphen', { subjects: [GitHubSubject.branch('-org', 'storefront', 'main')] },
      "prop 'subjects[0]': got \"-org\" as the owner; a GitHub user or organization: 1 to 39 letters, digits or single inner hyphens, no wildcard (an owner pattern would trust strangers' repositories)."],
    ['every repository of the owner', { subjects: [GitHubSubject.branch('example-org', '*', 'main')] },
      "prop 'subjects[0]': got \"*\" as the repository; '*' lets every repository of example-org, present and future, assume the role. Name the repositories, or set 'allowAllRepositoriesOfOwner: true' if that is intended."],
    ['a repository name with a space', { subjects: [subject, GitHubSubject.tag('example-org', 'store front', 'v*')] },
      "prop 'subjects[1]': got \"store front\" as the repository; a GitHub repository name: 1 to 100 letters, digits, '.', '_' or '-'."],
    ['a full ref as the branch', { subjects: [GitHubSubject.branch('example-org', 'storefront', 'refs/heads/main')] },
      "prop 'subjects[0]': got \"refs/heads/main\" as the branch; give the branch name alone: 'refs/heads/' is added."],
    ['a branch git refuses', { subjects: [GitHubSubject.branch('example-org', 'storefront', 'release..1')] },
      "prop 'subjects[0]': got \"release..1\" as the branch; a git branch name or pattern (git check-ref-format, with '*' and '?' as IAM wildcards), without 'refs/heads/', which is added."],
    ['a branch with a component git refuses', { subjects: [GitHubSubject.branch('example-org', 'storefront', 'feature.lock/x')] },
      "prop 'subjects[0]': got \"feature.lock/x\" as the branch; a git branch name or pattern (git check-ref-format, with '*' and '?' as IAM wildcards), without 'refs/heads/', which is added."],
    ['an empty tag', { subjects: [GitHubSubject.tag('example-org', 'storefront', '')] },
      "prop 'subjects[0]': got \"\" as the tag; a git tag name or pattern (git check-ref-format, with '*' and '?' as IAM wildcards), without 'refs/tags/', which is added."],
    ['an environment with a quote', { subjects: [GitHubSubject.environment('example-org', 'storefront', 'prod"')] },
      "prop 'subjects[0]': got \"prod\\\"\" as the environment; a GitHub environment name: 1 to 255 characters, no quotes, commas, semicolons, backslashes or control characters."],
    // 2,336 characters, counted separately (Python's json.dumps without whitespace) over the same document.
    ['subjects past IAM\'s trust policy limit', { subjects: Array.from({ length: 40 }, (_, i) => GitHubSubject.branch('example-org', `service-${i}`, 'main')) },
      "prop 'subjects': got \"2336 characters\"; the role's trust policy would pass IAM's default limit of 2048 characters. "
      + 'Use patterns (a branch or tag wildcard), split the subjects over several publishers, or raise the IAM quota and set the subjects in fewer roles.'],
    ['every branch of the repository', { subjects: [GitHubSubject.branch('example-org', 'storefront', '*')] }, EVERY_BRANCH('*')],
    ['a branch of wildcards only', { subjects: [GitHubSubject.branch('example-org', 'storefront', '*?*')] }, EVERY_BRANCH('*?*')],
    ['every environment of the repository', { subjects: [GitHubSubject.environment('example-org', 'storefront', '*')] },
      "prop 'subjects[0]': got \"*\" as the environment; it matches every environment of example-org/storefront, and a job that names one that does not exist "
      + "gets it created without protection rules. Name the environments, or set 'allowAllEnvironments: true' if that is intended."],
    ['every branch allowed, every environment not', { subjects: [GitHubSubject.environment('example-org', 'storefront', '*')], allowAllBranches: true },
      "prop 'subjects[0]': got \"*\" as the environment; it matches every environment of example-org/storefront, and a job that names one that does not exist "
      + "gets it created without protection rules. Name the environments, or set 'allowAllEnvironments: true' if that is intended."],
    // IAM's MaxSessionDuration: 3,600 to 43,200 seconds.
    ['a 13-hour session', { maxSessionDuration: Duration.hours(13) }, `prop 'maxSessionDuration': got "13 hours"; ${SESSION_RULE}`],
    ['a 30-minute session', { maxSessionDuration: Duration.minutes(30) }, `prop 'maxSessionDuration': got "30 minutes"; ${SESSION_RULE}`],
    ['a session of a fraction of a second', { maxSessionDuration: Duration.millis(3_600_500) }, `prop 'maxSessionDuration': got "1 hour 500 millis"; ${SESSION_RULE}`],
    ['a session of NaN hours', { maxSessionDuration: Duration.hours(NaN) }, `prop 'maxSessionDuration': got "Duration.hours(NaN)"; ${SESSION_RULE}`],
  ])('refuses %s', (_name, props, problem) => {
    const { stack } = publisherStack(props);
    expect(synthesisProblems(stack)).toBe(`[Publisher/GitHub] ${problem}`);
  });

  test('a repository of another account, imported, warns that its policy must admit the pushes (acknowledgeable)', () => {
    const { stack } = publisherStack();
    const publisher = new GitHubActionsPublisher(stack, 'Elsewhere', {
      provider: GitHubActionsPublisher.accountProvider(stack, 'Existing'),
      repositories: [ImageRepository.fromRepositoryAttributes(stack, 'Shared', { repositoryName: 'shared/web', repositoryArn: 'arn:aws:ecr:eu-west-1:222222222222:repository/shared/web' })],
      subjects: [GitHubSubject.branch('example-org', 'web', 'main')],
    });
    expect(synthesisProblems(stack)).toBe('');
    const warnings = () => Annotations.fromStack(stack).findWarning('/Publisher/Elsewhere', Match.stringLikeRegexp('crossAccountPushTarget')).map((w) => w.entry.data);
    expect(warnings()).toEqual([
      "prop 'repositories[0]': got \"Publisher/Shared\"; is an imported repository of account 222222222222, and the role pushing to it is in 111111111111: "
      + "a push across accounts also needs the repository's policy to admit the role, which cannot be written for an imported repository. Push to a "
      + 'repository of 111111111111 and replicate it to 222222222222 (RegistryReplication), push from a stack of 222222222222, or, if the repository\'s '
      + "policy admits this role where it is managed, acknowledge 'cdk-ecr-platform:crossAccountPushTarget'. [ack: cdk-ecr-platform:crossAccountPushTarget]",
    ]);
    CoreAnnotations.of(publisher).acknowledgeWarning('cdk-ecr-platform:crossAccountPushTarget', 'the shared registry\'s policy admits the publisher role');
    expect(warnings()).toEqual([]);
  });

  test.each<[string, Partial<ConstructorParameters<typeof GitHubActionsPublisher>[2]>, string]>([
    ['every repository of an owner', { subjects: [GitHubSubject.branch('example-org', '*', 'main')], allowAllRepositoriesOfOwner: true }, 'repo:example-org/*:ref:refs/heads/main'],
    ['every branch', { subjects: [GitHubSubject.branch('example-org', 'storefront', '*')], allowAllBranches: true }, 'repo:example-org/storefront:ref:refs/heads/*'],
    ['every environment', { subjects: [GitHubSubject.environment('example-org', 'storefront', '*')], allowAllEnvironments: true }, 'repo:example-org/storefront:environment:*'],
  ])('%s when allowed: the trust policy compares the subject as a pattern', (_name, props, claim) => {
    const { stack } = publisherStack(props);
    expect(synthesisProblems(stack)).toBe('');
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [Match.objectLike({
          Condition: {
            StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' },
            StringLike: { 'token.actions.githubusercontent.com:sub': [claim] },
          },
        })],
      },
    });
  });

  test('subjects given as tokens are not checked', () => {
    const tokens = publisherStack();
    const owner = new CfnParameter(tokens.stack, 'Owner').valueAsString;
    new GitHubActionsPublisher(tokens.stack, 'Tokens', {
      provider: GitHubActionsPublisher.accountProvider(tokens.stack, 'Existing'),
      repositories: [ImageRepository.fromRepositoryName(tokens.stack, 'Imported', 'platform/web')],
      subjects: [GitHubSubject.branch(owner, 'web', 'main')],
    });
    expect(synthesisProblems(tokens.stack)).toBe('');
  });
});

describe('one GitHub OIDC provider per account, shared by the publishers of the app', () => {
  const subjects = [GitHubSubject.branch('example-org', 'storefront', 'main')];
  const publish = (stack: Stack, id: string, extra: Partial<ConstructorParameters<typeof GitHubActionsPublisher>[2]> = {}) =>
    new GitHubActionsPublisher(stack, id, { repositories: [ImageRepository.fromRepositoryName(stack, `${id}Repository`, 'platform/web')], subjects, ...extra });
  const providers = (stack: Stack) => Object.keys(Template.fromStack(stack).findResources('AWS::IAM::OIDCProvider')).length;
  const federated = (stack: Stack) => Object.values(Template.fromStack(stack).findResources('AWS::IAM::Role'))
    .map((role: any) => role.Properties.AssumeRolePolicyDocument.Statement[0].Principal.Federated);

  test('two publishers of one stack: one provider, trusted by both roles', () => {
    const app = new App();
    const stack = new Stack(app, 'Publishers', { env: ENV });
    const first = publish(stack, 'First');
    const second = publish(stack, 'Second');
    expect(second.provider).toBe(first.provider);
    expect(providers(stack)).toBe(1);
    const ref = { Ref: Object.keys(Template.fromStack(stack).findResources('AWS::IAM::OIDCProvider'))[0] };
    expect(federated(stack)).toEqual([ref, ref]);
    expect(synthesisProblems(app)).toBe('');
  });

  test.each<[string, { account?: string; region?: string } | undefined]>([
    ['another stack of the account, in the same region', ENV],
    ['another stack of the account, in another region', { ...ENV, region: 'us-east-1' }],
    ['two account-agnostic stacks (one account token)', undefined],
  ])('%s: the later stack trusts the provider by ARN and deploys after the creating one', (_name, env) => {
    const app = new App();
    const creating = new Stack(app, 'Creating', { env });
    const later = new Stack(app, 'Later', { env });
    publish(creating, 'First');
    publish(later, 'Second');
    expect([providers(creating), providers(later)]).toEqual([1, 0]);
    const rest = env ? [':iam::111111111111:oidc-provider/token.actions.githubusercontent.com']
      : [':iam::', { Ref: 'AWS::AccountId' }, ':oidc-provider/token.actions.githubusercontent.com'];
    expect(federated(later)).toEqual([{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ...rest]] }]);
    expect(later.dependencies).toEqual([creating]);
    expect(synthesisProblems(app)).toBe('');
  });

  test('another account gets a provider of its own; no dependency', () => {
    const app = new App();
    const a = new Stack(app, 'A', { env: ENV });
    const b = new Stack(app, 'B', { env: { ...ENV, account: '222222222222' } });
    publish(a, 'First');
    publish(b, 'Second');
    expect([providers(a), providers(b), b.dependencies.length]).toEqual([1, 1, 0]);
    expect(synthesisProblems(app)).toBe('');
  });

  test('a provider passed explicitly is used as it is, and creates nothing', () => {
    const app = new App();
    const a = new Stack(app, 'A', { env: ENV });
    const b = new Stack(app, 'B', { env: ENV });
    publish(a, 'First', { provider: GitHubActionsPublisher.accountProvider(a, 'Existing') });
    publish(b, 'Second', { provider: GitHubActionsPublisher.accountProvider(b, 'Existing') });
    expect([providers(a), providers(b), b.dependencies.length]).toEqual([0, 0, 0]);
  });

  const plain = (url: string) => (s: Stack) => new iam.OpenIdConnectProvider(s, 'Plain', { url, clientIds: ['sts.amazonaws.com'] });
  const native = (url: string) => (s: Stack) => new iam.OidcProviderNative(s, 'Native', { url, clientIds: ['sts.amazonaws.com'] });
  const SHARE = "Share one provider: GitHubActionsPublishers without a 'provider' share the one the first of them creates in the account; "
    + "give the others the existing one as 'provider' (GitHubActionsPublisher.accountProvider(scope, id) from another stack).";
  test.each<[string, (s: Stack) => void, string, string]>([
    ['an iam.OpenIdConnectProvider for GitHub declared first, in the same stack', plain('https://token.actions.githubusercontent.com'), 'Same',
      `[Same/Publisher] account 111111111111 can have one IAM OIDC provider named 'https://token.actions.githubusercontent.com', and 'Same/Plain' already declares it: CloudFormation fails to create the second at deploy. ${SHARE}`],
    ['an iam.OidcProviderNative for GitHub (trailing slash) in another stack of the account, declared later', native('https://token.actions.githubusercontent.com/'), 'Later',
      `[Same/Publisher] account 111111111111 can have one IAM OIDC provider named 'https://token.actions.githubusercontent.com', and 'Later/Native' declares it too: CloudFormation fails to create the second at deploy. ${SHARE}`],
  ])('refuses %s', (_name, declare, where, problem) => {
    const app = new App();
    const same = new Stack(app, 'Same', { env: ENV });
    const later = new Stack(app, 'Later', { env: ENV });
    if (where === 'Same') declare(same);
    publish(same, 'Publisher');
    if (where === 'Later') declare(later);
    expect(synthesisProblems(app)).toBe(problem);
  });

  test.each<[string, (s: Stack) => void]>([
    ['a provider of another URL (a GitHub Enterprise issuer)', plain('https://token.actions.githubusercontent.com/example-enterprise')],
    ['a provider for GitHub in another account', (s) => plain('https://token.actions.githubusercontent.com')(new Stack(s.node.root as App, 'Other', { env: { ...ENV, account: '222222222222' } }))],
  ])('allows %s', (_name, declare) => {
    const app = new App();
    const stack = new Stack(app, 'Same', { env: ENV });
    declare(stack);
    publish(stack, 'Publisher');
    expect(synthesisProblems(app)).toBe('');
  });
});

describe('the sample workflow docs/github-actions/publish-image.yml', () => {
  const text = fs.readFileSync(WORKFLOW, 'utf8');

  test('passes GitHub\'s workflow schema (action-validator), which refuses a broken workflow', () => {
    const validator = require.resolve('@action-validator/cli/cli.mjs');
    expect(spawnSync(process.execPath, [validator, WORKFLOW], { encoding: 'utf8' }).status).toBe(0);
    const broken = path.join(scratchDir('workflow-'), 'publish-image.yml');
    fs.writeFileSync(broken, text.replace('runs-on: ubuntu-latest', 'runs_on: ubuntu-latest'));
    const result = spawnSync(process.execPath, [validator, broken], { encoding: 'utf8' });
    expect([result.status, result.stderr]).toEqual([1, expect.stringContaining("Additional property 'runs_on' is not allowed")]);
  });

  test('asks for an OIDC token, tags with the commit and the version, never latest', () => {
    expect(text).toMatch(/^ {2}id-token: write/m);
    expect(text).toContain('sha-${GITHUB_SHA::7}');
    expect(text).toContain('provenance: false');
    expect(text).not.toMatch(/:latest\b/);
  });

  const job = parse(text).jobs.publish as { 'timeout-minutes': number; 'steps': Array<{ name?: string; env?: Record<string, string>; run?: string }> };
  const step = (name: string) => job.steps.find((s) => s.name === name)!;
  /** A step's `run` and `env` with the workflow expressions it uses replaced by a job's values. */
  const expand = (value: string, values: Record<string, string>) => value.replace(/\$\{\{ ([^}]+?) \}\}/g, (_match, expression: string) => {
    if (!(expression in values)) throw new Error(`the test gives no value for \${{ ${expression} }}`);
    return values[expression];
  });
  // As GitHub runs a step's script; one that hangs fails the test.
  const shell = (script: string, env: Record<string, string | undefined>) => spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', script], {
    encoding: 'utf8', env, timeout: 30_000,
  });

  test('its fetch step takes scan-gate.js from the pinned npm package, at the path the package ships it', () => {
    const temp = scratchDir('workflow-runner-');
    const bin = scratchDir('workflow-bin-');
    // An npm stand-in: `npm pack --silent --pack-destination DIR SPEC` writes the package's tarball to DIR and prints its name.
    const packaged = scratchDir('workflow-package-');
    const shipped = path.relative(path.join(__dirname, '..', '..'), SCAN_GATE_FILE);
    fs.mkdirSync(path.join(packaged, 'package', path.dirname(shipped)), { recursive: true });
    fs.copyFileSync(SCAN_GATE_FILE, path.join(packaged, 'package', shipped));
    fs.writeFileSync(path.join(bin, 'npm'), [
      '#!/bin/sh',
      `[ "$*" = "pack --silent --pack-destination ${temp} cdk-ecr-platform@$EXPECTED" ] || { echo "unexpected npm $*" >&2; exit 2; }`,
      `tar -czf "${temp}/cdk-ecr-platform-$EXPECTED.tgz" -C ${packaged} package && echo "cdk-ecr-platform-$EXPECTED.tgz"`,
    ].join('\n'), { mode: 0o755 });
    const fetch = step('Fetch the scan gate');
    const run = (version: string) => shell(fetch.run!, { PATH: `${bin}:${process.env.PATH}`, RUNNER_TEMP: temp, EXPECTED: '1.4.0', VERSION: expand(fetch.env!.VERSION, { 'vars.CDK_ECR_PLATFORM_VERSION': version }) });
    expect(run('1.4.0').status).toBe(0);
    const gateJs = expand(step('Wait for the scan and fail on critical findings').env!.SCAN_GATE_JS, { 'runner.temp': temp });
    expect(fs.readFileSync(gateJs)).toEqual(fs.readFileSync(SCAN_GATE_FILE));
    expect([run('').status, run('').stderr]).toEqual([1, expect.stringContaining('VERSION: set the repository variable CDK_ECR_PLATFORM_VERSION')]);
  });

  test('its gate gives up within the job\'s timeout, so the gate, not GitHub, says what it waited for', () => {
    expect(Number(step('Wait for the scan and fail on critical findings').env!.SCAN_TIMEOUT_SECONDS)).toBeLessThan(job['timeout-minutes'] * 60);
  });

  describe('its scan step runs the library\'s gate', () => {
    const DIGEST = `sha256:${'ab'.repeat(32)}`;
    const bin = scratchDir('workflow-bin-');
    // An aws stand-in: each command answers its responses in turn (the last repeating), from ANSWERS.
    fs.writeFileSync(path.join(bin, 'aws'), [
      '#!/usr/bin/env node',
      'const fs = require("fs");',
      'const kind = process.argv[3] === "list-coverage" ? "coverage" : "findings";',
      'const counter = `${process.env.RUNNER_TEMP}/count-${kind}`;',
      'const count = fs.existsSync(counter) ? Number(fs.readFileSync(counter, "utf8")) : 0;',
      'fs.writeFileSync(counter, String(count + 1));',
      'const answers = JSON.parse(process.env.ANSWERS)[kind];',
      'if (!answers) { console.error(`unexpected aws ${process.argv.slice(2).join(" ")}`); process.exit(2); }',
      'console.log(JSON.stringify(answers[Math.min(count, answers.length - 1)]));',
    ].join('\n'), { mode: 0o755 });
    const findings = (scanStatus: string, counts?: Record<string, number>) => ({
      registryId: '111111111111',
      repositoryName: 'platform/storefront',
      imageId: { imageDigest: DIGEST },
      imageScanStatus: { status: scanStatus },
      imageScanFindings: counts ? { findingSeverityCounts: counts } : { enhancedFindings: [] },
    });
    const covered = (reason: string, lastScannedAt?: string) => ({
      coveredResources: [{
        resourceType: 'AWS_ECR_CONTAINER_IMAGE',
        resourceId: `arn:aws:ecr:eu-west-1:111111111111:repository/platform/storefront/${DIGEST}`,
        accountId: '111111111111',
        scanType: 'PACKAGE',
        scanStatus: { statusCode: 'ACTIVE', reason },
        ...(lastScannedAt ? { lastScannedAt } : {}),
      }],
    });
    const wait = step('Wait for the scan and fail on critical findings');
    const run = (vars: Record<string, string>, answers: Record<string, unknown[]>, env: Record<string, string> = {}) => {
      const temp = scratchDir('workflow-runner-');
      const values = {
        'runner.temp': temp,
        'vars.SCAN_GATE || \'basic\'': vars.SCAN_GATE ?? 'basic',
        'vars.ECR_REPOSITORY': 'platform/storefront',
        'steps.push.outputs.digest': DIGEST,
        'steps.tags.outputs.image': '111111111111.dkr.ecr.eu-west-1.amazonaws.com/platform/storefront',
      };
      const stepEnv = Object.fromEntries(Object.entries(wait.env!).map(([name, value]) => [name, expand(String(value), values)]));
      const result = shell(expand(wait.run!, values), {
        PATH: `${bin}:${process.env.PATH}`,
        RUNNER_TEMP: temp,
        GITHUB_STEP_SUMMARY: path.join(temp, 'summary'),
        AWS_REGION: 'eu-west-1',
        ...stepEnv,
        SCAN_GATE_JS: SCAN_GATE_FILE,
        SCAN_POLL_SECONDS: '0.01',
        ANSWERS: JSON.stringify(answers),
        ...env,
      });
      const summary = path.join(temp, 'summary');
      return { status: result.status, stdout: result.stdout, summary: fs.existsSync(summary) ? fs.readFileSync(summary, 'utf8') : '' };
    };
    const pushed = `pushed 111111111111.dkr.ecr.eu-west-1.amazonaws.com/platform/storefront@${DIGEST}\n`;

    test.each<[string, Record<string, string>, Record<string, unknown[]>, Record<string, string>, number, string[], string]>([
      ['basic scanning, clean', {}, { findings: [findings('IN_PROGRESS'), findings('COMPLETE', { HIGH: 2 })] }, {}, 0,
        [`scan gate: waiting for the basic scan of image ${DIGEST} (status IN_PROGRESS)`, `scan gate (threshold CRITICAL): image ${DIGEST}: passed; findings: HIGH=2`], pushed],
      ['basic scanning, a critical finding', {}, { findings: [findings('COMPLETE', { CRITICAL: 1 })] }, {}, 1,
        [`scan gate (threshold CRITICAL): image ${DIGEST}: blocked by CRITICAL; findings: CRITICAL=1`, `::error::scan gate blocked platform/storefront@${DIGEST} (findings in: image)`], ''],
      // aws/aws-sdk#289: ECR reads ACTIVE with no findings while Inspector is still scanning.
      ['enhanced scanning, findings after the status', { SCAN_GATE: 'enhanced' },
        { coverage: [covered('PENDING_INITIAL_SCAN'), covered('SUCCESSFUL', '2026-11-27T10:02:30Z')], findings: [findings('ACTIVE'), findings('ACTIVE', { CRITICAL: 1 })] }, {}, 1,
        [`scan gate: waiting for the enhanced scan of image ${DIGEST} (Amazon Inspector: ACTIVE PENDING_INITIAL_SCAN)`,
          `scan gate (threshold CRITICAL): image ${DIGEST}: blocked by CRITICAL; findings: CRITICAL=1`, `::error::scan gate blocked platform/storefront@${DIGEST} (findings in: image)`], ''],
      ['enhanced scanning, no coverage by the deadline', { SCAN_GATE: 'enhanced' }, { coverage: [{ coveredResources: [] }], findings: [findings('ACTIVE')] }, { SCAN_POLL_SECONDS: '5', SCAN_TIMEOUT_SECONDS: '2' }, 1,
        [`scan gate: waiting for the enhanced scan of image ${DIGEST} (no Amazon Inspector coverage of the image yet)`,
          `::error::no finished scan of image ${DIGEST} after 2s (last: no Amazon Inspector coverage of the image yet); is scan on push or enhanced scanning on?`], ''],
    ])('%s', (_name, vars, answers, env, exitStatus, lines, summary) => {
      expect(run(vars, answers, env)).toEqual({ status: exitStatus, stdout: lines.map((l) => `${l}\n`).join(''), summary });
    });
  });

  test('its tag step computes the library\'s tags from a git ref', () => {
    const script = /- name: Compute the tags[\s\S]*?run: \|\n([\s\S]*?)\n\n/.exec(text)![1].replace(/^ {10}/gm, '');
    const run = (ref: string) => {
      const out = path.join(scratchDir('workflow-'), 'out');
      const result = spawnSync('bash', ['-c', script], {
        encoding: 'utf8',
        env: { PATH: process.env.PATH, GITHUB_SHA: '1a2b3c4d5e6f', GITHUB_REF: ref, GITHUB_OUTPUT: out, REGISTRY: '111111111111.dkr.ecr.eu-west-1.amazonaws.com', REPOSITORY: 'platform/storefront' },
      });
      return { status: result.status, output: fs.existsSync(out) ? fs.readFileSync(out, 'utf8') : result.stdout };
    };
    const image = '111111111111.dkr.ecr.eu-west-1.amazonaws.com/platform/storefront';
    expect(run('refs/heads/main')).toEqual({ status: 0, output: `image=${image}\ntags=${image}:sha-1a2b3c4\n` });
    expect(run('refs/tags/v1.2.3')).toEqual({ status: 0, output: `image=${image}\ntags=${image}:sha-1a2b3c4,${image}:1.2.3\n` });
    expect(run('refs/tags/vlatest')).toEqual({ status: 1, output: '::error::git tag vlatest is not a semantic version such as v1.2.3\n' });
  });
});
