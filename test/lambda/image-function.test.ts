import { App, CfnParameter, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
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
  test('runs the image by digest; the repository\'s policy is left to its owner', () => {
    const stack = functionStack();
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::Function', {
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
    // aws-cdk-lib's image code would add an unconditioned lambda.amazonaws.com statement to a repository of the app.
    expect(JSON.stringify(template.findResources('AWS::ECR::Repository'))).not.toContain('lambda.amazonaws.com');
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
