// SPDX-License-Identifier: AGPL-3.0-or-later
/**
 * Access questions about a synthesized app, answered by an IAM policy simulator (@cloud-copilot/iam-simulate) the way
 * AWS evaluates a request: the principal's identity policies (inline, customer managed, AWS managed, a user's groups'),
 * and the resource policy; across accounts both must allow. Templates are resolved as CloudFormation resolves them,
 * with each stack's account and region (stand-ins for an environment-agnostic stack). Not modelled: SCPs, RCPs,
 * permission boundaries, session policies, VPC endpoint policies.
 */
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { AssemblyStack, readAssembly } from './assembly';
import { unknownAction } from './capabilities';
import {
  appliedForOf, applyingTemplate, cacheNamePrefix, creationNamePrefixes, namePrefixOf, patternReachesUnder, ReplicationTarget,
  replicationTargetsOf,
} from './ecr-creation';
import { InputError } from './errors';
import { depthOver, MAX_JSON_DEPTH, objectOf } from './json';
import { AWS_MANAGED_POLICIES } from './managed-policies';
import { outsider } from './outsiders';
import { resolveCfn } from './resolve';
import { CreationTrigger, TemplateMatchInput } from './template-matching';

/** What the simulator does not see, said with every answer. */
export const NOT_MODELLED = 'service control and resource control policies, permission boundaries, session policies, VPC endpoint policies';

/** Where a policy lives. */
export interface PolicyLocation {
  readonly stack: string;
  /** Logical id, or the AWS managed policy's name. */
  readonly logicalId: string;
  /** Construct path, or the AWS managed policy's ARN. */
  readonly path: string;
  readonly kind: 'inline' | 'customer managed' | 'AWS managed' | 'resource policy' | 'assumed';
}

/** A policy document and where it lives. */
export interface LocatedPolicy {
  readonly location: PolicyLocation;
  readonly statements: readonly any[];
}

/** A principal to ask about. */
export interface Principal {
  /** How answers name it: the construct path (`Ecs-dev/ExecutionRole`), or the ARN of a principal outside the assembly. */
  readonly name: string;
  /** A group is asked about as a user in it that has no policies of its own (`arn` is that stand-in member). */
  readonly kind: 'role' | 'user' | 'group' | 'external';
  readonly arn: string;
  readonly account: string;
  readonly stack?: string;
  readonly logicalId?: string;
  /** Its identity policies, as far as known. */
  readonly policies: readonly LocatedPolicy[];
  /** Why its identity policies are not fully known (an AWS managed policy this tool lacks, a value that does not resolve). */
  readonly unknown: readonly string[];
  /** Whether an unknown policy could deny (one that does not resolve could; an AWS managed one only allows). */
  readonly unknownDenies?: boolean;
  /** Outside the assembly, with identity policies this tool does not know (`policies` is empty): see `AccessModel.evaluate`. */
  readonly identityUnknown?: boolean;
  /** Request context keys known of it beyond its ARN and account (an organization's id, for an organization's row). */
  readonly context?: Readonly<Record<string, string>>;
}

/** How ECR comes to create repositories, and with which template's settings. */
export interface EcrCreation {
  /** `replication` into the repository's registry, or a `pull through cache` rule of it. */
  readonly by: 'replication' | 'pull through cache';
  /** The construct path of the replication configuration or the pull-through cache rule. */
  readonly rule: string;
  /** The construct path of the creation template that applies; undefined: none applies, or none is known (see `unknown`). */
  readonly template?: string;
  /** ARNs of repositories of the assembly under the same name prefix: ECR creates none of them, each is its own entry. */
  readonly declared: readonly string[];
}

/** A resource to ask about. */
export interface AccessResource {
  readonly name: string;
  readonly arn: string;
  readonly account: string;
  readonly region?: string;
  readonly stack?: string;
  readonly logicalId?: string;
  readonly policy?: LocatedPolicy;
  /** Why its resource policy is not known. */
  readonly unknown?: string;
  /**
   * For repositories ECR creates (`ecr-public/*`, named by pattern): how. Their `arn` ends in `*`, which a statement
   * matches only if it covers every one of them.
   */
  readonly createdBy?: EcrCreation;
}

/** A statement that decided, with where it lives. */
export interface DecidingStatement {
  readonly location: PolicyLocation;
  /** 1-based position in its policy. */
  readonly index: number;
  readonly statement: any;
}

/** The answer to one request. */
export interface Decision {
  readonly allowed: boolean;
  /** The simulator's verdict (`Allowed`, `ImplicitlyDenied`, `ExplicitlyDenied`). */
  readonly result: string;
  readonly sameAccount: boolean;
  readonly identityAllows: readonly DecidingStatement[];
  readonly identityDenies: readonly DecidingStatement[];
  readonly resourceAllows: readonly DecidingStatement[];
  readonly resourceDenies: readonly DecidingStatement[];
  /** Why the answer may be wrong: unknown policies, or context keys a condition needs and nobody supplied. */
  readonly undetermined: readonly string[];
  /** Whether what is unknown could allow (so a deny is not certain). */
  readonly unknownAllows: boolean;
  /** Whether what is unknown could deny (so an allow is not certain). */
  readonly unknownDenies: boolean;
}

