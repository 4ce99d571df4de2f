/**
 * Every check of an image build's props that does not need the repository, in the library's message form.
 * Unresolved tokens are skipped.
 */
import { Duration, Token } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import type { ImageBuildCache } from './options';
import type { ImageBuildProjectProps } from './project';
import { RESERVED_VARIABLES } from './reserved';
import { DOCKER_TAG_MAX_LENGTH, isSemver, registryCacheTags } from './tags';
import { propProblem, showDuration } from '../private/errors';
import { DEFAULT_COMMIT_TAG_PREFIX } from '../private/tag-vocabulary';
import { digestProblems, imageTagProblems } from '../repository/validation';

const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
// Names that say "secret": such values belong in buildSecrets, where they never reach the image history or the logs.
const SECRET_NAME = /(SECRET|PASSWORD|PASSWD|TOKEN|PRIVATE_?KEY|API_?KEY|CREDENTIAL)/i;
const AWS_CREDENTIAL_NAMES = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'];
const ACCESS_KEY_VALUE = /\b(AKIA|ASIA)[0-9A-Z]{16}\b/;
// Sources whose CODEBUILD_RESOLVED_SOURCE_VERSION is not a commit.
const NO_COMMIT_SOURCES = ['S3', 'NO_SOURCE'];
const PARAMETER_PREFIX = /^(\/[A-Za-z0-9_.-]+)+$/;
// SSM PutParameter: "A parameter name can't be prefixed with "aws" or "ssm" (case-insensitive)", its first path
// segment included (AWS keeps /aws/ for its public parameters).
const RESERVED_PARAMETER_PREFIX = /^\/?(aws|ssm)/i;
// CodeBuild CreateProject: a project name is 2 to 255 characters of [A-Za-z0-9][A-Za-z0-9\-_]{1,254}.
const PROJECT_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{1,254}$/;
// Docker builds need privileged mode on a Linux container: not Windows, not Lambda compute ("AWS Lambda doesn't
// support Docker builds or runs"), and on-demand compute types only.
const DOCKER_ENVIRONMENTS: string[] = [codebuild.EnvironmentType.LINUX_CONTAINER, codebuild.EnvironmentType.ARM_CONTAINER];
const DOCKER_COMPUTE_TYPES: string[] = [
  codebuild.ComputeType.SMALL, codebuild.ComputeType.MEDIUM, codebuild.ComputeType.LARGE,
  codebuild.ComputeType.X_LARGE, codebuild.ComputeType.X2_LARGE,
];

const resolved = (v: unknown) => !Token.isUnresolved(v);

/** An image tag the build pushes with Docker: ECR's grammar, and Docker's length limit. */
function dockerTagProblems(prop: string, tag: string): string[] {
  const invalid = imageTagProblems(prop, tag);
  if (invalid.length > 0 || tag.length <= DOCKER_TAG_MAX_LENGTH) return invalid;
  return [propProblem(prop, tag, `is ${tag.length} characters; Docker pushes tags of at most ${DOCKER_TAG_MAX_LENGTH} (ECR would take 300). Shorten it.`)];
}

function minutesProblems(prop: string, value: ImageBuildProjectProps['timeout'], min: number, max: number, range: string): string[] {
  if (value === undefined || value.isUnresolved()) return [];
  const minutes = value.toMinutes({ integral: false });
  return Number.isInteger(minutes) && minutes >= min && minutes <= max ? [] : [propProblem(prop, showDuration(value), `CodeBuild takes whole minutes from ${range}.`)];
}

/** The scan gate's wait: whole seconds (SCAN_TIMEOUT_SECONDS), ending before CodeBuild's own timeout stops the build. */
function scanGateTimeoutProblems(props: ImageBuildProjectProps): string[] {
  const value = props.scanGateTimeout;
  if (value === undefined || value.isUnresolved()) return [];
  const seconds = value.toSeconds({ integral: false });
  if (!(Number.isInteger(seconds) && seconds >= 1)) {
    return [propProblem('scanGateTimeout', showDuration(value), 'the scan gate waits whole seconds, at least one. For example Duration.minutes(30).')];
  }
  const build = props.timeout ?? Duration.hours(1);
  if (build.isUnresolved() || seconds < build.toSeconds({ integral: false })) return [];
  return [propProblem('scanGateTimeout', showDuration(value), `must be shorter than the build's timeout (${showDuration(build)}), or CodeBuild stops the `
    + 'build before the gate gives up, without saying which scan it waited for. Shorten scanGateTimeout, or raise timeout.')];
}

function relativePathProblems(prop: string, value: string | undefined): string[] {
  if (value === undefined || !resolved(value)) return [];
  if (value === '' || value.startsWith('/') || value.split('/').includes('..')) {
    return [propProblem(prop, value, 'must be a path inside the source, relative to its root, without \'..\'. For example \'services/api/Dockerfile\'.')];
  }
  return [];
}

