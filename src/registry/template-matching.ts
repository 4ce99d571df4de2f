/**
 * How ECR picks the repository creation template of a repository it creates by itself, as pure functions.
 *
 * Sources (Amazon ECR documentation):
 * - API reference, CreateRepositoryCreationTemplate, `prefix`
 *   (https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_CreateRepositoryCreationTemplate.html):
 *   "a prefix of prod would apply to all repositories beginning with prod/. Similarly, a prefix of prod/team would apply
 *   to all repositories beginning with prod/team/. To apply a template to all repositories in your registry that don't
 *   have an associated creation template, you can use ROOT as the prefix. There is always an assumed / applied to the
 *   end of the prefix. If you specify ecr-public as the prefix, Amazon ECR treats that as ecr-public/." (and, in
 *   UpdateRepositoryCreationTemplate: "This includes a repository named prod/team1 as well as a repository named
 *   prod/repository1.")
 * - User guide, "Templates to control repositories created during a pull through cache or replication action"
 *   (https://docs.aws.amazon.com/AmazonECR/latest/userguide/repository-creation-templates.html): without a template
 *   ECR uses its defaults, "turning off tag immutability, using AES-256 encryption, and not applying any repository
 *   or lifecycle policies"; templates "are only applied during repository creation and don't have any effect on
 *   existing repositories".
 * - User guide, "Private image replication in Amazon ECR"
 *   (https://docs.aws.amazon.com/AmazonECR/latest/userguide/replication.html): "If you do not grant the
 *   ecr:CreateRepository permission, you must manually create repositories with the same names in the destination
 *   account before replication can succeed": replication pushes into a repository of the same name when there is one,
 *   which keeps its own settings. Replication filters of type PREFIX_MATCH match the start of the name as written.
 *
 * Which template wins when two prefixes other than ROOT both match (`prod` and `prod/team` for `prod/team/app`) is not
 * documented: `templatesFor` lists the longest first, which is what this library assumes, and checks that must not
 * depend on that choice look at every template it returns. ROOT is taken to be the fallback among the templates of the
 * trigger (a template that ECR does not apply for the trigger never creates the repository).
 */

/** The prefix that applies to every repository no other template matches. */
export const ROOT_PREFIX = 'ROOT';

/** When ECR creates a repository from a template, as CloudFormation names it in `AppliedFor`. */
export type CreationTrigger = 'REPLICATION' | 'PULL_THROUGH_CACHE' | 'CREATE_ON_PUSH';

/** A creation template as far as matching goes. */
export interface TemplateMatchInput {
  readonly prefix: string;
  readonly appliedFor: readonly string[];
}

/** The prefix without its trailing '/': ECR treats `prod/` and `prod` alike. */
export function normalizeTemplatePrefix(prefix: string): string {
  return prefix === ROOT_PREFIX ? prefix : prefix.replace(/\/+$/, '');
}

/**
 * Whether a template of `prefix` can apply to the repository `repositoryName`: `prefix` followed by '/' starts the
 * name (`prod` covers `prod/team1`, not `prod` itself nor `production/x`). `ROOT` covers every name, but only when no
 * other template matches (see `templatesFor`).
 */
export function templatePrefixCovers(prefix: string, repositoryName: string): boolean {
  if (prefix === ROOT_PREFIX) return true;
  const normalized = normalizeTemplatePrefix(prefix);
  return normalized.length > 0 && repositoryName.startsWith(`${normalized}/`);
}

/**
 * The templates ECR may create `repositoryName` from when `trigger` creates it: those applied for the trigger whose
 * prefix covers the name, longest prefix first; the ROOT template of the trigger only when no other matches. Empty:
 * ECR's defaults (mutable tags, AES-256, no lifecycle policy, no repository policy).
 */
export function templatesFor<T extends TemplateMatchInput>(repositoryName: string, trigger: CreationTrigger, templates: readonly T[]): T[] {
  const forTrigger = templates.filter((t) => t.appliedFor.includes(trigger));
  const matching = forTrigger
    .filter((t) => t.prefix !== ROOT_PREFIX && templatePrefixCovers(t.prefix, repositoryName))
    .sort((a, b) => normalizeTemplatePrefix(b.prefix).length - normalizeTemplatePrefix(a.prefix).length);
  return matching.length > 0 ? matching : forTrigger.filter((t) => t.prefix === ROOT_PREFIX);
}

/** Whether ECR's replication filter of type PREFIX_MATCH selects the repository: a plain prefix of its name. */
export function replicationFilterMatches(prefix: string, repositoryName: string): boolean {
  return repositoryName.startsWith(prefix);
}
