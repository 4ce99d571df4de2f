import { Annotations, ArnFormat, Stack, Token, TokenComparison } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { CpuArchitecture, platformArchitecture } from '../image-build/architecture';
import { recordArchitectureChecked } from '../image-build/consumers';
import { ImagePlatform } from '../image-build/options';
import { ImageBuildProject } from '../image-build/project';
import { propProblem, reportProblems } from '../private/errors';
import { lambdaPrincipals } from '../private/principals';
import { isCacheRepository, PullThroughCacheRule } from '../registry/pull-through-cache';
import { LAMBDA_PULL_ACTIONS } from '../repository/actions';
import { digestProblems } from '../repository/validation';

/** The Lambda architecture an image built for `platform` runs on (image-build/architecture.ts has the rule). */
const architectureOf = (platform: ImagePlatform): lambda.Architecture =>
  (platformArchitecture(platform) === CpuArchitecture.ARM64 ? lambda.Architecture.ARM_64 : lambda.Architecture.X86_64);

/** Properties of an `ImageFunction`. */
export interface ImageFunctionProps extends lambda.FunctionOptions {
  /**
   * The repository of the image, in the function's region (Lambda runs images only from its own region). A repository
   * of this app is given the policy statement Lambda needs for functions of this function's account; an imported one
   * must admit them where it is managed (`grantPullToLambda`), which a warning reminds of.
   */
  readonly repository: ecr.IRepository;
  /**
   * The image digest (`sha256:...`). A digest, never a tag: Lambda resolves a tag once, at deployment, so a tag would
   * only hide which image runs; a redeploy of an old version deploys its old image.
   */
  readonly imageDigest: string;
  /**
   * The image build that produces the image: its platforms are checked against the function's architecture, and a
   * single-platform build sets the architecture when `architecture` is not given.
   * @default - not checked
   */
  readonly buildProject?: ImageBuildProject;
  /**
   * The image's ENTRYPOINT, replacing the image's own.
   * @default - the image's
   */
  readonly entrypoint?: string[];
  /**
   * The image's CMD (for AWS base images, the handler), replacing the image's own.
   * @default - the image's
   */
  readonly cmd?: string[];
}

/**
 * A Lambda function that runs a container image from ECR by digest, with what Lambda documents for container images
 * checked at synth: the repository in the function's region, a single-architecture image of the function's
 * architecture, and not a pull-through cache's repository. Lambda pulls as its service principal, which the repository's
 * policy must admit even in the function's own account: on a repository of this app the function adds that statement,
 * narrowed to functions of its account; an imported repository's owner grants it (`grantPullToLambda`).
 */
export class ImageFunction extends Construct {
  /**
   * The id of the warning that the repository is imported, so its policy may not admit Lambda: acknowledge it
   * (`Annotations.of(fn).acknowledgeWarning(...)`) once the repository's owner calls `grantPullToLambda`.
   */
  public static readonly IMPORTED_REPOSITORY_WARNING = 'cdk-ecr-platform:imageFunctionImportedRepository';

  /** The function. */
  public readonly function: lambda.DockerImageFunction;

  constructor(scope: Construct, id: string, props: ImageFunctionProps) {
    super(scope, id);
    const { repository, imageDigest, buildProject, entrypoint, cmd, ...options } = props;
    const platforms = buildProject?.platforms ?? [];
    const architecture = props.architecture ?? (platforms.length === 1 ? architectureOf(platforms[0]) : lambda.Architecture.X86_64);
    reportProblems(this, [
      ...(Token.isUnresolved(imageDigest) ? [] : digestProblems('imageDigest', imageDigest)),
      ...regionProblems(this, repository),
      ...platformProblems(platforms, architecture),
    ]);
    this.node.addValidation({ validate: () => cacheProblems(this, repository) });
    admitLambda(this, repository);

    // An import of its own: aws-cdk-lib's image code grants pull to the Lambda service principal on the repository it
    // is given, an unconditioned statement (any account's functions); admitLambda above adds the narrowed one.
    const image = ecr.Repository.fromRepositoryAttributes(this, 'Repository', {
      repositoryArn: repository.repositoryArn, repositoryName: repository.repositoryName,
    });
    this.function = new lambda.DockerImageFunction(this, 'Function', {
      ...options,
      architecture,
      code: lambda.DockerImageCode.fromEcr(image, { tagOrDigest: imageDigest, entrypoint, cmd }),
    });
    // aws-cdk-lib tells a digest from a tag by its text, which a token (a stack parameter) does not show, and would
    // write `repository:sha256:...`, an image URI Lambda refuses: name it a digest.
    (this.function.node.defaultChild as lambda.CfnFunction).addPropertyOverride('Code.ImageUri', image.repositoryUriForDigest(imageDigest));
    // Its architecture is checked against the build above: the build's app-wide check leaves it out.
    if (buildProject) recordArchitectureChecked(this.function.node.defaultChild!, buildProject);
  }
}

