/**
 * GitHub Actions OIDC subjects (the `sub` claim of the token a workflow job receives) and the checks on their parts.
 * Pure: no construct dependency.
 *
 * GitHub writes `sub` as `repo:<owner>/<repo>:<context>`, where the context is `environment:<name>` for a job that
 * names a deployment environment, else `ref:refs/heads/<branch>` or `ref:refs/tags/<tag>`, and `pull_request` for a
 * pull request's workflow (a fork's included). IAM compares it with `StringEquals`, or `StringLike` when a pattern has
 * `*` or `?`; both are case-sensitive.
 */

import { GITHUB_OWNER, GITHUB_REPOSITORY, isGitRefName } from '../private/git-names';

/** The issuer of GitHub Actions' tokens, as IAM names the provider. */
export const GITHUB_OIDC_HOST = 'token.actions.githubusercontent.com';
/** The audience `aws-actions/configure-aws-credentials` asks for. */
export const GITHUB_OIDC_AUDIENCE = 'sts.amazonaws.com';

/** GitHub's environment names: up to 255 characters, no control characters, not a path or a quote. */
const ENVIRONMENT = /^[^\x00-\x1f\x7f'"`,;\\]{1,255}$/;

/** The kind of workflow context a subject names. */
export type SubjectKind = 'branch' | 'tag' | 'environment';

/** The `sub` claim of a subject. */
export function renderSubject(owner: string, repository: string, kind: SubjectKind, value: string): string {
  const context = kind === 'environment' ? `environment:${value}` : `ref:refs/${kind === 'branch' ? 'heads' : 'tags'}/${value}`;
  return `repo:${owner}/${repository}:${context}`;
}

/** Whether IAM must compare a subject as a pattern. */
export function isPattern(subject: string): boolean {
  return /[*?]/.test(subject);
}

/** The subjects a publisher admits that match every repository of the owner, every branch or every environment: each an explicit choice. */
export interface SubjectWildcards {
  readonly allRepositoriesOfOwner: boolean;
  readonly allBranches: boolean;
  readonly allEnvironments: boolean;
}

/** Whether a pattern matches every name: only wildcards, at least one `*` (IAM's `*` also matches `/`). */
function matchesEverything(value: string): boolean {
  return /^[*?]*\*[*?]*$/.test(value);
}

/**
 * Problems with one subject's parts, each for `prop`. A repository of `*` admits every repository of the owner, a
 * branch or environment of only wildcards every branch or environment of the repository: each is refused unless its
 * wildcard is allowed.
 */
export function subjectProblems(
  prop: string, owner: string, repository: string, kind: SubjectKind, value: string, wildcards: SubjectWildcards,
): string[] {
  const problems: string[] = [];
  const got = (what: string) => `${prop}: got ${JSON.stringify(what)}`;
  if (!GITHUB_OWNER.test(owner)) {
    problems.push(`${got(owner)} as the owner; a GitHub user or organization: 1 to 39 letters, digits or single inner hyphens, no wildcard (an owner pattern would trust strangers' repositories).`);
  }
  if (repository === '*') {
    if (!wildcards.allRepositoriesOfOwner) {
      problems.push(`${got(repository)} as the repository; '*' lets every repository of ${owner}, present and future, assume the role. `
        + "Name the repositories, or set 'allowAllRepositoriesOfOwner: true' if that is intended.");
    }
  } else if (!GITHUB_REPOSITORY.test(repository) || repository === '.' || repository === '..') {
    problems.push(`${got(repository)} as the repository; a GitHub repository name: 1 to 100 letters, digits, '.', '_' or '-'.`);
  }
  if (kind === 'environment') {
    if (!ENVIRONMENT.test(value)) {
      problems.push(`${got(value)} as the environment; a GitHub environment name: 1 to 255 characters, no quotes, commas, semicolons, backslashes or control characters.`);
    } else if (matchesEverything(value) && !wildcards.allEnvironments) {
      problems.push(`${got(value)} as the environment; it matches every environment of ${owner}/${repository}, and a job that names one that does not exist `
        + "gets it created without protection rules. Name the environments, or set 'allowAllEnvironments: true' if that is intended.");
    }
  } else if (value.startsWith('refs/')) {
    problems.push(`${got(value)} as the ${kind}; give the ${kind} name alone: 'refs/${kind === 'branch' ? 'heads' : 'tags'}/' is added.`);
  } else if (!isGitRefName(value, true)) {
    problems.push(`${got(value)} as the ${kind}; a git ${kind} name or pattern (git check-ref-format, with '*' and '?' as IAM wildcards), `
      + `without 'refs/${kind === 'branch' ? 'heads' : 'tags'}/', which is added.`);
  } else if (kind === 'branch' && matchesEverything(value) && !wildcards.allBranches) {
    problems.push(`${got(value)} as the branch; it matches every branch of ${owner}/${repository}, present and future, so whoever can push a branch can assume the role. `
      + "Name the branches (a pattern such as 'release/*' is fine), or set 'allowAllBranches: true' if that is intended.");
  }
  return problems;
}
