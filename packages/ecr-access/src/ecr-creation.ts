// SPDX-License-Identifier: AGPL-3.0-or-later
/**
 * Which repositories ECR creates by itself, and from which repository creation template, as pure functions.
 *
 * Sources (Amazon ECR documentation):
 * - API reference, CreateRepositoryCreationTemplate, `prefix`: "a prefix of prod would apply to all repositories
 *   beginning with prod/ ... To apply a template to all repositories in your registry that don't have an associated
 *   creation template, you can use ROOT as the prefix. There is always an assumed / applied to the end of the prefix."
 * - User guide, "Customizing repository prefixes for ECR to ECR pull through cache": a pull-through cache's prefix has
 *   the same assumed '/', and ROOT stands for every repository no other cache rule has.
 * - API reference, RepositoryFilter: "If no filters are added, the contents of all repositories are replicated";
 *   PREFIX_MATCH, the only filter type, is the start of the name as written (no assumed '/').
 *
 * Which template ECR picks is the library's rule (template-matching.ts, a link to src/registry/template-matching.ts in
 * the library, compiled into this package).
 */
import { InputError } from './errors';
import { listOf, objectOf, stringOf } from './json';
import { CreationTrigger, normalizeTemplatePrefix as normalized, ROOT_PREFIX, TemplateMatchInput, templatesFor } from './template-matching';

/**
 * The template ECR creates `name` from for `trigger` (undefined: none, so ECR's defaults and no repository policy).
 * `name` may be a pattern such as `prod/*`: it matches a prefix as every name it stands for does.
 */
export function applyingTemplate<T extends TemplateMatchInput>(name: string, trigger: CreationTrigger, templates: readonly T[]): T | undefined {
  return templatesFor(name, trigger, templates)[0];
}

/** The start of the names of the repositories a pull-through cache rule's `EcrRepositoryPrefix` creates ('' for ROOT). */
export function cacheNamePrefix(ecrRepositoryPrefix: string): string {
  return ecrRepositoryPrefix === ROOT_PREFIX ? '' : `${normalized(ecrRepositoryPrefix)}/`;
}

/**
 * The name prefixes to answer for, for repositories ECR creates under `namePrefix` ('' for every name): the prefix
 * itself, and each longer one a template of `prefixes` starts (`platform/team/` within `platform/`), whose
 * repositories may get another template's policy.
 */
export function creationNamePrefixes(namePrefix: string, prefixes: readonly string[]): string[] {
  const inside = prefixes.filter((p) => p !== ROOT_PREFIX && normalized(p) !== '').map((p) => `${normalized(p)}/`)
    .filter((p) => p.startsWith(namePrefix) && p.length > namePrefix.length);
  return [...new Set([namePrefix, ...inside])].sort();
}

/**
 * Whether an IAM pattern (`*` any run, `?` one character) matches some string that starts with `prefix`: a statement
 * on `repository/ecr-public/library/*` names some of the repositories under `repository/ecr-public/`.
 */
export function patternReachesUnder(pattern: string, prefix: string): boolean {
  for (let i = 0; i < pattern.length; i++) {
    // Past the prefix, or a '*' that can take up the rest of it: some continuation matches.
    if (i >= prefix.length || pattern[i] === '*') return true;
    if (pattern[i] !== '?' && pattern[i] !== prefix[i]) return false;
  }
  return pattern.length >= prefix.length;
}

// The resources that make ECR create repositories, as CloudFormation takes them, read from resolved values.

/** Repository name starts as creation templates, caches and replication filters take them: no wildcards. */
const NAME_PREFIX = /^[a-z0-9][a-z0-9._/-]*$/;
const APPLIED_FOR = ['REPLICATION', 'PULL_THROUGH_CACHE', 'CREATE_ON_PUSH'];

/** A name prefix (`Prefix`, `EcrRepositoryPrefix`): ROOT or the start of repository names. */
export function namePrefixOf(value: unknown, file: string, what: string): string {
  const prefix = stringOf(value, file, what);
  if (prefix !== ROOT_PREFIX && !NAME_PREFIX.test(prefix)) {
    throw new InputError(`${file}: ${what} must be ROOT or the start of repository names (lower-case letters, digits, '.', '_', '-' and '/').`);
  }
  return prefix;
}

/** A creation template's `AppliedFor`: the features CloudFormation names. */
export function appliedForOf(value: unknown, file: string, what: string): string[] {
  return listOf(value, file, what).map((v, i) => {
    const trigger = stringOf(v, file, `${what}[${i}]`);
    if (!APPLIED_FOR.includes(trigger)) throw new InputError(`${file}: ${what}[${i}] must be one of ${APPLIED_FOR.join(', ')}.`);
    return trigger;
  });
}

/** Where one replication rule copies to, and the names it copies. */
export interface ReplicationTarget {
  readonly region: string;
  readonly account: string;
  /** The start of the names it copies: a filter ('' without one, which copies every repository). */
  readonly namePrefix: string;
}

/** Every destination of every rule of a `ReplicationConfiguration`, with each of the rule's filters. */
export function replicationTargetsOf(value: unknown, file: string, what: string): ReplicationTarget[] {
  const rules = listOf(objectOf(value, file, what).Rules, file, `${what}.Rules`);
  return rules.flatMap((r, i) => {
    const at = `${what}.Rules[${i}]`;
    const rule = objectOf(r, file, at);
    const prefixes = rule.RepositoryFilters === undefined ? [''] : listOf(rule.RepositoryFilters, file, `${at}.RepositoryFilters`).map((f, j) => {
      const filter = objectOf(f, file, `${at}.RepositoryFilters[${j}]`);
      if (filter.FilterType !== 'PREFIX_MATCH') {
        throw new InputError(`${file}: ${at}.RepositoryFilters[${j}].FilterType must be PREFIX_MATCH, the only filter type of ECR replication.`);
      }
      const prefix = stringOf(filter.Filter, file, `${at}.RepositoryFilters[${j}].Filter`);
      if (!NAME_PREFIX.test(prefix)) throw new InputError(`${file}: ${at}.RepositoryFilters[${j}].Filter must be the start of repository names (lower-case letters, digits, '.', '_', '-' and '/').`);
      return prefix;
    });
    return listOf(rule.Destinations, file, `${at}.Destinations`).flatMap((d, j) => {
      const where = `${at}.Destinations[${j}]`;
      const destination = objectOf(d, file, where);
      const region = stringOf(destination.Region, file, `${where}.Region`);
      if (!/^[a-z]+(-[a-z]+)+-\d+$/.test(region)) throw new InputError(`${file}: ${where}.Region must be a region code such as eu-west-1.`);
      const account = stringOf(destination.RegistryId, file, `${where}.RegistryId`);
      if (!/^\d{12}$/.test(account)) throw new InputError(`${file}: ${where}.RegistryId must be a 12-digit account id.`);
      return prefixes.map((namePrefix) => ({ region, account, namePrefix }));
    });
  });
}
