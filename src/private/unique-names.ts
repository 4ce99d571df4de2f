/**
 * Names an account, a region or a whole partition can hold once (a repository name, an IAM role name, an OIDC
 * provider's URL, an S3 bucket name), checked across the whole app at synth: CloudFormation would fail the second
 * resource of a name at deploy, after the first stack has already deployed.
 */
import { CfnResource, Stack, Token, TokenComparison } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { IConstruct } from 'constructs';
import { deployedStack, deploymentRoot } from './registry-singleton';

/** Whether two values are one, as far as synth can tell. */
export type Relation = 'same' | 'different' | 'unknown';

/**
 * Whether two values are one. Account-agnostic stacks of one app share one unresolved account (`${Token[AWS.AccountId...]}`),
 * so an identical unresolved string counts as the same; other unresolved values cannot be told apart.
 */
export function relate(a: string, b: string): Relation {
  const comparison = Token.compareStrings(a, b);
  if (comparison === TokenComparison.SAME) return 'same';
  if (comparison === TokenComparison.DIFFERENT) return 'different';
  return comparison === TokenComparison.BOTH_UNRESOLVED && a === b ? 'same' : 'unknown';
}

/** 'different' if any is, else 'unknown' if any is, else 'same'. */
export function relateAll(...relations: Relation[]): Relation {
  if (relations.includes('different')) return 'different';
  return relations.includes('unknown') ? 'unknown' : 'same';
}

/** The path users know: the L2 construct's when the L1 is its `Resource` (or a custom resource's `Resource/Default`). */
export function pathOf(resource: IConstruct): string {
  let construct = resource;
  while ((construct.node.id === 'Resource' || construct.node.id === 'Default') && construct.node.scope) construct = construct.node.scope;
  return construct.node.path;
}

/** Where a name must be unique. */
export enum NameScope {
  /** Per account and region (ECR repositories, CodeBuild projects, pipelines). */
  ACCOUNT_AND_REGION = 'account and region',
  /** Per account, in every region (IAM). */
  ACCOUNT = 'account',
  /** Across every account of the partition (S3 bucket names). */
  PARTITION = 'partition',
}

/** A kind of name, and the resources that take it. */
export interface UniqueNameKind {
  /** The CloudFormation types whose resources take the name. */
  readonly resourceTypes: readonly string[];
  /** What is named, for messages: `repository`, `IAM role`. */
  readonly what: string;
  readonly scope: NameScope;
  /** The name as the resource declares it (a token or nothing when CloudFormation generates it). */
  readonly nameOf: (resource: CfnResource) => unknown;
  /** The form in which two names collide (IAM names are not distinguished by case). */
  readonly normalize?: (name: string) => string;
  /** How to fix a collision. */
  readonly fix: string;
}

/** The resources whose names a construct of this library declares; the others are only compared with. */
const declaredHere = new WeakSet<CfnResource>();

/**
 * Declares that `host` sets the name of `resource`: when the app synthesizes, `host` reports the name taken by another
 * resource of the app in the same account, region or partition (`kind.scope`). The first resource of a name is
 * reported by nothing; each later one by its host, naming the first; the first's host also names the later resources
 * no construct of this library declares (a plain aws-cdk-lib resource). Unresolved names and environments are skipped.
 */
export function declareUniqueName(host: IConstruct, resource: CfnResource, kind: UniqueNameKind): void {
  declaredHere.add(resource);
  host.node.addValidation({ validate: () => uniqueNameProblems(resource, kind) });
}

function nameOf(resource: CfnResource, kind: UniqueNameKind): string | undefined {
  const name = kind.nameOf(resource);
  if (typeof name !== 'string' || Token.isUnresolved(name)) return undefined;
  return kind.normalize ? kind.normalize(name) : name;
}

function scopeRelation(scope: NameScope, a: Stack, b: Stack): Relation {
  if (scope === NameScope.PARTITION) return relate(a.partition, b.partition);
  const account = relate(a.account, b.account);
  return scope === NameScope.ACCOUNT ? account : relateAll(account, relate(a.region, b.region));
}

function scopeText(scope: NameScope, stack: Stack): string {
  if (scope === NameScope.PARTITION) return 'S3, whose bucket names are global across accounts and regions,';
  const known = !Token.isUnresolved(stack.account) && (scope === NameScope.ACCOUNT || !Token.isUnresolved(stack.region));
  if (!known) return `the ${scope} these stacks deploy to (account-agnostic stacks may share one)`;
  return scope === NameScope.ACCOUNT ? `account ${stack.account}` : `account ${stack.account} in ${stack.region}`;
}

function quoted(paths: readonly string[]): string {
  const q = paths.map((p) => `'${p}'`);
  return q.length === 1 ? q[0] : `${q.slice(0, -1).join(', ')} and ${q[q.length - 1]}`;
}

/**
 * The resources of each kind's types under a root, by name, found once per validation pass: the validations of one
 * synthesis run together, after the app is built, and a fleet declares a thousand names (one walk of the app each
 * would be quadratic). Dropped once the pass is over, so an app changed and synthesized again is walked again.
 */
const byName = new Map<IConstruct, Map<UniqueNameKind, Map<string, CfnResource[]>>>();

