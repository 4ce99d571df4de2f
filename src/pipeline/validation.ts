import { Duration, Token } from 'aws-cdk-lib';
import { propProblem, showDuration } from '../private/errors';
import { isGitRefName } from '../private/git-names';

/** IAM role names: 1 to 64 of letters, digits and `+=,.@_-`. */
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
// S3 general purpose bucket naming rules (S3 User Guide, "General purpose bucket naming rules"): 3 to 63 lower-case
// letters, digits, dots and hyphens, a letter or digit at each end, no two adjacent periods, not an IP address, and
// none of the prefixes and suffixes S3 reserves.
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const IP_ADDRESS = /^\d{1,3}(?:\.\d{1,3}){3}$/;
const RESERVED_BUCKET_PREFIXES = ['xn--', 'sthree-', 'amzn-s3-demo-'];
const RESERVED_BUCKET_SUFFIXES = ['-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3'];
// CodePipeline CreatePipeline: a pipeline name is 1 to 100 of [A-Za-z0-9.@\-_].
const PIPELINE_NAME = /^[A-Za-z0-9.@_-]{1,100}$/;
// CodePipeline's Amazon ECS deploy action: its DeploymentTimeout is 1 to 60 minutes ("Quotas in AWS CodePipeline").
const MAX_DEPLOYMENT_MINUTES = 60;

export function roleNameProblems(prop: string, name: string): string[] {
  return Token.isUnresolved(name) || ROLE_NAME.test(name) ? [] : [propProblem(prop, name, 'an IAM role name: 1 to 64 letters, digits and +=,.@_- characters.')];
}

export function bucketNameProblems(prop: string, name: string | undefined): string[] {
  if (name === undefined || Token.isUnresolved(name)) return [];
  if (!BUCKET_NAME.test(name) || name.includes('..') || IP_ADDRESS.test(name)) {
    return [propProblem(prop, name, 'an S3 bucket name: 3 to 63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit, '
      + 'without two adjacent dots, and not an IP address.')];
  }
  const prefix = RESERVED_BUCKET_PREFIXES.find((p) => name.startsWith(p));
  const suffix = RESERVED_BUCKET_SUFFIXES.find((s) => name.endsWith(s));
  return prefix === undefined && suffix === undefined ? [] : [propProblem(prop, name,
    `S3 reserves the ${prefix !== undefined ? `prefix '${prefix}'` : `suffix '${suffix}'`} for its own names. Rename the bucket.`)];
}

export function pipelineNameProblems(prop: string, name: string | undefined): string[] {
  return name === undefined || Token.isUnresolved(name) || PIPELINE_NAME.test(name) ? [] : [propProblem(prop, name,
    "a CodePipeline name: 1 to 100 letters, digits, '.', '@', '_' and '-'. Rename it, or omit it for a generated name.")];
}

export function deploymentTimeoutProblems(prop: string, timeout: Duration | undefined): string[] {
  if (timeout === undefined || timeout.isUnresolved()) return [];
  const minutes = timeout.toMinutes({ integral: false });
  return Number.isInteger(minutes) && minutes >= 1 && minutes <= MAX_DEPLOYMENT_MINUTES ? [] : [propProblem(prop, showDuration(timeout),
    `CodePipeline's ECS deploy action waits whole minutes from 1 to ${MAX_DEPLOYMENT_MINUTES}. Shorten it; a deployment still running then fails the action.`)];
}

/**
 * The repository a CodeConnections source reads (its `FullRepositoryId` is `owner/repository`) and the branch it
 * follows: names of the Git provider, which has no blank names and no whitespace in them; a branch is a git ref name.
 */
export function gitSourceProblems(owner: string, repository: string, branch: string | undefined): string[] {
  const name = (prop: string, value: string, what: string) => (Token.isUnresolved(value) || /^\S+$/.test(value) ? []
    : [propProblem(prop, value, `${what} at the connection's provider: never empty, no spaces. Fix the name.`)]);
  return [
    ...name('sourceOwner', owner, 'the owner of the Git repository (a user, organization, group or workspace)'),
    ...name('sourceRepository', repository, 'the name of the Git repository'),
    ...(branch === undefined || Token.isUnresolved(branch) || isGitRefName(branch, false) ? [] : [propProblem('branch', branch,
      "a git branch name (git check-ref-format): not empty, without spaces, '~', '^', ':', '?', '*', '[', '\\' or '..', "
      + "and not starting or ending with '/' or '.'.")]),
  ];
}
