import { Annotations, App, CfnParameter, Stack } from 'aws-cdk-lib';
import { Annotations as SynthAnnotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { ImageBuildProject, ImageFunction, ImageFunctionProps, ImagePlatform, ImageRepository, PullThroughCacheRule, RepositoryCreationTemplate, RepositoryCreationTrigger, UpstreamRegistry } from '../../src';
import { synthesisProblems } from '../support/problems';

const ENV = { account: '111111111111', region: 'eu-west-1' };
const DIGEST = `sha256:${'ab'.repeat(32)}`;

function functionStack(props: (s: Stack) => Partial<ImageFunctionProps> = () => ({})) {
  const stack = new Stack(new App(), 'Functions', { env: ENV });
  const repository = new ImageRepository(stack, 'Repository', { repositoryName: 'platform/resizer' });
  new ImageFunction(stack, 'Resizer', { repository, imageDigest: DIGEST, ...props(stack) });
  return stack;
}

const build = (s: Stack, platforms: ImagePlatform[]) => new ImageBuildProject(s, 'Build', {
  repository: ImageRepository.fromRepositoryName(s, 'BuildRepository', 'platform/resizer'),
  source: codebuild.Source.gitHub({ owner: 'example-org', repo: 'resizer' }),
  platforms,
});

describe('ImageFunction', () => {
  test('runs the image by digest', () => {
    Template.fromStack(functionStack()).hasResourceProperties('AWS::Lambda::Function', {
      PackageType: 'Image',
      Architectures: ['x86_64'],
      Code: {
        ImageUri: {
          'Fn::Join': ['', [{ 'Fn::Select': [4, { 'Fn::Split': [':', { 'Fn::GetAtt': ['Repository22E53BBD', 'Arn'] }] }] },
            '.dkr.ecr.', { 'Fn::Select': [3, { 'Fn::Split': [':', { 'Fn::GetAtt': ['Repository22E53BBD', 'Arn'] }] }] }, '.',
            { Ref: 'AWS::URLSuffix' }, '/', { Ref: 'Repository22E53BBD' }, `@${DIGEST}`]],
        },
      },
    });
  });

  const lambdaStatement = (account: string) => ({
    Effect: 'Allow',
    Principal: { Service: 'lambda.amazonaws.com' },
    Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
    Condition: { StringLike: { 'aws:sourceArn': [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:lambda:eu-west-1:${account}:function:*`]] }] } },
  });

  test('a repository of the app admits the Lambda service for functions of the function\'s account only, once for two functions', () => {
    const stack = functionStack();
    new ImageFunction(stack, 'Thumbnails', { repository: stack.node.findChild('Repository') as ImageRepository, imageDigest: DIGEST });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ECR::Repository', { RepositoryPolicyText: { Statement: [lambdaStatement('111111111111')] } });
    expect(SynthAnnotations.fromStack(stack).findWarning('*', Match.anyValue())).toEqual([]);
  });

  test('a function of another account is admitted with its account, as Lambda\'s cross-account policy requires', () => {
    const app = new App();
    const registry = new Stack(app, 'Registry', { env: ENV });
    const repository = new ImageRepository(registry, 'Repository', { repositoryName: 'platform/resizer' });
    const functions = new Stack(app, 'Functions', { env: { ...ENV, account: '222222222222' } });
    new ImageFunction(functions, 'Resizer', { repository, imageDigest: DIGEST });
    // The repository's name is no reference across accounts: the function's stack waits for the policy explicitly.
    expect(functions.dependencies).toEqual([registry]);
    Template.fromStack(registry).hasResourceProperties('AWS::ECR::Repository', {
      RepositoryPolicyText: {
        Statement: Match.arrayWith([lambdaStatement('222222222222'), Match.objectLike({
          Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::222222222222:root']] } },
          Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
        })]),
      },
    });
  });

  test.each<[string, (s: Stack) => ecr.IRepository]>([
    ['ImageRepository.fromRepositoryName', (s) => ImageRepository.fromRepositoryName(s, 'Imported', 'platform/resizer')],
    ['ecr.Repository.fromRepositoryName', (s) => ecr.Repository.fromRepositoryName(s, 'Imported', 'platform/resizer')],
  ])('an imported repository (%s) is left to its owner, with a warning naming the grant', (_name, imported) => {
    const stack = functionStack((s) => ({ repository: imported(s) }));
    expect(SynthAnnotations.fromStack(stack).findWarning('*', Match.anyValue()).map((w) => w.entry.data)).toEqual([
      'prop \'repository\': got "Functions/Imported"; is an imported repository, whose policy cannot be written from here, and Lambda pulls the '
      + 'image only if that policy admits the Lambda service for functions of account 111111111111. Call grantPullToLambda({ accountIds: '
      + '[\'111111111111\'] }) on the repository in the stack that owns it, then acknowledge \'cdk-ecr-platform:imageFunctionImportedRepository\'. '
      + '[ack: cdk-ecr-platform:imageFunctionImportedRepository]',
    ]);
    const acknowledged = functionStack((s) => ({ repository: imported(s) }));
    Annotations.of(acknowledged).acknowledgeWarning(ImageFunction.IMPORTED_REPOSITORY_WARNING, 'the registry grants it');
    expect(SynthAnnotations.fromStack(acknowledged).findWarning('*', Match.anyValue())).toEqual([]);
  });

  test('a single-platform build sets the architecture', () => {
    const stack = functionStack((s) => ({ buildProject: build(s, [ImagePlatform.LINUX_ARM64]) }));
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', { Architectures: ['arm64'] });
    expect(synthesisProblems(stack)).toBe('');
  });

  test('a digest given as a token (a stack parameter) is not checked, and is still referenced as a digest', () => {
    const stack = functionStack((s) => ({ imageDigest: new CfnParameter(s, 'Digest').valueAsString }));
    expect(synthesisProblems(stack)).toBe('');
    const uri = Template.fromStack(stack).findResources('AWS::Lambda::Function');
    // repository@digest (Lambda's ImageUri takes a tag after ':' or a digest after '@').
    expect(Object.values(uri)[0].Properties.Code.ImageUri['Fn::Join'][1].slice(-2)).toEqual(['@', { Ref: 'Digest' }]);
  });

  test.each<[string, (s: Stack) => Partial<ImageFunctionProps>, string]>([
    ['a tag instead of a digest', () => ({ imageDigest: 'prod' }),
      "prop 'imageDigest': got \"prod\"; a digest is 'sha256:' followed by 64 lower-case hex digits. Copy it from 'aws ecr describe-images'."],
    ['a repository of another region', (s) => ({ repository: ImageRepository.fromRepositoryAttributes(s, 'Far', { repositoryName: 'platform/resizer', repositoryArn: 'arn:aws:ecr:us-east-1:222222222222:repository/platform/resizer' }) }),
      "prop 'repository': got \"arn:aws:ecr:us-east-1:222222222222:repository/platform/resizer\"; is in us-east-1, and Lambda runs images only from a repository of the function's region (eu-west-1). Replicate the repository to eu-west-1 (RegistryReplication) and use the copy there."],
    ['a multi-architecture build', (s) => ({ buildProject: build(s, [ImagePlatform.LINUX_AMD64, ImagePlatform.LINUX_ARM64]) }),
      "prop 'buildProject': got [\"linux/amd64\",\"linux/arm64\"]; builds a multi-architecture image index, which Lambda does not run. Give the function an image build of one platform, the function's architecture."],
    ['an architecture the image is not built for', (s) => ({ buildProject: build(s, [ImagePlatform.LINUX_AMD64]), architecture: lambda.Architecture.ARM_64 }),
      "prop 'architecture': got \"arm64\"; does not match the image, built for linux/amd64. Use lambda.Architecture.X86_64, or build for the function's architecture."],
    ['a pull-through cache\'s repository', (s) => {
      new PullThroughCacheRule(s, 'EcrPublic', { upstream: UpstreamRegistry.ecrPublic() });
      new RepositoryCreationTemplate(s, 'CacheTemplate', { prefix: 'ecr-public', appliedFor: [RepositoryCreationTrigger.PULL_THROUGH_CACHE] });
      return { repository: ImageRepository.fromRepositoryName(s, 'Cached', 'ecr-public/lambda/python') };
    }, "prop 'repository': got \"ecr-public/lambda/python\"; is a repository of the pull-through cache Functions/EcrPublic, which Lambda cannot fill and whose images follow the upstream. Copy the image into a repository of your own (a build FROM it, or skopeo copy) and use that."],
    ['a repository of a cache whose prefix was given with its slash', (s) => {
      new PullThroughCacheRule(s, 'Quay', { upstream: UpstreamRegistry.quay(), ecrRepositoryPrefix: 'mirror/' });
      new RepositoryCreationTemplate(s, 'CacheTemplate', { prefix: 'mirror', appliedFor: [RepositoryCreationTrigger.PULL_THROUGH_CACHE] });
      return { repository: ImageRepository.fromRepositoryName(s, 'Cached', 'mirror/org/tool') };
    }, "prop 'repository': got \"mirror/org/tool\"; is a repository of the pull-through cache Functions/Quay, which Lambda cannot fill and whose images follow the upstream. Copy the image into a repository of your own (a build FROM it, or skopeo copy) and use that."],
  ])('refuses %s', (_name, props, problem) => {
    expect(synthesisProblems(functionStack(props))).toBe(`[Functions/Resizer] ${problem}`);
  });
});