/**
 * Condition keys a request a principal makes itself does not carry: they come with calls an AWS service makes on a
 * principal's behalf. A condition on one of them fails for a direct call, as AWS evaluates it; a condition on any
 * other key the model does not supply (`aws:PrincipalOrgID`, a tag, `aws:SourceVpce`) makes the answer unknown.
 */
const ABSENT_FROM_DIRECT_CALLS = ['aws:sourcearn', 'aws:sourceaccount', 'aws:sourceowner', 'aws:sourceorgid', 'aws:sourceorgpaths',
  'kms:viaservice', 'aws:calledvia', 'aws:calledviafirst', 'aws:calledvialast', 'aws:viaawsservice'];

/** Compiled patterns: a fleet's matrix asks about the same few thousand patterns millions of times. */
const PATTERNS = new Map<string, RegExp>();

/** Whether an IAM pattern (`*` any run of characters, `?` one) matches `value`; actions compare without case. */
export function matchesPattern(pattern: string, value: string, flags = ''): boolean {
  const key = `${flags}/${pattern}`;
  let regex = PATTERNS.get(key);
  if (!regex) {
    regex = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, flags);
    PATTERNS.set(key, regex);
  }
  return regex.test(value);
}

/** Options of the model. */
export interface AccessModelOptions {
  /** The account of stacks synthesized without one: they are taken to share it. */
  readonly standInAccount?: string;
  /** The region of stacks synthesized without one. */
  readonly standInRegion?: string;
}

export const STAND_IN_ACCOUNT = '123456789012';
export const STAND_IN_REGION = 'eu-west-1';

interface ResolvedStack {
  readonly stack: AssemblyStack;
  readonly account: string;
  readonly region: string;
  readonly resources: Record<string, { readonly Type: string; readonly Properties?: any }>;
  refs: Record<string, string>;
}

/** The identity policies of a principal outside the assembly, across accounts: unknown, so taken to allow everything. */
const ASSUMED_IDENTITY: LocatedPolicy = {
  location: { stack: '(outside the assembly)', logicalId: '(unknown)', path: 'its identity policies', kind: 'assumed' },
  statements: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
};

/** Why a principal outside the assembly may do more than the resource policy grants, in its own account. */
const OWN_ACCOUNT_UNKNOWN = 'its identity policies are unknown (it is outside the assembly); in its own account they alone may allow what no resource policy grants';

/** The name, under a pattern's prefix, of the repository a simulation of the pattern asks about: no repository has it. */
const ANY_NAME = '{any-name}';

/** What stands for a part of a repository's name or place that does not resolve. */
const UNRESOLVED = '<unresolved>';

/** A repository creation template of a registry of the assembly. */
interface CreationTemplate extends TemplateMatchInput {
  readonly stack: string;
  readonly logicalId: string;
  readonly policy?: LocatedPolicy;
  /** Why its repository policy is not known. */
  readonly unknown?: string;
}

const IDENTITY_TYPES = ['AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy'];
const PRINCIPAL_TYPES = ['AWS::IAM::Role', 'AWS::IAM::User', 'AWS::IAM::Group'];

/** The synthesized app, resolved stack by stack, ready for access questions. */
export class AccessModel {
  /** The model of the cloud assembly in a directory (`cdk.out`, or the `directory` of what `app.synth()` returns). */
  static of(source: string | { readonly directory: string }, options: AccessModelOptions = {}): AccessModel {
    return new AccessModel(readAssembly(typeof source === 'string' ? source : source.directory), options);
  }

  readonly standInAccount: string;
  readonly standInRegion: string;
  /** Stacks by name. */
  protected readonly stacks = new Map<string, ResolvedStack>();
  /** Export name to the value it exports, resolved in the exporting stack. */
  private readonly exportValues = new Map<string, string>();
  /** Export name to the logical id it refers to, in the exporting stack. */
  private readonly exportTargets = new Map<string, { stack: string; logicalId: string }>();

  constructor(stacks: readonly AssemblyStack[], options: AccessModelOptions = {}) {
    this.standInAccount = options.standInAccount ?? STAND_IN_ACCOUNT;
    this.standInRegion = options.standInRegion ?? STAND_IN_REGION;
    for (const stack of stacks) {
      const account = stack.account ?? this.standInAccount;
      const region = stack.region ?? this.standInRegion;
      const resources = stack.template.Resources ?? {};
      this.stacks.set(stack.name, { stack, account, region, resources, refs: {} });
    }
    // Parents first (the assembly lists them first): a nested stack's parameters are values of its parent.
    for (const s of this.stacks.values()) {
      s.refs = refsOf(s.stack, s.resources, s.account, s.region, s.stack.parent ? this.parametersFromParent(s.stack.parent) : {});
    }
    // A parent reads a nested stack's outputs as attributes of the nested stack resource (`Outputs.<name>`).
    for (const [name, s] of this.stacks) {
      if (!s.stack.parent) continue;
      const parentRefs = this.stackNamed(s.stack.parent.stack).refs;
      for (const [output, { Value }] of Object.entries(s.stack.template.Outputs ?? {})) {
        const value = this.tryResolve(name, Value);
        if (typeof value === 'string') parentRefs[`${s.stack.parent.logicalId}.Outputs.${output}`] = value;
      }
    }
    for (const [name, s] of this.stacks) {
      for (const output of Object.values(s.stack.template.Outputs ?? {}).filter((o) => o.Export)) {
        const exportName = String(this.tryResolve(name, output.Export!.Name) ?? output.Export!.Name);
        const value = this.tryResolve(name, output.Value);
        if (typeof value === 'string') this.exportValues.set(exportName, value);
        const target = (output.Value as any)?.Ref ?? (output.Value as any)?.['Fn::GetAtt']?.[0];
        if (typeof target === 'string') this.exportTargets.set(exportName, { stack: name, logicalId: target });
      }
    }
  }