/**
 * Lets Lambda pull the image for functions of `scope`'s account, through the repository's policy: Lambda's "Amazon ECR
 * permissions" ask for it in the same account too (Lambda would otherwise add it itself, if the deploying role may set
 * the policy, and the next deploy of the repository's stack would remove it). Warns when the policy is not this app's.
 */
function admitLambda(scope: Construct, repository: ecr.IRepository): void {
  const account = Stack.of(scope).account;
  const admitted = admittedAccounts.get(repository) ?? new Set<string>();
  if (admitted.has(account)) return;
  const added = lambdaPrincipals(Stack.of(repository), [account]).principals().map((principal) =>
    repository.addToResourcePolicy(new iam.PolicyStatement({ actions: LAMBDA_PULL_ACTIONS, principals: [principal] })).statementAdded);
  if (added.every(Boolean)) {
    admittedAccounts.set(repository, admitted.add(account));
    // The policy must admit Lambda before CreateFunction; across accounts the repository's name is no reference
    // CloudFormation orders by.
    if (Stack.of(repository) !== Stack.of(scope)) Stack.of(scope).addDependency(Stack.of(repository), 'the repository policy admits Lambda');
    return;
  }
  Annotations.of(scope).addWarningV2(ImageFunction.IMPORTED_REPOSITORY_WARNING, propProblem('repository', repository.node.path, 'is an imported repository, whose '
    + `policy cannot be written from here, and Lambda pulls the image only if that policy admits the Lambda service for functions of account ${account}. `
    + `Call grantPullToLambda({ accountIds: ['${account}'] }) on the repository in the stack that owns it, then acknowledge '${ImageFunction.IMPORTED_REPOSITORY_WARNING}'.`));
}

/** The accounts whose functions each repository already admits, so a second function adds no twin statement. */
const admittedAccounts = new WeakMap<ecr.IRepository, Set<string>>();

function regionProblems(scope: Construct, repository: ecr.IRepository): string[] {
  const region = Stack.of(repository).splitArn(repository.repositoryArn, ArnFormat.SLASH_RESOURCE_NAME).region;
  const functionRegion = Stack.of(scope).region;
  if (region === undefined || Token.isUnresolved(region) || Token.isUnresolved(functionRegion) || region === functionRegion) return [];
  return [propProblem('repository', repository.repositoryArn, `is in ${region}, and Lambda runs images only from a repository of the `
    + `function's region (${functionRegion}). Replicate the repository to ${functionRegion} (RegistryReplication) and use the copy there.`)];
}

function platformProblems(platforms: readonly ImagePlatform[], architecture: lambda.Architecture): string[] {
  if (platforms.length > 1) {
    return [propProblem('buildProject', platforms, 'builds a multi-architecture image index, which Lambda does not run. '
      + 'Give the function an image build of one platform, the function\'s architecture.')];
  }
  if (platforms.length === 1 && architectureOf(platforms[0]).name !== architecture.name) {
    return [propProblem('architecture', architecture.name, `does not match the image, built for ${platforms[0]}. `
      + `Use lambda.Architecture.${architectureOf(platforms[0]) === lambda.Architecture.ARM_64 ? 'ARM_64' : 'X86_64'}, or build for the function's architecture.`)];
  }
  return [];
}

/**
 * A pull-through cache's repository holds an upstream image only after a pull with `ecr:BatchImportUpstreamImage`,
 * which Lambda's pulls (`ecr:BatchGetImage` and `ecr:GetDownloadUrlForLayer`) never have, and its images follow the
 * upstream and the cache's lifecycle; Lambda re-fetches a function's image and fails the function when it is gone.
 */
function cacheProblems(scope: Construct, repository: ecr.IRepository): string[] {
  const name = repository.repositoryName;
  if (Token.isUnresolved(name)) return [];
  const cache = scope.node.root.node.findAll().find((c): c is PullThroughCacheRule => c instanceof PullThroughCacheRule
    && Token.compareStrings(c.registryUri, repository.registryUri) !== TokenComparison.DIFFERENT
    && isCacheRepository(c.ecrRepositoryPrefix, name));
  return cache ? [propProblem('repository', name, `is a repository of the pull-through cache ${cache.node.path}, which Lambda cannot `
    + 'fill and whose images follow the upstream. Copy the image into a repository of your own (a build FROM it, or skopeo copy) and use that.')] : [];
}
