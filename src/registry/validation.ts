/**
 * ECR's rules for registry-level settings, as pure checks in the library's message form
 * (`prop 'x': got 'y'; what is allowed. how to fix`). Callers skip unresolved tokens.
 */
import { propProblem, repeatedProblems } from '../private/errors';

// PutRegistryScanningConfiguration filters: 1-255 characters, lower-case repository name characters and '*'.
const SCAN_FILTER = /^[a-z0-9*](?:[._\-/a-z0-9*]?[a-z0-9*]+)*$/;
// PutReplicationConfiguration prefix filters: 2-256 characters of a repository name's start.
const REPLICATION_PREFIX = /^(?:[a-z0-9]+(?:[._-][a-z0-9]*)*\/)*[a-z0-9]*(?:[._-][a-z0-9]*)*$/;
// PutSigningConfiguration filters: 1-256 characters, repository name components with '*' wildcards.
const SIGNING_FILTER = /^(?:[a-z0-9*]+(?:[._-][a-z0-9*]+)*\/)*[a-z0-9*]+(?:[._-][a-z0-9*]+)*$/;
// Creation template and pull-through cache prefixes: repository name components, an optional trailing '/', or ROOT.
const REPOSITORY_PREFIX = /^(?:[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*\/?|ROOT)$/;
// Region codes: a 2-letter area (4 in the AWS European Sovereign Cloud: eusc-de-east-1), words, a number.
const REGION = /^(?:[a-z]{2}|eusc)(?:-[a-z]+)+-\d{1,2}$/;

/** ECR's limit on the filters of one scanning, replication or signing rule. */
export const MAX_FILTERS_PER_RULE = 100;

/** Problems of a list of repository filters: its length, each filter's form, and duplicates. */
export function filterListProblems(prop: string, filters: readonly string[], check: (prop: string, filter: string) => string[]): string[] {
  const problems: string[] = [];
  if (filters.length > MAX_FILTERS_PER_RULE) {
    problems.push(propProblem(prop, `${filters.length} filters`, `ECR takes at most ${MAX_FILTERS_PER_RULE} filters per rule. Combine them with wildcards or prefixes.`));
  }
  filters.forEach((filter, i) => problems.push(...check(`${prop}[${i}]`, filter)));
  return [...problems, ...repeatedProblems(prop, filters)];
}

export function scanFilterProblems(prop: string, filter: string): string[] {
  if (filter.length >= 1 && filter.length <= 255 && SCAN_FILTER.test(filter)) return [];
  return [propProblem(prop, filter, "a scanning filter is 1 to 255 lower-case letters, digits, '.', '_', '-', '/' and '*' wildcards, "
    + "starting and ending with a letter, digit or '*', for example 'platform/*'.")];
}

export function replicationPrefixProblems(prop: string, prefix: string): string[] {
  if (prefix.length >= 2 && prefix.length <= 256 && REPLICATION_PREFIX.test(prefix)) return [];
  return [propProblem(prop, prefix, "a replication filter is the start of repository names: 2 to 256 lower-case letters, digits, '.', '_', '-' "
    + "and '/', without wildcards, for example 'platform/'.")];
}

export function signingFilterProblems(prop: string, filter: string): string[] {
  if (filter.length >= 1 && filter.length <= 256 && SIGNING_FILTER.test(filter)) return [];
  return [propProblem(prop, filter, "a signing filter is a repository name with '*' wildcards (1 to 256 characters), for example 'platform/*' or '*prod*'.")];
}

export function repositoryPrefixProblems(prop: string, prefix: string, maxLength: number): string[] {
  if (prefix.length >= (prefix === 'ROOT' ? 4 : 2) && prefix.length <= maxLength && REPOSITORY_PREFIX.test(prefix)) return [];
  return [propProblem(prop, prefix, `a prefix is 2 to ${maxLength} characters of lower-case repository name components joined by '/' `
    + "(for example 'docker-hub' or 'team/app'), or ROOT for every repository.")];
}

export function regionProblems(prop: string, region: string): string[] {
  return REGION.test(region) ? [] : [propProblem(prop, region, "a region is a code such as 'eu-west-1' or 'us-gov-west-1'.")];
}