function variableNameProblems(prop: string, name: string): string[] {
  if (!VARIABLE_NAME.test(name)) return [propProblem(prop, name, 'a variable name is letters, digits and \'_\', not starting with a digit.')];
  if (RESERVED_VARIABLES.includes(name)) return [propProblem(prop, name, 'is set by ImageBuildProject itself. Choose another name.')];
  return [];
}

export function imageBuildProblems(props: ImageBuildProjectProps, cache: ImageBuildCache): string[] {
  const p: string[] = [];
  const prefix = props.commitTagPrefix ?? DEFAULT_COMMIT_TAG_PREFIX;
  const environment = props.environmentTags ?? [];
  const promotion = props.promotionTags ?? [];

  // Moving tags
  const moving = [...environment.map((t) => ['environmentTags', t]), ...promotion.map((t) => ['promotionTags', t])].filter(([, t]) => resolved(t));
  for (const [prop, tag] of moving) {
    const invalid = dockerTagProblems(prop, tag);
    if (invalid.length > 0) {
      p.push(...invalid);
    } else if (tag === 'latest' && !props.allowLatestTag) {
      p.push(propProblem(prop, tag, "deployments that follow 'latest' cannot tell which image they run. Deploy by digest or environment tag; set allowLatestTag: true only if you must."));
    } else if (isSemver(tag)) {
      p.push(propProblem(prop, tag, 'looks like a version, and version tags are immutable releases. Use an environment name such as \'staging\'.'));
    } else if (prefix !== '' && tag.startsWith(prefix)) {
      p.push(propProblem(prop, tag, `starts with the commit tag prefix '${prefix}', so it could collide with a commit tag. Rename it.`));
    }
  }
  const seen = moving.map(([, t]) => t);
  for (const tag of new Set(seen.filter((t, i) => seen.indexOf(t) !== i))) {
    p.push(propProblem('environmentTags', tag, 'is listed twice (environment and promotion tags together). Keep it once.'));
  }

  // Commit and version tags
  const length = props.commitShaLength;
  if (length !== undefined && resolved(length) && !(Number.isInteger(length) && length >= 7 && length <= 40)) {
    p.push(propProblem('commitShaLength', length, 'must be a whole number from 7 to 40 (a Git SHA-1 has 40 hex digits).'));
  }
  if (resolved(prefix) && prefix !== '' && imageTagProblems('commitTagPrefix', `${prefix}0`).length > 0) {
    p.push(propProblem('commitTagPrefix', prefix, "must make a valid tag: letters, digits, '_', '.' or '-', not starting with '.' or '-'."));
  } else if (resolved(prefix) && (length === undefined || resolved(length)) && prefix.length + (length ?? 7) > DOCKER_TAG_MAX_LENGTH) {
    p.push(propProblem('commitTagPrefix', prefix, `with ${length ?? 7} characters of the SHA it makes tags longer than Docker's ${DOCKER_TAG_MAX_LENGTH}. Shorten it.`));
  }
  for (const prop of ['commitShaVariable', 'versionVariable'] as const) {
    const name = props[prop];
    if (name !== undefined && resolved(name) && !VARIABLE_NAME.test(name)) {
      p.push(propProblem(prop, name, 'a variable name is letters, digits and \'_\', not starting with a digit.'));
    }
  }
  const sourceType = props.source?.type ?? 'CODEPIPELINE';
  if (NO_COMMIT_SOURCES.includes(sourceType) && props.commitShaVariable === undefined) {
    p.push(propProblem('commitShaVariable', undefined, `the ${sourceType} source resolves to no commit, so the commit tag has no SHA. `
      + 'Name the variable that carries it (set on start-build or by your pipeline).'));
  }

  // Build inputs
  p.push(...relativePathProblems('dockerfile', props.dockerfile), ...relativePathProblems('buildContext', props.buildContext));
  if (props.buildTarget !== undefined && resolved(props.buildTarget) && !/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(props.buildTarget)) {
    p.push(propProblem('buildTarget', props.buildTarget, 'a build stage name is letters, digits, \'_\', \'.\' and \'-\'.'));
  }
  for (const [name, value] of Object.entries(props.buildArgs ?? {})) {
    if (!VARIABLE_NAME.test(name)) {
      p.push(propProblem('buildArgs', name, 'a build arg name is letters, digits and \'_\', not starting with a digit.'));
    } else if (SECRET_NAME.test(name)) {
      p.push(propProblem('buildArgs', name, 'looks like a secret, and build args are stored in the image history. Pass it in buildSecrets.'));
    }
    if (resolved(value) && /[\r\n]/.test(value)) p.push(propProblem(`buildArgs.${name}`, value, 'a build arg value is one line.'));
  }
  const ids = (props.buildSecrets ?? []).map((s) => s.id);
  for (const id of ids) p.push(...variableNameProblems('buildSecrets', id));
  for (const id of new Set(ids.filter((t, i) => ids.indexOf(t) !== i))) p.push(propProblem('buildSecrets', id, 'two secrets share this id. Give each its own.'));
  for (const [name, value] of Object.entries(props.environmentVariables ?? {})) {
    if (AWS_CREDENTIAL_NAMES.includes(name) || (resolved(value) && ACCESS_KEY_VALUE.test(value))) {
      p.push(propProblem('environmentVariables', name, 'AWS credentials never go in environment variables: the project\'s role provides them. Grant the role what the build needs.'));
    } else if (SECRET_NAME.test(name)) {
      p.push(propProblem('environmentVariables', name, 'looks like a secret, and plaintext variables show in the console and API. Pass it in buildSecrets.'));
    } else {
      p.push(...variableNameProblems('environmentVariables', name));
    }
    if (ids.includes(name)) p.push(propProblem('environmentVariables', name, 'is also a build secret id. Rename one.'));
  }

  // Platforms, cache, limits
  const platforms = props.platforms;
  if (platforms !== undefined && (platforms.length === 0 || new Set(platforms).size !== platforms.length)) {
    p.push(propProblem('platforms', platforms, 'name each platform once, at least one.'));
  }
  if (cache.tag !== undefined && resolved(cache.tag)) {
    const invalid = imageTagProblems('cache', cache.tag);
    p.push(...invalid);
    if (invalid.length === 0 && (cache.tag === 'latest' || seen.includes(cache.tag) || isSemver(cache.tag) || (prefix !== '' && cache.tag.startsWith(prefix)))) {
      p.push(propProblem('cache', cache.tag, 'the cache tag must not be an image tag (latest, an environment, version or commit tag). Use a tag of its own such as \'buildcache\'.'));
    } else if (invalid.length === 0) {
      for (const tag of registryCacheTags(cache.tag, platforms ?? ['linux/amd64'])) p.push(...dockerTagProblems('cache', tag));
    }
  }
  const buildkitTag = cache.buildkitImageTag;
  if (buildkitTag !== undefined && resolved(buildkitTag)) {
    p.push(...(buildkitTag.startsWith('sha256:') ? digestProblems('cache.buildkitImageTag', buildkitTag) : imageTagProblems('cache.buildkitImageTag', buildkitTag)));
  }
  // CodeBuild CreateProject: timeoutInMinutes 5 to 2160, queuedTimeoutInMinutes 5 to 480.
  p.push(...minutesProblems('timeout', props.timeout, 5, 2160, '5 minutes to 36 hours'));
  p.push(...minutesProblems('queuedTimeout', props.queuedTimeout, 5, 480, '5 minutes to 8 hours'));
  p.push(...scanGateTimeoutProblems(props));
  const image = props.buildImage;
  if (image !== undefined && !DOCKER_ENVIRONMENTS.includes(image.type)) {
    p.push(propProblem('buildImage', image.imageId, `is a ${image.type} image; Docker builds run in privileged mode on LINUX_CONTAINER or ARM_CONTAINER images. `
      + 'Use codebuild.LinuxBuildImage or codebuild.LinuxArmBuildImage.'));
  }
  const compute = props.computeType;
  if (compute !== undefined && !DOCKER_COMPUTE_TYPES.includes(compute)) {
    p.push(propProblem('computeType', compute, `Docker builds need on-demand EC2 compute: ${DOCKER_COMPUTE_TYPES.join(', ')} (Lambda compute runs no Docker).`));
  }
  const limit = props.concurrentBuildLimit;
  if (limit !== undefined && resolved(limit) && !(Number.isInteger(limit) && limit >= 1)) {
    p.push(propProblem('concurrentBuildLimit', limit, 'must be a whole number of at least 1.'));
  }
  const parameterPrefix = props.digestParameterPrefix;
  if (parameterPrefix !== undefined && resolved(parameterPrefix) && !PARAMETER_PREFIX.test(parameterPrefix)) {
    p.push(propProblem('digestParameterPrefix', parameterPrefix, "an SSM parameter path starts with '/', does not end with '/', and uses letters, digits, '_', '.' and '-'."));
  } else if (parameterPrefix !== undefined && resolved(parameterPrefix) && RESERVED_PARAMETER_PREFIX.test(parameterPrefix)) {
    p.push(propProblem('digestParameterPrefix', parameterPrefix, "SSM refuses parameter names that start with 'aws' or 'ssm' (in any case), which it keeps for AWS's own. "
      + "Start the path with a name of yours, such as '/image-build'."));
  }
  const projectName = props.projectName;
  if (projectName !== undefined && resolved(projectName) && !PROJECT_NAME.test(projectName)) {
    p.push(propProblem('projectName', projectName, "a CodeBuild project name: 2 to 255 letters, digits, '-' and '_', starting with a letter or digit. "
      + 'Rename it, or omit it for a generated name.'));
  }
  for (const pattern of props.protectedTagPatterns ?? []) {
    if (resolved(pattern) && !/^[A-Za-z0-9_.*-]+$/.test(pattern)) {
      p.push(propProblem('protectedTagPatterns', pattern, "a tag pattern is tag characters and '*' wildcards."));
    }
  }
  return p;
}
