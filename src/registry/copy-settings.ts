/**
 * Which settings the repositories ECR creates by itself get (replicated copies, pull-through cache repositories), read
 * from the whole app at synth, following ECR's documented rules in `template-matching.ts`.
 */
import { Stack, Token } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { IConstruct } from 'constructs';
import { normalizeTemplatePrefix, replicationFilterMatches, ROOT_PREFIX, templatesFor } from './template-matching';
import { deploymentRoot } from '../private/registry-singleton';
import { pathOf, relate, relateAll, Relation } from '../private/unique-names';

/** A replication rule as far as the check goes. */
export interface CopyRule {
  readonly destinations: readonly { readonly region: string; readonly account?: string }[];
  readonly repositoryPrefixes?: readonly string[];
}

function envRelation(stack: Stack, account: string, region: string): Relation {
  return relateAll(relate(stack.account, account), relate(stack.region, region));
}

/** The settings ECR gives a repository, as compared here; `undefined` where synth cannot know the value. */
interface Settings {
  readonly tagMutability?: string;
  readonly exclusions?: string[];
  /** Canonical JSON, or 'none'. */
  readonly lifecyclePolicy?: string;
  readonly encryptionType?: string;
  /** Canonical JSON, or 'none'. */
  readonly repositoryPolicy?: string;
}

/** ECR's defaults for a repository created without a template (ECR User Guide, repository creation templates). */
const ECR_DEFAULTS: Settings = { tagMutability: 'MUTABLE', exclusions: [], lifecyclePolicy: 'none', encryptionType: 'AES256', repositoryPolicy: 'none' };

interface Declared<T> {
  readonly resource: T;
  readonly stack: Stack;
}

/** Every repository and creation template that deploys to the same registries as `scope`. */
function declarations(scope: IConstruct) {
  const all = deploymentRoot(scope).node.findAll();
  const of = <T extends IConstruct>(type: new (...args: any[]) => T): Declared<T>[] =>
    all.filter((c): c is T => c instanceof type).map((resource) => ({ resource, stack: Stack.of(resource) }));
  return { repositories: of(ecr.CfnRepository), templates: of(ecr.CfnRepositoryCreationTemplate) };
}

function resolvedString(stack: Stack, value: unknown): string | undefined {
  const resolved = stack.resolve(value);
  return typeof resolved === 'string' ? resolved : undefined;
}

/**
 * A resolved CloudFormation value with its intrinsics written as `${Name}` placeholders (`Fn::Join` joined), so a
 * policy rendered as an object and one rendered as a JSON string compare alike. Each registry's own region is written
 * `${AWS::Region}`: a copy names its own region where the original names its (Lambda's source ARN, for example).
 */