  /** Every role, user and group of the assembly. */
  principals(): Principal[] {
    return [...this.stacks.entries()].flatMap(([name, s]) => Object.entries(s.resources)
      .filter(([, r]) => PRINCIPAL_TYPES.includes(r.Type))
      .map(([id]) => this.principalAt(name, id)));
  }

  /** Every ECR repository of the assembly. */
  repositories(): AccessResource[] {
    return [...this.stacks.entries()].flatMap(([name, s]) => Object.entries(s.resources)
      .filter(([, r]) => r.Type === 'AWS::ECR::Repository').map(([id]) => this.repositoryAt(name, id)));
  }

  /**
   * A principal by construct path (`Ecs-dev/ExecutionRole`), `<stack>/<logical id>`, or ARN. An ARN outside the
   * assembly is a principal whose identity policies are not known here (see `evaluate` for what it may do).
   */
  principal(query: string): Principal {
    const all = this.principals();
    const found = all.filter((p) => p.name === query || `${p.stack}/${p.logicalId}` === query || p.arn === query);
    if (found.length === 1) return found[0];
    if (found.length > 1) throw new InputError(`principal '${query}' is ambiguous: ${found.map((p) => p.name).join(', ')}`);
    if (/^arn:aws[a-z-]*:(iam|sts)::(\d{12}):(role|user|assumed-role|root)/.test(query)) return outsider(query, query);
    const near = closest(query, all.map((p) => p.name));
    throw new InputError(`no principal '${query}' in the assembly${near.length ? ` (did you mean ${near.join(', ')}?)` : ''}: `
      + 'give a construct path such as Ecs-dev/ExecutionRole, <stack>/<logical id>, or an IAM role or user ARN.');
  }

  /** A repository by name or ARN: one of the assembly, or a pattern of those ECR creates (`ecr-public/*`). */
  repository(name: string): AccessResource {
    const all = [...this.repositories(), ...this.createdRepositories()];
    const found = all.filter((r) => r.name === name || r.arn === name);
    if (found.length === 1) return found[0];
    if (found.length > 1) throw new InputError(`repository '${name}' is in several stacks: ${found.map((r) => `${r.stack} (${r.region})`).join(', ')}; give its ARN.`);
    // A fleet has thousands: the count, and only the names that look like the one asked for.
    const near = closest(name, all.map((r) => r.name));
    throw new InputError(`no repository '${name}' in the assembly (${all.length} ${all.length === 1 ? 'repository' : 'repositories'})`
      + `${near.length ? `; closest: ${near.join(', ')}` : ''}.`);
  }

  /** The role or user of `stack` with `logicalId`, and every identity policy it has. */
  principalAt(stack: string, logicalId: string): Principal {
    const s = this.stackNamed(stack);
    const resource = s.resources[logicalId];
    const kind = resource.Type === 'AWS::IAM::User' ? 'user' : resource.Type === 'AWS::IAM::Group' ? 'group' : 'role';
    const policies: LocatedPolicy[] = [];
    const unknown: string[] = [];
    let unknownDenies = false;
    const locate = (inStack: string, id: string, k: PolicyLocation['kind']): PolicyLocation =>
      ({ stack: inStack, logicalId: id, path: this.pathOf(inStack, id), kind: k });
    const add = (inStack: string, location: PolicyLocation, document: unknown) => {
      let resolved;
      try {
        resolved = this.resolveIn(inStack, document);
      } catch (e) {
        unknown.push(`${location.path}: ${(e as Error).message}`);
        unknownDenies = true;
        return;
      }
      policies.push({ location, statements: this.statementsOf(location, resolved?.Statement) });
    };
    asList(resource.Properties?.Policies).forEach((p: any) => add(stack, locate(stack, logicalId, 'inline'), p?.PolicyDocument));
    // A user's groups: their policies are the user's.
    const holders = [{ stack, logicalId }, ...(kind === 'user' ? asList(resource.Properties?.Groups).flatMap((g) => this.referenced(stack, g)) : [])];
    const managedArns = holders.flatMap((h) => asList(this.stackNamed(h.stack).resources[h.logicalId]?.Properties?.ManagedPolicyArns)
      .map((arn) => ({ holder: h, arn })));
    for (const [name, other] of this.stacks) {
      for (const [id, r] of Object.entries(other.resources).filter(([, x]) => IDENTITY_TYPES.includes(x.Type))) {
        const attached = ['Roles', 'Users', 'Groups'].flatMap((key) => asList(r.Properties?.[key]).flatMap((v) => this.referenced(name, v)))
          .some((ref) => holders.some((h) => h.stack === ref.stack && h.logicalId === ref.logicalId));
        const byArn = managedArns.some(({ holder, arn }) =>
          this.referenced(holder.stack, arn).some((ref) => ref.stack === name && ref.logicalId === id));
        if (attached || byArn) {
          add(name, locate(name, id, r.Type === 'AWS::IAM::Policy' ? 'inline' : 'customer managed'), r.Properties?.PolicyDocument);
        }
      }
    }
    for (const { holder, arn } of managedArns) {
      const value = this.tryResolve(holder.stack, arn);
      const awsManaged = typeof value === 'string' ? /^arn:aws[a-z-]*:iam::aws:policy\/(.+)$/.exec(value) : null;
      if (!awsManaged) continue;
      const statements = AWS_MANAGED_POLICIES[awsManaged[1]];
      if (statements) {
        policies.push({ location: { stack: '(AWS)', logicalId: awsManaged[1], path: value as string, kind: 'AWS managed' }, statements });
      } else {
        unknown.push(`the AWS managed policy ${awsManaged[1]} is not known to this tool`);
      }
    }
    const arn = kind === 'group' ? `arn:aws:iam::${s.account}:user/member-of-${s.refs[logicalId]}`.slice(0, 2048) : s.refs[`${logicalId}.Arn`];
    return { name: this.pathOf(stack, logicalId), kind, arn, account: s.account, stack, logicalId, policies, unknown, unknownDenies };
  }