function resourcesNamed(root: IConstruct, kind: UniqueNameKind, name: string): CfnResource[] {
  if (byName.size === 0) setImmediate(() => byName.clear());
  const kinds = byName.get(root) ?? new Map<UniqueNameKind, Map<string, CfnResource[]>>();
  byName.set(root, kinds);
  let names = kinds.get(kind);
  if (!names) {
    names = new Map();
    for (const c of root.node.findAll()) {
      if (!CfnResource.isCfnResource(c) || !kind.resourceTypes.includes(c.cfnResourceType)) continue;
      const n = nameOf(c, kind);
      if (n !== undefined) names.set(n, [...(names.get(n) ?? []), c]);
    }
    kinds.set(kind, names);
  }
  return names.get(name) ?? [];
}

/** The problems of `resource`'s name, as its host reports them (see `declareUniqueName`). */
function uniqueNameProblems(resource: CfnResource, kind: UniqueNameKind): string[] {
  const name = nameOf(resource, kind);
  if (name === undefined) return [];
  const root = deploymentRoot(resource);
  const stack = deployedStack(resource);
  const same = resourcesNamed(root, kind, name)
    .filter((c) => c === resource || (deploymentRoot(c) === root && scopeRelation(kind.scope, deployedStack(c), stack) === 'same'));
  const [first, ...later] = same;
  const shown = kind.nameOf(resource) as string;
  const start = `${scopeText(kind.scope, stack)} can have one ${kind.what} named '${shown}'`;
  const end = `CloudFormation fails to create the second at deploy. ${kind.fix}`;
  if (first !== resource) return [`${start}, and '${pathOf(first)}' already declares it: ${end}`];
  const others = later.filter((c) => !declaredHere.has(c)).map(pathOf);
  return others.length === 0 ? [] : [`${start}, and ${quoted(others)} declare${others.length === 1 ? 's' : ''} it too: ${end}`];
}

/** A custom resource's property as declared (custom resources have no typed L1). */
function customProperty(resource: CfnResource, property: string): unknown {
  return (resource as unknown as { _cfnProperties?: Record<string, unknown> })._cfnProperties?.[property];
}


/** ECR: repository names are unique per registry (an account's in one region). */
export const REPOSITORY_NAME: UniqueNameKind = {
  resourceTypes: ['AWS::ECR::Repository'],
  what: 'repository',
  scope: NameScope.ACCOUNT_AND_REGION,
  nameOf: (r) => (r as ecr.CfnRepository).repositoryName,
  fix: 'Give one of them another repositoryName, or declare the repository once and import it elsewhere (ImageRepository.fromRepositoryName).',
};

/**
 * IAM: an account has one OpenID Connect provider per issuer URL ("You cannot register the same provider multiple
 * times in a single AWS account"), in every region. Counts CloudFormation's provider and aws-cdk-lib's custom one.
 */
export const OIDC_PROVIDER_URL: UniqueNameKind = {
  resourceTypes: ['AWS::IAM::OIDCProvider', 'Custom::AWSCDKOpenIdConnectProvider'],
  what: 'IAM OIDC provider',
  scope: NameScope.ACCOUNT,
  nameOf: (r) => (r instanceof iam.CfnOIDCProvider ? r.url : customProperty(r, 'Url')),
  normalize: (url) => url.replace(/\/+$/, ''),
  fix: 'Share one provider: GitHubActionsPublishers without a \'provider\' share the one the first of them creates in the account; '
    + 'give the others the existing one as \'provider\' (GitHubActionsPublisher.accountProvider(scope, id) from another stack).',
};

/** IAM: role names are unique in the account, in every region, and "not distinguished by case" (IAM User Guide, IAM identifiers). */
export const IAM_ROLE_NAME: UniqueNameKind = {
  resourceTypes: ['AWS::IAM::Role'],
  what: 'IAM role',
  scope: NameScope.ACCOUNT,
  nameOf: (r) => (r as iam.CfnRole).roleName,
  normalize: (name) => name.toLowerCase(),
  fix: 'Give one of them another roleName (IAM ignores case), or leave roleName out for a generated one.',
};

/** A name of one resource type that CloudFormation generates when it is left out; `another` says what to change. */
function optionalName(resourceType: string, what: string, scope: NameScope, declared: UniqueNameKind['nameOf'], another: string): UniqueNameKind {
  return { resourceTypes: [resourceType], what, scope, nameOf: declared, fix: `Give one of them another ${another}, or leave it out for a generated one.` };
}

/** S3: a general purpose bucket's name is unique across every account and region of the partition. */
export const BUCKET_NAME = optionalName('AWS::S3::Bucket', 'bucket', NameScope.PARTITION,
  (r) => (r as s3.CfnBucket).bucketName, 'bucket name (include the account and region)');

/** CodeBuild: a project's name is unique in the account and region. */
export const CODEBUILD_PROJECT_NAME = optionalName('AWS::CodeBuild::Project', 'CodeBuild project', NameScope.ACCOUNT_AND_REGION,
  (r) => (r as codebuild.CfnProject).name, 'projectName');

/** CodePipeline: a pipeline's name is unique in the account and region. */
export const PIPELINE_NAME = optionalName('AWS::CodePipeline::Pipeline', 'pipeline', NameScope.ACCOUNT_AND_REGION,
  (r) => (r as codepipeline.CfnPipeline).name, 'pipelineName');