function flatten(value: unknown, region: string): unknown {
  if (Array.isArray(value)) return value.map((v) => flatten(v, region));
  if (value === null || typeof value !== 'object') {
    return typeof value === 'string' && !Token.isUnresolved(region) ? value.split(`:${region}:`).join(':${AWS::Region}:') : value;
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 1) {
    const [key, arg] = entries[0];
    if (key === 'Ref') return `\${${arg}}`;
    if (key === 'Fn::GetAtt') return `\${${(arg as string[]).join('.')}}`;
    if (key === 'Fn::Join') {
      const [delimiter, parts] = arg as [string, unknown[]];
      return flatten(parts.map((p) => { const f = flatten(p, region); return typeof f === 'string' ? f : JSON.stringify(f).replace(/["\\]/g, ''); }).join(delimiter), region);
    }
    if (key.startsWith('Fn::')) return `\${${JSON.stringify(value).replace(/["\\]/g, '')}}`;
  }
  return Object.fromEntries(entries.map(([k, v]) => [k, flatten(v, region)]));
}

/** Sorted keys, and for policies the order-free parts sorted (statements, actions, principals, condition values). */
function canonical(value: unknown, policy: boolean): string {
  const sort = (v: unknown, key?: string): unknown => {
    if (Array.isArray(v)) {
      const items = v.map((x) => sort(x));
      return policy ? items.map((x) => JSON.stringify(x)).filter((x, i, a) => a.indexOf(x) === i).sort().map((x) => JSON.parse(x)) : items;
    }
    if (v === null || typeof v !== 'object') {
      // A single value and a list of one are the same in a policy, except for the Version and Effect.
      return policy && typeof v === 'string' && key !== undefined && !['Version', 'Effect', 'Sid'].includes(key) ? [v] : v;
    }
    return Object.fromEntries(Object.entries(v as Record<string, unknown>)
      .filter(([k]) => !(policy && k === 'Sid'))
      .sort(([a], [b]) => a.localeCompare(b)).map(([k, x]) => [k, sort(x, k)]));
  };
  return JSON.stringify(sort(value));
}

/** A JSON document (lifecycle policy, repository policy) as CloudFormation gets it: an object, a string or a join. */
function documentOf(stack: Stack, value: unknown, policy: boolean): string | undefined {
  const resolved = stack.resolve(value);
  if (resolved === undefined || resolved === null || resolved === '') return 'none';
  const flat = flatten(resolved, stack.region);
  if (typeof flat !== 'string') return canonical(flat, policy);
  try {
    return canonical(flatten(JSON.parse(flat), stack.region), policy);
  } catch {
    return undefined;
  }
}

function exclusionsOf(stack: Stack, value: unknown): string[] | undefined {
  const resolved = stack.resolve(value) as { imageTagMutabilityExclusionFilterValue?: unknown }[] | undefined;
  if (resolved === undefined) return [];
  if (!Array.isArray(resolved)) return undefined;
  const values = resolved.map((f) => f.imageTagMutabilityExclusionFilterValue);
  return values.every((v): v is string => typeof v === 'string') ? [...values].sort() : undefined;
}

function encryptionTypeOf(stack: Stack, value: unknown): string | undefined {
  const resolved = stack.resolve(value) as { encryptionType?: unknown } | undefined;
  if (resolved === undefined || resolved.encryptionType === undefined) return 'AES256';
  return typeof resolved.encryptionType === 'string' ? resolved.encryptionType : undefined;
}

function repositorySettings({ resource, stack }: Declared<ecr.CfnRepository>): Settings {
  const lifecycle = stack.resolve(resource.lifecyclePolicy) as { lifecyclePolicyText?: unknown } | undefined;
  return {
    tagMutability: resource.imageTagMutability === undefined ? 'MUTABLE' : resolvedString(stack, resource.imageTagMutability),
    exclusions: exclusionsOf(stack, resource.imageTagMutabilityExclusionFilters),
    lifecyclePolicy: documentOf(stack, lifecycle?.lifecyclePolicyText, false),
    encryptionType: encryptionTypeOf(stack, resource.encryptionConfiguration),
    repositoryPolicy: documentOf(stack, resource.repositoryPolicyText, true),
  };
}

function templateSettings({ resource, stack }: Declared<ecr.CfnRepositoryCreationTemplate>): Settings {
  return {
    tagMutability: resource.imageTagMutability === undefined ? 'MUTABLE' : resolvedString(stack, resource.imageTagMutability),
    exclusions: exclusionsOf(stack, resource.imageTagMutabilityExclusionFilters),
    lifecyclePolicy: documentOf(stack, resource.lifecyclePolicy, false),
    encryptionType: encryptionTypeOf(stack, resource.encryptionConfiguration),
    repositoryPolicy: documentOf(stack, resource.repositoryPolicy, true),
  };
}

function mutabilityText(s: Settings): string {
  return s.exclusions && s.exclusions.length > 0 ? `${s.tagMutability} (${s.exclusions.join(', ')})` : `${s.tagMutability}`;
}

/** How the copy's settings differ from the original's, one phrase each; settings synth cannot know are skipped. */
function differences(original: Settings, copy: Settings): string[] {
  const known = (a: unknown, b: unknown) => a !== undefined && b !== undefined;
  const found: string[] = [];
  if (known(original.tagMutability, copy.tagMutability) && known(original.exclusions, copy.exclusions)
    && mutabilityText(original) !== mutabilityText(copy)) {
    found.push(`tag mutability ${mutabilityText(copy)} instead of ${mutabilityText(original)}`);
  }
  if (known(original.lifecyclePolicy, copy.lifecyclePolicy) && original.lifecyclePolicy !== copy.lifecyclePolicy) {
    found.push(copy.lifecyclePolicy === 'none' ? 'no lifecycle policy' : 'another lifecycle policy');
  }
  if (known(original.encryptionType, copy.encryptionType) && original.encryptionType !== copy.encryptionType) {
    found.push(`encryption ${copy.encryptionType} instead of ${original.encryptionType}`);
  }
  if (known(original.repositoryPolicy, copy.repositoryPolicy) && original.repositoryPolicy !== copy.repositoryPolicy) {
    found.push(copy.repositoryPolicy === 'none' ? 'no repository policy' : 'another repository policy');
  }
  return found;
}

interface TemplateEntry {
  readonly prefix: string;
  readonly appliedFor: string[];
  readonly declared: Declared<ecr.CfnRepositoryCreationTemplate>;
}

/** The templates of one registry, or `undefined` when synth cannot tell which apply (unresolved prefix or environment). */
function registryTemplates(
  templates: Declared<ecr.CfnRepositoryCreationTemplate>[], account: string, region: string,
): TemplateEntry[] | undefined {
  const entries: TemplateEntry[] = [];
  for (const declared of templates) {
    const relation = envRelation(declared.stack, account, region);
    if (relation === 'different') continue;
    if (relation === 'unknown') return undefined;
    const prefix = resolvedString(declared.stack, declared.resource.prefix);
    const appliedFor = declared.stack.resolve(declared.resource.appliedFor);
    if (prefix === undefined || !Array.isArray(appliedFor) || !appliedFor.every((a) => typeof a === 'string')) return undefined;
    entries.push({ prefix, appliedFor, declared });
  }
  return entries;
}

function registryText(account: string, region: string): string {
  return Token.isUnresolved(account) ? `this app's account in ${region}` : `account ${account} in ${region}`;
}

/** A template prefix that covers `name`: its parent namespace, or ROOT for a name without one. */
function coveringPrefix(name: string): string {
  const slash = name.lastIndexOf('/');
  return slash > 0 ? name.slice(0, slash) : ROOT_PREFIX;
}

/**
 * For every repository of the app that `rules` (the replication configuration of `replication`'s registry) copy: the
 * copy in each destination is the repository of that name the app declares there (ECR pushes into it, and it keeps its
 * own settings), else the repository a REPLICATION template there creates, else ECR's defaults. Problems when the
 * copy's settings would differ from the original's, naming both constructs.
 */
export function replicaCopyProblems(replication: IConstruct, rules: readonly CopyRule[]): string[] {
  const stack = Stack.of(replication);
  const { repositories, templates } = declarations(replication);
  const problems: string[] = [];
  for (const original of repositories) {
    if (envRelation(original.stack, stack.account, stack.region) !== 'same') continue;
    const name = resolvedString(original.stack, original.resource.repositoryName);
    if (name === undefined) continue;
    const destinations = new Map<string, { account: string; region: string }>();
    for (const rule of rules) {
      const prefixes = rule.repositoryPrefixes;
      // An unresolved prefix might match: synth cannot tell, so the rule is not checked.
      if (prefixes !== undefined && prefixes.some((p) => Token.isUnresolved(p))) continue;
      if (prefixes !== undefined && !prefixes.some((p) => replicationFilterMatches(p, name))) continue;
      for (const d of rule.destinations) {
        const account = d.account ?? stack.account;
        if (Token.isUnresolved(d.region)) continue;
        destinations.set(`${account}|${d.region}`, { account, region: d.region });
      }
    }
    const settings = repositorySettings(original);
    for (const { account, region } of destinations.values()) {
      problems.push(...copyProblems(original, name, settings, account, region, repositories, templates));
    }
  }
  return problems;
}

function copyProblems(
  original: Declared<ecr.CfnRepository>, name: string, settings: Settings, account: string, region: string,
  repositories: Declared<ecr.CfnRepository>[], templates: Declared<ecr.CfnRepositoryCreationTemplate>[],
): string[] {
  const where = registryText(account, region);
  const head = `replication copies '${name}' (${pathOf(original.resource)}) to ${where}`;
  const declareFix = `declare the copy as an ImageRepository named '${name}' in ${where} with the original's settings`;
  const relations = repositories.map((r) => envRelation(r.stack, account, region));
  if (relations.includes('unknown')) return [];
  const existing = repositories.filter((r, i) => relations[i] === 'same' && resolvedString(r.stack, r.resource.repositoryName) === name);
  if (existing.length > 0) {
    return existing.flatMap((copy) => {
      const found = differences(settings, repositorySettings(copy));
      return found.length === 0 ? [] : [`${head}, into the repository ${pathOf(copy.resource)} declared there, which keeps its own settings: `
        + `${found.join(', ')}. Give ${pathOf(copy.resource)} the settings of ${pathOf(original.resource)}.`];
    });
  }
  const entries = registryTemplates(templates, account, region);
  if (entries === undefined) return [];
  const matching = templatesFor(name, 'REPLICATION', entries);
  if (matching.length === 0) {
    const found = differences(settings, ECR_DEFAULTS);
    const named = entries.filter((t) => t.appliedFor.includes('REPLICATION') && normalizeTemplatePrefix(t.prefix) === name);
    const hint = named.length > 0
      ? ` (the template ${pathOf(named[0].declared.resource)} of prefix '${named[0].prefix}' covers '${name}/...', not '${name}' itself: ECR adds '/' to a prefix)`
      : '';
    return found.length === 0 ? [] : [`${head}, where no REPLICATION creation template covers it${hint}, so ECR creates it with its defaults `
      + `(${ECR_DEFAULTS.tagMutability}, ${ECR_DEFAULTS.encryptionType}, no lifecycle or repository policy): ${found.join(', ')}. `
      + `Declare a REPLICATION template there whose prefix covers it, such as '${coveringPrefix(name)}' (ECR adds '/' to a prefix), or ${declareFix}.`];
  }
  // Which of two matching prefixes ECR takes is not documented: each must give the original's settings.
  return matching.flatMap((template) => {
    const found = differences(settings, templateSettings(template.declared));
    return found.length === 0 ? [] : [`${head}, created there from the REPLICATION creation template ${pathOf(template.declared.resource)} `
      + `(prefix '${template.prefix}'): ${found.join(', ')}. Give the template the original's settings, or ${declareFix}.`];
  });
}

/**
 * A pull-through cache's repositories are created by ECR on the first pull, from the PULL_THROUGH_CACHE template whose
 * prefix covers `<prefix>/<repository>`; without one they get ECR's defaults.
 */
export function cacheTemplateProblems(cache: IConstruct, prefix: string): string[] {
  const stack = Stack.of(cache);
  const entries = registryTemplates(declarations(cache).templates, stack.account, stack.region);
  if (entries === undefined) return [];
  const covered = prefix === ROOT_PREFIX
    ? entries.some((t) => t.prefix === ROOT_PREFIX && t.appliedFor.includes('PULL_THROUGH_CACHE'))
    : templatesFor(`${normalizeTemplatePrefix(prefix)}/<repository>`, 'PULL_THROUGH_CACHE', entries).length > 0;
  if (covered) return [];
  return [`the pull-through cache '${prefix}' creates its repositories '${prefix === ROOT_PREFIX ? '<repository>' : `${normalizeTemplatePrefix(prefix)}/<repository>`}' `
    + `with ECR's defaults (${ECR_DEFAULTS.tagMutability}, ${ECR_DEFAULTS.encryptionType}, no lifecycle or repository policy): no PULL_THROUGH_CACHE `
    + `creation template of ${registryText(stack.account, stack.region)} covers them. Add a RepositoryCreationTemplate with prefix '${prefix}' `
    + 'and appliedFor PULL_THROUGH_CACHE (RegistryBaseline creates one per cache).'];
}