  /** The repository of `stack` with `logicalId`, with its repository policy. */
  repositoryAt(stack: string, logicalId: string): AccessResource {
    const s = this.stackNamed(stack);
    const { policy, unknown } = this.repositoryPolicyOf(stack, logicalId, s.resources[logicalId].Properties?.RepositoryPolicyText);
    return { name: s.refs[logicalId], arn: s.refs[`${logicalId}.Arn`], account: s.account, region: s.region, stack, logicalId, policy, unknown };
  }

  /**
   * The repositories ECR creates by itself for the assembly's replication rules (in each destination registry) and
   * pull-through cache rules (in their own), one per name pattern (`eu-central-1: platform/*`, `ecr-public/*`), with
   * the repository policy of the creation template ECR applies (`applyingTemplate`). A registry's templates are those
   * of the assembly's stacks in it: of a registry no stack is in, they are not known.
   */
  createdRepositories(): AccessResource[] {
    const registries = this.creationTemplates();
    let declared: AccessResource[] | undefined;
    const created = new Map<string, AccessResource>();
    const add = (by: EcrCreation['by'], trigger: CreationTrigger, rule: { stack: string; logicalId: string }, target: ReplicationTarget,
      name: (pattern: string) => string, unresolved?: string) => {
      const { account, region } = target;
      const registry = registries.get(`${account} ${region}`);
      for (const prefix of creationNamePrefixes(target.namePrefix, registry?.templates.map((t) => t.prefix) ?? [])) {
        const pattern = `${prefix}*`;
        const arn = `arn:aws:ecr:${region}:${account}:repository/${pattern}`;
        if (created.has(arn)) continue;
        const template = registry && applyingTemplate(pattern, trigger, registry.templates);
        created.set(arn, {
          name: name(pattern),
          arn,
          account,
          region,
          ...rule,
          policy: template?.policy,
          unknown: unresolved ?? (registry ? registry.unknown ?? template?.unknown
            : `no stack of the assembly is in the registry of ${account} in ${region}: its creation templates are not known`),
          createdBy: {
            by,
            rule: this.pathOf(rule.stack, rule.logicalId),
            template: template && this.pathOf(template.stack, template.logicalId),
            declared: (declared ??= this.repositories())
              .filter((r) => r.account === account && r.region === region && r.name.startsWith(prefix)).map((r) => r.arn),
          },
        });
      }
    };
    for (const [stack, s] of this.stacks) {
      for (const [logicalId, resource] of Object.entries(s.resources)) {
        const rule = { stack, logicalId };
        const where = (key: string) => `resource '${logicalId}': ${key}`;
        // A value that does not resolve names nothing: what ECR creates there is unknown, in its place.
        const resolved = (key: string): { value?: unknown; unresolved?: string } => {
          try {
            return { value: this.resolveIn(stack, resource.Properties?.[key]) };
          } catch (e) {
            return { unresolved: `${key} of ${this.pathOf(stack, logicalId)}: ${(e as Error).message}` };
          }
        };
        if (resource.Type === 'AWS::ECR::PullThroughCacheRule') {
          const { value, unresolved } = resolved('EcrRepositoryPrefix');
          const prefix = unresolved ? UNRESOLVED : namePrefixOf(value, s.stack.templateFile, where('EcrRepositoryPrefix'));
          add('pull through cache', 'PULL_THROUGH_CACHE', rule, { account: s.account, region: s.region, namePrefix: cacheNamePrefix(prefix) }, (p) => p, unresolved);
        }
        if (resource.Type === 'AWS::ECR::ReplicationConfiguration') {
          const { value, unresolved } = resolved('ReplicationConfiguration');
          const targets = unresolved ? [{ account: UNRESOLVED, region: UNRESOLVED, namePrefix: '' }]
            : replicationTargetsOf(value, s.stack.templateFile, where('ReplicationConfiguration'));
          for (const target of targets) add('replication', 'REPLICATION', rule, target, (p) => `${target.region}: ${p}`, unresolved);
        }
      }
    }
    return [...created.values()];
  }

