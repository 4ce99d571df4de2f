import { Stack, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * Stacks whose template is deployed to other accounts than the app's own stacks (a StackSet's template): what they
 * declare is counted apart from the rest of the app.
 */
const separateDeployments = new WeakSet<Stack>();

/** What each registry declares so far, per deployment scope: `kind|account|region` → entry name → construct. */
const declared = new WeakMap<IConstruct, Map<string, Map<string, IConstruct>>>();

/** Marks a stack whose template is deployed on its own (to every account of a StackSet). */
export function markSeparateDeployment(stack: Stack): void {
  separateDeployments.add(stack);
}

/** The stack whose template is deployed: a nested stack deploys with (and to the environment of) its parent. */
export function deployedStack(scope: IConstruct): Stack {
  let stack = Stack.of(scope);
  while (stack.nestedStackParent) stack = stack.nestedStackParent;
  return stack;
}

function registryOf(scope: IConstruct): string {
  const stack = Stack.of(scope);
  return Token.isUnresolved(stack.account) || Token.isUnresolved(stack.region)
    ? 'the registry these stacks deploy to (account-agnostic stacks may share one)'
    : `the registry of account ${stack.account} in ${stack.region}`;
}

function entriesOf(scope: IConstruct, kind: string, env: { account: string; region: string } = Stack.of(scope)): Map<string, IConstruct> {
  const owner = deploymentRoot(scope);
  const byRegistry = declared.get(owner) ?? new Map<string, Map<string, IConstruct>>();
  declared.set(owner, byRegistry);
  const key = `${kind}|${env.account}|${env.region}`;
  const entries = byRegistry.get(key) ?? new Map<string, IConstruct>();
  byRegistry.set(key, entries);
  return entries;
}

/** The construct that declares the registry's `kind` for the account and region of `env`, seen from `scope`'s app. */
export function registrySingleton(scope: IConstruct, kind: string, env: { account: string; region: string }): IConstruct | undefined {
  return entriesOf(scope, kind, env).get('');
}

/**
 * A registry has one scanning configuration, replication configuration, registry policy and signing configuration per
 * account and region; a second one would overwrite the first at deploy time, whichever CloudFormation writes last.
 * Records `scope` as the declaration of `kind`, and returns the problem when another construct already declared it.
 */
export function registrySingletonProblems(scope: IConstruct, kind: string): string[] {
  const entries = entriesOf(scope, kind);
  const first = entries.get('');
  if (first === undefined) {
    entries.set('', scope);
    return [];
  }
  return [`${registryOf(scope)} has one ${kind}, and '${first.node.path}' already declares it. `
    + 'Declare it once and add to it, or deploy the two to different accounts or regions.'];
}

/**
 * Records `scope` as the `kind` named `name` of its registry (a cache rule by prefix, a creation template by prefix),
 * and returns the problems: the name already taken, or more entries than ECR takes.
 */
export function registryEntryProblems(scope: IConstruct, kind: string, name: string, max: number): string[] {
  const entries = entriesOf(scope, kind);
  const first = entries.get(name);
  if (first !== undefined) {
    return [`${registryOf(scope)} already has the ${kind} '${name}', declared by '${first.node.path}'. Use another prefix, or declare it once.`];
  }
  entries.set(name, scope);
  return entries.size > max ? [`${registryOf(scope)} takes at most ${max} ${kind}s, and this is number ${entries.size}. Merge some of them.`] : [];
}

/**
 * The scope whose constructs deploy to the same registries as `scope`'s: the stack itself for a stack deployed on its
 * own (a StackSet's template), the app otherwise.
 */
export function deploymentRoot(scope: IConstruct): IConstruct {
  const stack = deployedStack(scope);
  return separateDeployments.has(stack) ? stack : scope.node.root;
}
