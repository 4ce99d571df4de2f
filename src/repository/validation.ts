/**
 * ECR's rules for names, tags, digests, accounts and organizations, as pure checks. Each returns problems in the
 * library's message form (`prop 'x': got 'y'; what is allowed. how to fix`); callers skip unresolved tokens.
 */
import { Token } from 'aws-cdk-lib';
import { propProblem } from '../private/errors';

// CreateRepository's pattern: 2-256 characters; '/'-separated components of lower-case letters and digits joined by
// '.', '_', '__' or runs of '-'.
const COMPONENT = '[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*';
const REPOSITORY_NAME = new RegExp(`^${COMPONENT}(?:/${COMPONENT})*$`);
// PutImage: a tag is 1-300 characters of letters, digits, '_', '.', '-', not starting with '.' or '-'.
const IMAGE_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,299}$/;
/** An image digest as ECR writes it. */
export const DIGEST_PATTERN = '^sha256:[a-f0-9]{64}$';
const DIGEST = new RegExp(DIGEST_PATTERN);
const ACCOUNT_ID = /^\d{12}$/;
const ORG_ID = /^o-[a-z0-9]{10,32}$/;
// aws:PrincipalOrgPaths entries: o-id/r-root/ou-.../ (each OU a path segment), optionally ending in '*'.
const ORG_PATH = /^o-[a-z0-9]{10,32}\/r-[0-9a-z]{4,32}\/(?:ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}\/)*\*?$/;
const LAMBDA_FUNCTION_ARN = /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]{1,64}(?::[A-Za-z0-9_$-]+)?$/;
// aws:PrincipalArn patterns: an IAM role or user ARN of one account, wildcards only in the path and name.
const PRINCIPAL_ARN_PATTERN = /^arn:aws[a-z-]*:iam::(\d{12}):(?:role|user)\/[\w+=,.@/*-]+$/;
// Tag mutability exclusion filters: wildcard filters of tag characters and '*'.
const EXCLUSION_FILTER = /^[A-Za-z0-9._*-]{1,128}$/;

const MAX_EXCLUSION_FILTERS = 5;

export function repositoryNameProblems(prop: string, name: string): string[] {
  if (name.length < 2 || name.length > 256) {
    return [propProblem(prop, name, `must be 2 to 256 characters long, got ${name.length}. Shorten or lengthen it.`)];
  }
  if (!REPOSITORY_NAME.test(name)) {
    return [propProblem(prop, name, "ECR names are lower-case letters and digits, joined by '.', '_', '__' or '-', "
      + "with '/' between namespaces (for example 'team/service'). Fix the name or omit it to get a generated one.")];
  }
  return [];
}

export function imageTagProblems(prop: string, tag: string): string[] {
  if (IMAGE_TAG.test(tag)) return [];
  return [propProblem(prop, tag, "an image tag is 1 to 300 letters, digits, '_', '.' or '-' and does not start with '.' or '-'. "
    + 'Fix the tag, or pass a digest (sha256:<64 hex>).')];
}

export function digestProblems(prop: string, digest: string): string[] {
  return DIGEST.test(digest) ? [] : [propProblem(prop, digest, "a digest is 'sha256:' followed by 64 lower-case hex digits. Copy it from 'aws ecr describe-images'.")];
}

export function exclusionFilterProblems(prop: string, filters: readonly string[]): string[] {
  const problems: string[] = [];
  if (filters.length === 0 || filters.length > MAX_EXCLUSION_FILTERS) {
    problems.push(propProblem(prop, filters, `ECR takes 1 to ${MAX_EXCLUSION_FILTERS} tag filters per repository. Combine them with wildcards.`));
  }
  filters.forEach((filter, i) => {
    if (!EXCLUSION_FILTER.test(filter)) {
      problems.push(propProblem(`${prop}[${i}]`, filter, "a filter is 1 to 128 letters, digits, '.', '_', '-' or '*' wildcards. Fix the pattern."));
    }
  });
  if (new Set(filters).size !== filters.length) problems.push(propProblem(prop, filters, 'lists a filter twice. Remove the duplicate.'));
  return problems;
}

/**
 * A mutable tag pattern that matches every tag (only '*' wildcards), which turns an immutable repository fully
 * mutable: that is tagMutability MUTABLE, an explicit choice of its own.
 */
export function allTagsMutableProblems(prop: string, pattern: string): string[] {
  return /^\*+$/.test(pattern) ? [propProblem(prop, pattern, 'matches every tag, so any push could move any tag, releases included, as in a MUTABLE repository. '
    + "Name the tags that move (for example 'dev' or 'env-*'), or set tagMutability: ecr.TagMutability.MUTABLE (without patterns) if every tag should move.")] : [];
}

export function accountIdProblems(prop: string, id: string): string[] {
  return ACCOUNT_ID.test(id) ? [] : [propProblem(prop, id, 'an AWS account id is exactly 12 digits. Quote it as a string to keep leading zeros.')];
}

export function organizationIdProblems(prop: string, id: string): string[] {
  return ORG_ID.test(id) ? [] : [propProblem(prop, id, "an organization id is 'o-' followed by 10 to 32 lower-case letters or digits (see 'aws organizations describe-organization').")];
}

export function organizationPathProblems(prop: string, path: string): string[] {
  return ORG_PATH.test(path) ? [] : [propProblem(prop, path,
    "an organization path is 'o-<org>/r-<root>/ou-<ou>/.../' and may end in '*', for example 'o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/*'.")];
}

export function lambdaFunctionArnProblems(prop: string, arn: string): string[] {
  return LAMBDA_FUNCTION_ARN.test(arn) ? [] : [propProblem(prop, arn,
    "a Lambda function ARN is 'arn:<partition>:lambda:<region>:<account>:function:<name>'. Pass 'accountIds' to allow every function of an account.")];
}

export function principalArnPatternProblems(prop: string, pattern: string, accountIds: readonly string[]): string[] {
  const match = PRINCIPAL_ARN_PATTERN.exec(pattern);
  if (!match) {
    return [propProblem(prop, pattern, "a principal pattern is an IAM role or user ARN of one account, with '*' only in its path or name, "
      + "for example 'arn:aws:iam::222222222222:role/platform/storefront/*'.")];
  }
  if (!accountIds.some((id) => Token.isUnresolved(id) || id === match[1])) {
    return [propProblem(prop, pattern, `names account ${match[1]}, which is not among the accounts ${JSON.stringify(accountIds)}. Add the account or fix the pattern.`)];
  }
  return [];
}