  /**
   * The creation templates of each registry (`<account> <region>`) a stack of the assembly is in. One whose prefix or
   * features do not resolve leaves which template applies in its registry unknown.
   */
  private creationTemplates(): Map<string, { templates: CreationTemplate[]; unknown?: string }> {
    const registries = new Map<string, { templates: CreationTemplate[]; unknown?: string }>();
    for (const [stack, s] of this.stacks) {
      const registry = registries.get(`${s.account} ${s.region}`) ?? { templates: [] };
      registries.set(`${s.account} ${s.region}`, registry);
      for (const [logicalId, resource] of Object.entries(s.resources).filter(([, r]) => r.Type === 'AWS::ECR::RepositoryCreationTemplate')) {
        const where = `resource '${logicalId}'`;
        let prefix: string;
        let appliedFor: string[];
        try {
          [prefix, appliedFor] = [this.resolveIn(stack, resource.Properties?.Prefix), this.resolveIn(stack, resource.Properties?.AppliedFor)];
        } catch (e) {
          registry.unknown ??= `the creation template ${this.pathOf(stack, logicalId)}: ${(e as Error).message}`;
          continue;
        }
        registry.templates.push({
          prefix: namePrefixOf(prefix, s.stack.templateFile, `${where}: Prefix`),
          appliedFor: appliedForOf(appliedFor, s.stack.templateFile, `${where}: AppliedFor`),
          stack,
          logicalId,
          ...this.repositoryPolicyOf(stack, logicalId, resource.Properties?.RepositoryPolicy),
        });
      }
    }
    return registries;
  }

  /** The repository policy a repository or creation template of `stack` declares, or why it is not known. */
  private repositoryPolicyOf(stack: string, logicalId: string, text: unknown): { policy?: LocatedPolicy; unknown?: string } {
    if (text === undefined) return {};
    const location: PolicyLocation = { stack, logicalId, path: this.pathOf(stack, logicalId), kind: 'resource policy' };
    let document;
    try {
      const resolved = this.resolveIn(stack, text);
      document = typeof resolved === 'string' ? JSON.parse(resolved) : resolved;
    } catch (e) {
      return { unknown: `the repository policy of ${location.path}: ${(e as Error).message}` };
    }
    return { policy: { location, statements: this.statementsOf(location, document?.Statement) } };
  }

