import { App, CfnParameter, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { CfnRepository } from 'aws-cdk-lib/aws-ecr';
import { CfnRule } from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { ImageRepository, ImageRepositoryProps, LifecyclePolicy, LifecycleRule, TagStatus } from '../../src';
import { problemsOf, synthesisProblems } from '../support/problems';

const EVERY_TAG_MUTABLE = 'matches every tag, so any push could move any tag, releases included, as in a MUTABLE repository. '
  + "Name the tags that move (for example 'dev' or 'env-*'), or set tagMutability: ecr.TagMutability.MUTABLE (without patterns) if every tag should move.";

describe('ImageRepository bad input', () => {
  test.each<[string, (stack: Stack) => ImageRepositoryProps, string]>([
    ['name too short', () => ({ repositoryName: 'a' }), "[Stack/Repo] prop 'repositoryName': got \"a\"; must be 2 to 256 characters long, got 1. Shorten or lengthen it."],
    ['name upper', () => ({ repositoryName: 'Team/App' }), "[Stack/Repo] prop 'repositoryName': got \"Team/App\"; ECR names are lower-case letters and digits, joined by '.', '_', '__' or '-', with '/' between namespaces (for example 'team/service'). Fix the name or omit it to get a generated one."],
    ['name trailing slash', () => ({ repositoryName: 'team/' }), "[Stack/Repo] prop 'repositoryName': got \"team/\"; ECR names are lower-case letters and digits, joined by '.', '_', '__' or '-', with '/' between namespaces (for example 'team/service'). Fix the name or omit it to get a generated one."],
    ['name double dot', () => ({ repositoryName: 'team..app' }), "[Stack/Repo] prop 'repositoryName': got \"team..app\"; ECR names are lower-case letters and digits, joined by '.', '_', '__' or '-', with '/' between namespaces (for example 'team/service'). Fix the name or omit it to get a generated one."],
    ['name empty', () => ({ repositoryName: '' }), "[Stack/Repo] prop 'repositoryName': got \"\"; must be 2 to 256 characters long, got 0. Shorten or lengthen it."],
    ['name too long', () => ({ repositoryName: 'a'.repeat(257) }), `[Stack/Repo] prop 'repositoryName': got "${'a'.repeat(257)}"; must be 2 to 256 characters long, got 257. Shorten or lengthen it.`],
    ['exclusion mode given', () => ({ tagMutability: ecr.TagMutability.IMMUTABLE_WITH_EXCLUSION }), "[Stack/Repo] prop 'tagMutability': got \"IMMUTABLE_WITH_EXCLUSION\"; the exclusion modes follow from the patterns. Set 'mutableTagPatterns' (or, with MUTABLE, 'immutableTagPatterns') instead."],
    ['both lists', () => ({ mutableTagPatterns: ['dev'], immutableTagPatterns: ['v*'] }), "[Stack/Repo] prop 'immutableTagPatterns': got [\"v*\"]; cannot be combined with 'mutableTagPatterns'. Keep the list that matches tagMutability."],
    ['mutable with MUTABLE', () => ({ tagMutability: ecr.TagMutability.MUTABLE, mutableTagPatterns: ['dev'] }), "[Stack/Repo] prop 'mutableTagPatterns': got [\"dev\"]; only applies to an immutable repository, and tagMutability is MUTABLE. Drop tagMutability to keep the other tags immutable."],
    ['immutable w/o MUTABLE', () => ({ immutableTagPatterns: ['v*'] }), "[Stack/Repo] prop 'immutableTagPatterns': got [\"v*\"]; only applies with tagMutability MUTABLE; every tag is already immutable. Drop the list."],
    ['6 filters', () => ({ mutableTagPatterns: ['a', 'b', 'c', 'd', 'e', 'f'] }), "[Stack/Repo] prop 'mutableTagPatterns': got [\"a\",\"b\",\"c\",\"d\",\"e\",\"f\"]; ECR takes 1 to 5 tag filters per repository. Combine them with wildcards."],
    ['empty filters', () => ({ mutableTagPatterns: [] }), "[Stack/Repo] prop 'mutableTagPatterns': got []; ECR takes 1 to 5 tag filters per repository. Combine them with wildcards."],
    ['bad filter char', () => ({ mutableTagPatterns: ['feature/*'] }), "[Stack/Repo] prop 'mutableTagPatterns[0]': got \"feature/*\"; a filter is 1 to 128 letters, digits, '.', '_', '-' or '*' wildcards. Fix the pattern."],
    ['dup filter', () => ({ mutableTagPatterns: ['dev', 'dev'] }), "[Stack/Repo] prop 'mutableTagPatterns': got [\"dev\",\"dev\"]; lists a filter twice. Remove the duplicate."],
    ['long filter', () => ({ mutableTagPatterns: ['a'.repeat(129)] }), `[Stack/Repo] prop 'mutableTagPatterns[0]': got "${'a'.repeat(129)}"; a filter is 1 to 128 letters, digits, '.', '_', '-' or '*' wildcards. Fix the pattern.`],
    ['every tag mutable', () => ({ mutableTagPatterns: ['*'] }), `[Stack/Repo] prop 'mutableTagPatterns[0]': got "*"; ${EVERY_TAG_MUTABLE}`],
    ['every tag mutable, among others', () => ({ mutableTagPatterns: ['dev', '**'] }), `[Stack/Repo] prop 'mutableTagPatterns[1]': got "**"; ${EVERY_TAG_MUTABLE}`],
    ['aes with key', (s) => ({ encryption: ecr.RepositoryEncryption.AES_256, encryptionKey: new kms.Key(s, 'K') }), "[Stack/Repo] prop 'encryptionKey': got \"Stack/K\"; is only used with KMS or KMS_DSSE encryption, and encryption is AES256. Drop the key or set encryption to KMS."],
    ['emptyOnDelete retain', () => ({ emptyOnDelete: true }), "[Stack/Repo] prop 'emptyOnDelete': got true; deletes every image, so it needs removalPolicy DESTROY (got the default RETAIN). Set removalPolicy: RemovalPolicy.DESTROY as well, or drop emptyOnDelete."],
    ['emptyOnDelete snapshot', () => ({ emptyOnDelete: true, removalPolicy: RemovalPolicy.SNAPSHOT }), "[Stack/Repo] prop 'emptyOnDelete': got true; deletes every image, so it needs removalPolicy DESTROY (got SNAPSHOT). Set removalPolicy: RemovalPolicy.DESTROY as well, or drop emptyOnDelete."],
    ['lifecycle two limits', () => ({ lifecyclePolicy: new LifecyclePolicy({ rules: [LifecycleRule.expire({ tagStatus: TagStatus.UNTAGGED, maxImageCount: 1, maxImageAge: Duration.days(1) })] }) }), "[Stack/Repo] prop 'lifecyclePolicy': rule 1: LifecycleRule.expire(): got 'maxImageCount' and 'maxImageAge'; set exactly one of 'maxImageCount', 'maxImageAge'."],
    ['lifecycle guard', () => ({ lifecyclePolicy: new LifecyclePolicy({ protectedTags: ['prod*'], rules: [LifecycleRule.expire({ tagPatternList: ['dev-*'], maxImageCount: 5 })] }) }), "[Stack/Repo] prop 'lifecyclePolicy': rule 1 (\"Keep the newest 5 images tagged dev-*; expire older ones\"): could expire images tagged 'prod*', which are protected. Add LifecycleRule.retain({ tagPatternList: ['prod*'] }) before it, or stop protecting 'prod*'."],
    ['lifecycle empty', () => ({ lifecyclePolicy: new LifecyclePolicy() }), "[Stack/Repo] prop 'lifecyclePolicy': policy: rules: got an empty list; ECR needs at least one rule. Add a rule or remove the lifecycle policy.\n[Stack/Repo] prop 'lifecyclePolicy': policy: text: got 12 characters; ECR needs at least 100. Add rule descriptions."],
    ['lifecycle archive 30d', () => ({ lifecyclePolicy: new LifecyclePolicy({ rules: [LifecycleRule.expireArchived({ tagStatus: TagStatus.ANY, archivedFor: Duration.days(30) })] }) }), "[Stack/Repo] prop 'lifecyclePolicy': rule 1: LifecycleRule.expireArchived(): prop 'archivedFor': got 30 days; ECR's selection.countNumber: archived images have a 90-day minimum storage duration. Use 90 days or more."],
    ['several', () => ({ repositoryName: 'X', emptyOnDelete: true }), "[Stack/Repo] prop 'repositoryName': got \"X\"; must be 2 to 256 characters long, got 1. Shorten or lengthen it.\n[Stack/Repo] prop 'emptyOnDelete': got true; deletes every image, so it needs removalPolicy DESTROY (got the default RETAIN). Set removalPolicy: RemovalPolicy.DESTROY as well, or drop emptyOnDelete."],
  ])('props: %s', (_name, props, message) => {
    const stack = new Stack(new App(), 'Stack');
    new ImageRepository(stack, 'Repo', props(stack));
    // Reported when the app synthesizes, with every other construct's problems, one line each.
    expect(synthesisProblems(stack)).toBe(message);
  });

  test.each<[string, (repo: ImageRepository) => unknown, string]>([
    ['account short', (repo) => repo.grantPullToAccounts(['1234']), "[Stack/Repo] prop 'accountIds': got \"1234\"; an AWS account id is exactly 12 digits. Quote it as a string to keep leading zeros."],
    ['accounts empty', (repo) => repo.grantPullToAccounts([]), "[Stack/Repo] prop 'accountIds': got []; name at least one account."],
    ['principal patterns empty', (repo) => repo.grantPullToAccounts(['222222222222'], { principalArnPatterns: [] }),
      "[Stack/Repo] prop 'principalArnPatterns': got []; name at least one pattern, or omit the option to admit the whole accounts."],
    ['principal pattern of another account', (repo) => repo.grantPullToAccounts(['222222222222'], { principalArnPatterns: ['arn:aws:iam::333333333333:role/app/*'] }),
      "[Stack/Repo] prop 'principalArnPatterns': got \"arn:aws:iam::333333333333:role/app/*\"; names account 333333333333, which is not among the accounts [\"222222222222\"]. Add the account or fix the pattern."],
    ['principal pattern with a wildcard account', (repo) => repo.grantPullToAccounts(['222222222222'], { principalArnPatterns: ['arn:aws:iam::*:role/app/*'] }),
      "[Stack/Repo] prop 'principalArnPatterns': got \"arn:aws:iam::*:role/app/*\"; a principal pattern is an IAM role or user ARN of one account, with '*' only in its path or name, for example 'arn:aws:iam::222222222222:role/platform/storefront/*'."],
    ['principal pattern that is no IAM ARN', (repo) => repo.grantPullToAccounts(['222222222222'], { principalArnPatterns: ['arn:aws:sts::222222222222:assumed-role/app/session'] }),
      "[Stack/Repo] prop 'principalArnPatterns': got \"arn:aws:sts::222222222222:assumed-role/app/session\"; a principal pattern is an IAM role or user ARN of one account, with '*' only in its path or name, for example 'arn:aws:iam::222222222222:role/platform/storefront/*'."],
    ['org bad', (repo) => repo.grantPullToOrganization('org-1'), "[Stack/Repo] prop 'organizationId': got \"org-1\"; an organization id is 'o-' followed by 10 to 32 lower-case letters or digits (see 'aws organizations describe-organization')."],
    ['org path bad', (repo) => repo.grantPullToOrganization('o-abcdefghij', { organizationPaths: ['ou-1234'] }), "[Stack/Repo] prop 'organizationPaths': got \"ou-1234\"; an organization path is 'o-<org>/r-<root>/ou-<ou>/.../' and may end in '*', for example 'o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/*'."],
    ['org path other org', (repo) => repo.grantPullToOrganization('o-abcdefghij', { organizationPaths: ['o-zzzzzzzzzz/r-ab12/*'] }), "[Stack/Repo] prop 'organizationPaths': got \"o-zzzzzzzzzz/r-ab12/*\"; does not start with the organization id 'o-abcdefghij/'. Use paths of that organization."],
    ['org paths empty', (repo) => repo.grantPullToOrganization('o-abcdefghij', { organizationPaths: [] }), "[Stack/Repo] prop 'organizationPaths': got []; name at least one path or omit the option."],
    ['lambda none', (repo) => repo.grantPullToLambda({}), "[Stack/Repo] prop 'accountIds': got nothing; give 'accountIds' or 'functionArns': an unconditioned Lambda service principal would let any account's functions pull."],
    ['lambda arn bad', (repo) => repo.grantPullToLambda({ functionArns: ['my-function'] }), "[Stack/Repo] prop 'functionArns': got \"my-function\"; a Lambda function ARN is 'arn:<partition>:lambda:<region>:<account>:function:<name>'. Pass 'accountIds' to allow every function of an account."],
    ['lambda account bad', (repo) => repo.grantPullToLambda({ accountIds: ['12345678901x'] }), "[Stack/Repo] prop 'accountIds': got \"12345678901x\"; an AWS account id is exactly 12 digits. Quote it as a string to keep leading zeros."],
    ['every tag made mutable later', (repo) => repo.addMutableTagPattern('*'), `[Stack/Repo] prop 'mutableTagPattern': got "*"; ${EVERY_TAG_MUTABLE}`],
    ['pushed bad tag', (repo) => repo.onImagePushed('P', { imageTag: 'a b' }), "[Stack/Repo] prop 'imageTag': got \"a b\"; an image tag is 1 to 300 letters, digits, '_', '.' or '-' and does not start with '.' or '-'. Fix the tag, or pass a digest (sha256:<64 hex>)."],
    ['add rule conflict', (repo) => repo.addLifecycleRule(LifecycleRule.expire({ tagStatus: TagStatus.UNTAGGED, maxImageCount: 3 })), "[Stack/Repo] prop 'lifecyclePolicy': policy: storage class 'standard': 2 rules select untagged images (rule 1, rule 2); ECR allows one per storage class. Merge them."],
    // SetRepositoryPolicy refuses a statement without principals; synth says so first.
    ['statement without principals', (repo) => repo.addToResourcePolicy(new iam.PolicyStatement({ actions: ['ecr:BatchGetImage'] })),
      "[Stack/Repo] prop 'statement.principals': got []; a repository policy statement names the principals it admits. Add principals."],
    ['resource statement', (repo) => repo.addToResourcePolicy(new iam.PolicyStatement({ actions: ['ecr:BatchGetImage'], resources: ['*'], principals: [new iam.AccountPrincipal('222222222222')] })), "[Stack/Repo] prop 'statement.resources': got [\"*\"]; a repository policy applies to its repository and takes no Resource. Remove the resources."],
    ['imported by an empty name', (repo) => ImageRepository.fromRepositoryName(repo.stack, 'Imp', ''),
      "[Stack/Imp] prop 'repositoryName': got \"\"; must be 2 to 256 characters long, got 0. Shorten or lengthen it."],
    ['imported accounts', (repo) => ImageRepository.fromRepositoryName(repo.stack, 'Imp', 'team/app').grantPullToAccounts(['222222222222']), '[Stack/Imp] the repository policy of an imported repository cannot be changed from here. Grant the access in the stack that owns the repository.'],
    ['grantee account short', (repo) => repo.grantPull(new iam.AccountPrincipal('12345')),
      "[Stack/Repo] prop 'grantee': got \"12345\"; an AWS account id is exactly 12 digits. Quote it as a string to keep leading zeros."],
    ['grantee account in a composite', (repo) => repo.grantRead(new iam.CompositePrincipal(new iam.AccountPrincipal('222222222222'), new iam.AccountPrincipal('12345'))),
      "[Stack/Repo] prop 'grantee': got \"12345\"; an AWS account id is exactly 12 digits. Quote it as a string to keep leading zeros."],
    ['grantee account with conditions', (repo) => repo.grant(new iam.AccountPrincipal('12345').withConditions({ Bool: { 'aws:SecureTransport': 'true' } }), 'ecr:BatchGetImage'),
      "[Stack/Repo] prop 'grantee': got \"12345\"; an AWS account id is exactly 12 digits. Quote it as a string to keep leading zeros."],
    ['statement account short', (repo) => repo.addToResourcePolicy(new iam.PolicyStatement({ actions: ['ecr:BatchGetImage'], principals: [new iam.AccountPrincipal('12345')] })),
      "[Stack/Repo] prop 'statement.principals': got \"12345\"; an AWS account id is exactly 12 digits. Quote it as a string to keep leading zeros."],
  ])('methods: %s', (_name, call, message) => {
    const repo = new ImageRepository(new Stack(new App(), 'Stack'), 'Repo');
    // Reported when the app synthesizes, with every other mistake of the app; the call itself returns.
    expect(() => call(repo)).not.toThrow();
    expect(synthesisProblems(repo)).toBe(message);
  });

  // ECR EncryptionConfiguration.kmsKey: "The key must exist in the same Region as the repository."
  test.each<[string, (app: App, stack: Stack) => kms.IKey, string]>([
    ['a key of another stack\'s region', (app) => new kms.Key(new Stack(app, 'Virginia', { env: { account: '111111111111', region: 'us-east-1' } }), 'Key'), 'Virginia/Key'],
    ['an imported key of another region', (_app, stack) => kms.Key.fromKeyArn(stack, 'Key', 'arn:aws:kms:us-east-1:111111111111:key/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0'), 'Stack/Key'],
  ])('refuses %s', (_name, key, path) => {
    const app = new App();
    const stack = new Stack(app, 'Stack', { env: { account: '111111111111', region: 'eu-west-1' } });
    new ImageRepository(stack, 'Repo', { encryptionKey: key(app, stack) });
    expect(synthesisProblems(stack)).toBe(`[Stack/Repo] prop 'encryptionKey': got "${path}"; is a key of us-east-1, and ECR encrypts a repository only with a key `
      + "of the repository's own region (eu-west-1). Use a key of eu-west-1 (a multi-Region replica key, if it must be the same key).");
  });

  test('every mistake of the app shows at once: a bad name, a bad grant and a conflicting rule', () => {
    const stack = new Stack(new App(), 'Stack');
    const repo = new ImageRepository(stack, 'Repo', { repositoryName: 'Team/App' });
    repo.grantPullToAccounts(['12345']);
    repo.addLifecycleRule(LifecycleRule.expire({ tagStatus: TagStatus.UNTAGGED, maxImageCount: 0 }));
    expect(synthesisProblems(stack)).toBe(problemsOf('Stack/Repo',
      "prop 'repositoryName': got \"Team/App\"; ECR names are lower-case letters and digits, joined by '.', '_', '__' or '-', with '/' between namespaces (for example 'team/service'). Fix the name or omit it to get a generated one.",
      "prop 'lifecyclePolicy': rule 2: LifecycleRule.expire(): prop 'maxImageCount': got 0; ECR's selection.countNumber: must be a positive whole number (0 is not accepted).",
      "prop 'lifecyclePolicy': policy: storage class 'standard': 2 rules select untagged images (rule 1, rule 2); ECR allows one per storage class. Merge them.",
      "prop 'accountIds': got \"12345\"; an AWS account id is exactly 12 digits. Quote it as a string to keep leading zeros.",
    ));
  });

  test('a grant with invalid input still returns a grant, which grants nothing', () => {
    const stack = new Stack(new App(), 'Stack');
    const repo = new ImageRepository(stack, 'Repo');
    const grant = repo.grantPullToAccounts(['12345']);
    expect(grant.success).toBe(false);
    expect(stack.resolve((repo.node.defaultChild as CfnRepository).repositoryPolicyText)).toBeUndefined();
  });

  test.each<[string, (repo: ImageRepository) => unknown, string]>([
    ['uri bad tag', (repo) => repo.imageUri('-bad'), "[Stack/Repo] prop 'tagOrDigest': got \"-bad\"; an image tag is 1 to 300 letters, digits, '_', '.' or '-' and does not start with '.' or '-'. Fix the tag, or pass a digest (sha256:<64 hex>)."],
    ['uri long tag', (repo) => repo.imageUri('a'.repeat(301)), `[Stack/Repo] prop 'tagOrDigest': got "${'a'.repeat(301)}"; an image tag is 1 to 300 letters, digits, '_', '.' or '-' and does not start with '.' or '-'. Fix the tag, or pass a digest (sha256:<64 hex>).`],
    ['uri bad digest', (repo) => repo.imageUri('sha256:abc'), "[Stack/Repo] prop 'tagOrDigest': got \"sha256:abc\"; a digest is 'sha256:' followed by 64 lower-case hex digits. Copy it from 'aws ecr describe-images'."],
  ])('methods that throw (their result depends on the input): %s', (_name, call, message) => {
    const repo = new ImageRepository(new Stack(new App(), 'Stack'), 'Repo');
    expect(() => call(repo)).toThrow(new Error(message));
  });
});

test('unresolved tokens are never validated: they reach the template as they are', () => {
  const stack = new Stack(new App(), 'Stack');
  const name = new CfnParameter(stack, 'Name').valueAsString;
  const account = new CfnParameter(stack, 'Account').valueAsString;
  const tag = new CfnParameter(stack, 'Tag').valueAsString;
  const repo = new ImageRepository(stack, 'Repo', { repositoryName: name, mutableTagPatterns: [tag] });
  repo.grantPullToAccounts([account]);
  repo.grantPullToOrganization(new CfnParameter(stack, 'Org').valueAsString);
  repo.grantPullToLambda({ functionArns: [new CfnParameter(stack, 'Fn').valueAsString] });
  expect(stack.resolve(repo.imageUri(tag))['Fn::Join'][1].slice(-2)).toEqual([':', { Ref: 'Tag' }]);
  repo.onImagePushed('Pushed', { imageTag: tag });
  // Every check of the app, without synthesizing it.
  expect(stack.node.findAll().flatMap((c) => c.node.validate())).toEqual([]);
  const resource = repo.node.defaultChild as CfnRepository;
  const pull = ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'];
  expect(stack.resolve({
    name: resource.repositoryName,
    mutability: resource.imageTagMutability,
    filters: resource.imageTagMutabilityExclusionFilters,
    policy: resource.repositoryPolicyText,
  })).toEqual({
    name: { Ref: 'Name' },
    mutability: 'IMMUTABLE_WITH_EXCLUSION',
    filters: [{ imageTagMutabilityExclusionFilterType: 'WILDCARD', imageTagMutabilityExclusionFilterValue: { Ref: 'Tag' } }],
    policy: {
      Version: '2012-10-17',
      Statement: [
        { Action: pull, Effect: 'Allow', Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'Account' }, ':root']] } } },
        { Action: pull, Condition: { StringEquals: { 'aws:PrincipalOrgID': { Ref: 'Org' } } }, Effect: 'Allow', Principal: { AWS: '*' } },
        { Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'], Condition: { StringLike: { 'aws:sourceArn': [{ Ref: 'Fn' }] } }, Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } },
      ],
    },
  });
  expect(stack.resolve((repo.node.findChild('Pushed').node.defaultChild as CfnRule).eventPattern).detail['image-tag']).toEqual([{ Ref: 'Tag' }]);
});

test("a thrown error's first frame is the caller's line, not the library's error helper", () => {
  const repo = new ImageRepository(new Stack(new App(), 'Stack'), 'Repo');
  const line = Number(new Error().stack!.split('\n')[1].match(/:(\d+):\d+\)?$/)![1]) + 3;
  let error: Error | undefined;
  try {
    repo.imageUri('-bad');
  } catch (e) {
    error = e as Error;
  }
  const firstFrame = error!.stack!.split('\n').find((l) => /^\s+at /.test(l));
  expect(firstFrame).toContain(`${__filename}:${line}:`);
});