  /**
   * Whether `principal` may call `action` on `resource`, and the statements that decided. `context` replaces the
   * request context the model gives (`aws:PrincipalArn`, `aws:PrincipalAccount`).
   *
   * A principal outside the assembly has identity policies this tool does not know. Across accounts, where both its
   * identity policies and the resource policy must allow (IAM, "Cross-account policy evaluation logic"), they are taken
   * to allow everything, so that the resource policy decides. In its own account either one suffices, and a resource
   * policy that names the account only delegates to them ("AWS account principals"): what the resource policy grants
   * it by itself is certain, anything else undetermined.
   */
  async evaluate(principal: Principal, action: string, resource: AccessResource, context?: Record<string, string>): Promise<Decision> {
    const outside = principal.identityUnknown === true;
    const ownAccount = outside && principal.account === resource.account;
    const identity = outside && !ownAccount ? [ASSUMED_IDENTITY] : principal.policies;
    const unknownIdentity = ownAccount ? [OWN_ACCOUNT_UNKNOWN] : principal.unknown;
    // The simulator reads a '*' in the resource as "any one of these": ask for one repository of the pattern instead,
    // by a name no policy names, which a statement matches only if it covers them all.
    const requested = resource.createdBy ? `${resource.arn.slice(0, -1)}${ANY_NAME}` : resource.arn;
    // Every ECR and S3 request travels over TLS; the principal keys are the model's own unless the caller gives a context.
    const contextVariables = {
      'aws:SecureTransport': 'true',
      ...(context ?? { 'aws:PrincipalArn': principal.arn, 'aws:PrincipalAccount': principal.account, ...principal.context }),
    };
    const simulation = await runSimulation({
      request: { principal: principal.arn, action, resource: { resource: requested, accountId: resource.account }, contextVariables },
      identityPolicies: identity.map((p, i) => ({ name: `${i}`, policy: { Version: '2012-10-17', Statement: p.statements } })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: resource.policy ? { Version: '2012-10-17', Statement: resource.policy.statements } : undefined,
    } as any, {}) as any;
    const verdict = simulation.overallResult as string | undefined;
    if (simulation.errors?.message === 'invalid.action') throw unknownAction(action);
    if (simulation.errors?.message === 'policy.errors') {
      // The simulator validates each policy as IAM would; the first problem is enough to point at the template.
      const [policy, problems]: [LocatedPolicy, { path: string; message: string }[]] = simulation.errors.resourcePolicyErrors
        ? [resource.policy!, simulation.errors.resourcePolicyErrors]
        : Object.entries<any>(simulation.errors.identityPolicyErrors).map(([i, e]): [LocatedPolicy, any] => [identity[Number(i)], e])[0];
      throw new InputError(`${this.templateFileOf(policy.location)}: ${policyName(policy.location)} is not a valid IAM policy: `
        + `${problems[0].path}: ${problems[0].message}.`);
    }
    if (verdict === undefined) {
      throw new Error(`the simulator did not answer ${action} on ${resource.arn} for ${principal.arn}: ${JSON.stringify(simulation.errors ?? simulation).slice(0, 300)}`);
    }
    const analysis = simulation.result?.analysis ?? {};
    const deciding = (entries: any[] | undefined, policyOf: (entry: any) => LocatedPolicy | undefined): DecidingStatement[] =>
      (entries ?? []).flatMap((entry) => {
        const policy = policyOf(entry);
        // The simulator hands back a copy of the statement: find it by its content.
        const text = JSON.stringify(entry.statement);
        const index = policy?.statements.findIndex((s) => s === entry.statement || JSON.stringify(s) === text) ?? -1;
        return policy ? [{ location: policy.location, index: index + 1, statement: entry.statement }] : [];
      });
    const identityPolicy = (entry: any) => identity[Number(entry.policyId)];
    // Conditions of statements that apply to this request on keys it does not carry, and the model cannot know.
    const supplied = new Set(Object.keys(contextVariables).map((k) => k.toLowerCase()));
    const unknownKeys = { Allow: new Set<string>(), Deny: new Set<string>() };
    const applicable = [
      ...identity.flatMap((p) => p.statements).filter((st) => resourceMatches(st, resource.arn)),
      ...(resource.policy?.statements ?? []).filter((st) => principalMatches(st, principal)),
    ].filter((st) => actionMatches(st, action));
    for (const statement of applicable) {
      for (const key of Object.values<Record<string, unknown>>(statement.Condition ?? {}).flatMap((operator) => Object.keys(operator))) {
        if (!supplied.has(key.toLowerCase()) && !ABSENT_FROM_DIRECT_CALLS.includes(key.toLowerCase())) {
          unknownKeys[statement.Effect === 'Deny' ? 'Deny' : 'Allow'].add(key);
        }
      }
    }
    const keyNotes = (['Allow', 'Deny'] as const).filter((e) => unknownKeys[e].size > 0)
      .map((e) => `${e === 'Allow' ? 'an' : 'a'} ${e} statement's condition on ${[...unknownKeys[e]].sort().join(', ')}, which this tool does not know for a request`);
    // Of the repositories a pattern stands for, a statement on some of them decides for those only.
    const partly = { Allow: new Set<string>(), Deny: new Set<string>() };
    for (const statement of identity.flatMap((p) => p.statements).filter((st) => actionMatches(st, action))) {
      partlyNamed(statement, resource).forEach((pattern) => partly[statement.Effect === 'Deny' ? 'Deny' : 'Allow'].add(pattern));
    }
    const partlyNotes = (['Allow', 'Deny'] as const).flatMap((e) => [...partly[e]].sort()
      .map((pattern) => `${e === 'Allow' ? 'an' : 'a'} ${e} statement on ${pattern}, only some of the repositories ${resource.name} stands for`));
    return {
      allowed: verdict === 'Allowed',
      result: verdict,
      sameAccount: principal.account === resource.account,
      identityAllows: deciding(analysis.identityAnalysis?.allowStatements, identityPolicy),
      identityDenies: deciding(analysis.identityAnalysis?.denyStatements, identityPolicy),
      resourceAllows: deciding(analysis.resourceAnalysis?.allowStatements, () => resource.policy),
      resourceDenies: deciding(analysis.resourceAnalysis?.denyStatements, () => resource.policy),
      undetermined: [...unknownIdentity, ...(resource.unknown ? [resource.unknown] : []), ...keyNotes, ...partlyNotes],
      unknownAllows: unknownIdentity.length > 0 || resource.unknown !== undefined || unknownKeys.Allow.size > 0 || partly.Allow.size > 0,
      unknownDenies: (principal.unknownDenies ?? false) || resource.unknown !== undefined || unknownKeys.Deny.size > 0 || partly.Deny.size > 0,
    };
  }

  /** A value of `stack`'s template, resolved as CloudFormation would resolve it. */
  resolveIn(stack: string, value: unknown): any {
    const s = this.stackNamed(stack);
    const refs = s.refs;
    const exportValues = this.exportValues;
    const withImports = (v: unknown): unknown => {
      if (Array.isArray(v)) return v.map(withImports);
      if (v === null || typeof v !== 'object') return v;
      const node = v as Record<string, unknown>;
      if ('Fn::ImportValue' in node && Object.keys(node).length === 1) {
        const name = String(resolveCfn(node['Fn::ImportValue'], { refs, mappings: s.stack.template.Mappings, conditions: s.stack.template.Conditions }));
        if (!exportValues.has(name)) throw new Error(`no stack of the assembly exports ${name}`);
        return exportValues.get(name);
      }
      return Object.fromEntries(Object.entries(node).map(([k, x]) => [k, withImports(x)]));
    };
    return resolveCfn(withImports(value), { refs, mappings: s.stack.template.Mappings, conditions: s.stack.template.Conditions });
  }

  /** The stacks, by name, with their accounts and regions (stand-ins where the assembly has none). */
  stackEnvironments(): { name: string; account: string; region: string; standIn: boolean }[] {
    return [...this.stacks.entries()].map(([name, s]) => ({ name, account: s.account, region: s.region, standIn: s.stack.account === undefined }));
  }

  /** The parameters a parent stack passes to a nested stack, as far as they resolve there. */
  private parametersFromParent(parent: { stack: string; logicalId: string }): Record<string, string> {
    const passed = this.stackNamed(parent.stack).resources[parent.logicalId].Properties?.Parameters ?? {};
    return Object.fromEntries(Object.entries(passed).map(([name, value]) => [name, this.tryResolve(parent.stack, value)])
      .filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
  }

  /** A resource's template entry. */
  protected resourceIn(stack: string, logicalId: string) {
    return this.stackNamed(stack).resources[logicalId];
  }

  /** The resources of `stack` (logical id and type). */
  protected resourcesOf(stack: string): [string, { Type: string; Properties?: any }][] {
    return Object.entries(this.stackNamed(stack).resources);
  }

  /** What `Ref` / `Fn::GetAtt` of a resource resolves to (`Id` or `Id.Attribute`). */
  protected refOf(stack: string, key: string): string {
    return this.stackNamed(stack).refs[key];
  }

  protected accountOf(stack: string): string {
    return this.stackNamed(stack).account;
  }

  /**
   * The statements of a policy document: objects without a null anywhere (IAM's policy grammar has none, and the
   * simulator's validator fails on one instead of reporting it), or the template is not one IAM accepts. A policy
   * given as a JSON string was parsed here, unseen by the depth bound of the template.
   */
  private statementsOf(location: PolicyLocation, statement: unknown): any[] {
    const file = this.templateFileOf(location);
    if (depthOver(statement, MAX_JSON_DEPTH)) throw new InputError(`${file}: ${policyName(location)} nests deeper than ${MAX_JSON_DEPTH} levels.`);
    const statements = asList(statement);
    statements.forEach((s, i) => {
      const where = `${policyName(location)}: statement ${i + 1}`;
      const at = nullIn(objectOf(s, file, where));
      if (at !== undefined) throw new InputError(`${file}: ${where}: ${at} is null; an IAM policy holds no null.`);
    });
    return statements;
  }

  private templateFileOf(location: PolicyLocation): string {
    return this.stackNamed(location.stack).stack.templateFile;
  }

  private stackNamed(stack: string): ResolvedStack {
    const s = this.stacks.get(stack);
    if (!s) throw new InputError(`no stack ${stack} in the assembly (stacks: ${[...this.stacks.keys()].join(', ')})`);
    return s;
  }

  private pathOf(stack: string, logicalId: string): string {
    return this.stackNamed(stack).stack.paths[logicalId] ?? `${stack}/${logicalId}`;
  }

  private tryResolve(stack: string, value: unknown): unknown {
    try {
      return this.resolveIn(stack, value);
    } catch {
      return undefined;
    }
  }

  /** The resources a value refers to: `Ref`, `Fn::GetAtt`, or an import of another stack's export of one. */
  private referenced(stack: string, value: unknown): { stack: string; logicalId: string }[] {
    if (value === null || typeof value !== 'object') return [];
    const node = value as Record<string, any>;
    if (typeof node.Ref === 'string') return [{ stack, logicalId: node.Ref }];
    if (Array.isArray(node['Fn::GetAtt'])) return [{ stack, logicalId: node['Fn::GetAtt'][0] }];
    if (node['Fn::ImportValue'] !== undefined) {
      const name = this.tryResolve(stack, node['Fn::ImportValue']);
      const target = typeof name === 'string' ? this.exportTargets.get(name) : undefined;
      return target ? [target] : [];
    }
    return [];
  }
}

/** The names that contain the last part of `query` (`ExecutionRole` of `Ecs/ExecutionRole`): each once, sorted, at most 5. */
function closest(query: string, names: readonly string[]): string[] {
  const part = query.toLowerCase().split('/').pop() ?? '';
  return [...new Set(names.filter((n) => n.toLowerCase().includes(part)))].sort().slice(0, 5);
}

/** How a message names a policy of a template. */
function policyName(location: PolicyLocation): string {
  return location.kind === 'resource policy' ? `the repository policy of ${location.path} (${location.logicalId})`
    : `the ${location.kind} policy ${location.path} (${location.logicalId})`;
}

/** The path of the first null in a JSON value (`Condition.StringEquals`, `Action[1]`), if it has one. */
function nullIn(value: unknown, at = ''): string | undefined {
  if (value === null) return at;
  if (typeof value !== 'object') return undefined;
  for (const [key, v] of Object.entries(value)) {
    const found = nullIn(v, Array.isArray(value) ? `${at}[${key}]` : at ? `${at}.${key}` : key);
    if (found !== undefined) return found;
  }
  return undefined;
}

const asPatterns = (value: unknown): string[] => ([] as unknown[]).concat(value ?? []).map(String);

function actionMatches(statement: any, action: string): boolean {
  if (statement.NotAction !== undefined) return !asPatterns(statement.NotAction).some((p) => matchesPattern(p, action, 'i'));
  return asPatterns(statement.Action).some((p) => matchesPattern(p, action, 'i'));
}

/**
 * The patterns of a statement's Resource or NotResource that name some, but not all, of the repositories ECR creates
 * under a pattern (its ARN ends in `*`); those of repositories the assembly declares there are not such.
 */
function partlyNamed(statement: any, resource: AccessResource): string[] {
  if (!resource.createdBy) return [];
  const declared = resource.createdBy.declared;
  return asPatterns(statement.Resource ?? statement.NotResource)
    .filter((p) => !matchesPattern(p, resource.arn) && patternReachesUnder(p, resource.arn.slice(0, -1)) && !declared.includes(p));
}

function resourceMatches(statement: any, arn: string): boolean {
  if (statement.NotResource !== undefined) return !asPatterns(statement.NotResource).some((p) => matchesPattern(p, arn));
  return statement.Resource === undefined || asPatterns(statement.Resource).some((p) => matchesPattern(p, arn));
}

/** Whether a resource policy statement may name the principal: everyone, its ARN, its account, or (for a service) its name. */
function principalMatches(statement: any, principal: Principal): boolean {
  if (statement.NotPrincipal !== undefined || statement.Principal === '*') return true;
  const named = [...asPatterns(statement.Principal?.AWS), ...asPatterns(statement.Principal?.Service)];
  return named.some((p) => p === '*' || p === principal.arn || p === principal.account || p === `arn:aws:iam::${principal.account}:root`);
}

function asList(value: unknown): any[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

/** What `Ref` and `Fn::GetAtt` of each resource resolve to, with the names CloudFormation would generate. */
function refsOf(stack: AssemblyStack, resources: ResolvedStack['resources'], account: string, region: string,
  parameters: Record<string, string>): Record<string, string> {
  const stackName = stack.name;
  const refs: Record<string, string> = {
    'AWS::AccountId': account,
    'AWS::Region': region,
    'AWS::Partition': 'aws',
    'AWS::URLSuffix': 'amazonaws.com',
    'AWS::StackName': stackName,
    'AWS::StackId': `arn:aws:cloudformation:${region}:${account}:stack/${stackName}/00000000-0000-0000-0000-000000000000`,
    'AWS::NotificationARNs': '',
  };
  for (const [name, parameter] of Object.entries(stack.template.Parameters ?? {})) {
    const value = parameters[name] ?? parameter.Default;
    if (typeof value === 'string') refs[name] = value;
  }
  for (const [id, resource] of Object.entries(resources)) {
    const props = resource.Properties ?? {};
    const literal = (v: unknown) => (typeof v === 'string' ? v : undefined);
    switch (resource.Type) {
      case 'AWS::IAM::Role':
      case 'AWS::IAM::User': {
        const type = resource.Type === 'AWS::IAM::Role' ? 'role' : 'user';
        const name = literal(type === 'role' ? props.RoleName : props.UserName) ?? `${stackName}-${id}`.slice(0, 64);
        refs[id] = name;
        refs[`${id}.Arn`] = `arn:aws:iam::${account}:${type}${literal(props.Path) ?? '/'}${name}`;
        break;
      }
      case 'AWS::IAM::Group': {
        const name = literal(props.GroupName) ?? `${stackName}-${id}`.slice(0, 128);
        refs[id] = name;
        refs[`${id}.Arn`] = `arn:aws:iam::${account}:group${literal(props.Path) ?? '/'}${name}`;
        break;
      }
      case 'AWS::IAM::ManagedPolicy':
        refs[id] = `arn:aws:iam::${account}:policy${literal(props.Path) ?? '/'}${literal(props.ManagedPolicyName) ?? `${stackName}-${id}`}`;
        break;
      case 'AWS::S3::Bucket': {
        const name = literal(props.BucketName) ?? `${stackName}-${id}`.toLowerCase();
        refs[id] = name;
        refs[`${id}.Arn`] = `arn:aws:s3:::${name}`;
        break;
      }
      case 'AWS::KMS::Key':
        refs[id] = `${id}-key-id`;
        refs[`${id}.Arn`] = `arn:aws:kms:${region}:${account}:key/${id}-key-id`;
        break;
      case 'AWS::ECR::Repository': {
        const name = literal(props.RepositoryName) ?? `${stackName}-${id}`.toLowerCase();
        refs[id] = name;
        refs[`${id}.Arn`] = `arn:aws:ecr:${region}:${account}:repository/${name}`;
        refs[`${id}.RepositoryUri`] = `${account}.dkr.ecr.${region}.amazonaws.com/${name}`;
        break;
      }
      case 'AWS::ECS::Cluster': {
        const name = literal(props.ClusterName) ?? `${stackName}-${id}`;
        refs[id] = name;
        refs[`${id}.Arn`] = `arn:aws:ecs:${region}:${account}:cluster/${name}`;
        break;
      }
      case 'AWS::ECS::TaskDefinition':
        refs[id] = `arn:aws:ecs:${region}:${account}:task-definition/${literal(props.Family) ?? `${stackName}${id}`}:1`;
        break;
      default:
        refs[id] = id;
    }
  }
  // A service's ARN names its cluster.
  for (const [id, resource] of Object.entries(resources).filter(([, r]) => r.Type === 'AWS::ECS::Service')) {
    const cluster = resource.Properties?.Cluster?.Ref ? refs[resource.Properties.Cluster.Ref] : resource.Properties?.Cluster;
    const name = typeof resource.Properties?.ServiceName === 'string' ? resource.Properties.ServiceName : `${stackName}-${id}`;
    refs[id] = `arn:aws:ecs:${region}:${account}:service/${cluster}/${name}`;
    refs[`${id}.Name`] = name;
  }
  // Any other attribute of a resource of the template: a stand-in value that names it (no access question depends on
  // it); a reference to something the template does not hold stays an error.
  const attributeOfResource = (key: string) => key.includes('.') && key.split('.')[0] in resources;
  return new Proxy(refs, {
    has: (target, key) => typeof key === 'string' && (key in target || attributeOfResource(key)),
    get: (target, key: string) => target[key] ?? (attributeOfResource(key) ? `arn:aws:synthetic:${region}:${account}:${key}` : undefined),
  });
}
