import { Duration, RemovalPolicy, Stack, Stage, Token } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, IConstruct } from 'constructs';
import { GITHUB_OIDC_AUDIENCE, GITHUB_OIDC_HOST, isPattern, renderSubject, subjectProblems, SubjectKind, SubjectWildcards } from './subjects';
import { ScanGate } from '../image-build/options';
import { warnOnCrossAccountPushTarget } from '../private/accounts';
import { acknowledge } from '../private/acknowledge';
import { ecrGrantee } from '../private/ecr-access';
import { propProblem, reportProblems, showDuration } from '../private/errors';
import { deployedStack, deploymentRoot } from '../private/registry-singleton';
import { declareUniqueName, IAM_ROLE_NAME, OIDC_PROVIDER_URL, relate } from '../private/unique-names';
import { INSPECTOR_GATE_ACTIONS, INSPECTOR_GATE_REASON, SCAN_RESULT_ACTIONS } from '../repository/actions';

/** Longest session IAM lets a role allow (12 hours); a publishing job needs minutes. */
const MAX_SESSION_HOURS = 12;

/** IAM's default quota on a role's trust policy, in characters without whitespace ("Role trust policy length"). */
const TRUST_POLICY_MAX_LENGTH = 2_048;
/** The longest ARN the account's GitHub provider can have (the longest partition, aws-us-gov). */
const PROVIDER_ARN_MAX = `arn:aws-us-gov:iam::000000000000:oidc-provider/${GITHUB_OIDC_HOST}`;

/** IAM's MaxSessionDuration: whole seconds from 1 to 12 hours. */
function maxSessionDurationProblems(duration: Duration | undefined): string[] {
  if (duration === undefined || duration.isUnresolved()) return [];
  const seconds = duration.toSeconds({ integral: false });
  return Number.isInteger(seconds) && seconds >= 3_600 && seconds <= MAX_SESSION_HOURS * 3_600 ? []
    : [propProblem('maxSessionDuration', showDuration(duration), `whole seconds from 1 to ${MAX_SESSION_HOURS} hours, as IAM allows.`)];
}

/** The trust policy as IAM measures it, with the provider's ARN at its longest. */
function trustPolicyProblems(conditions: Record<string, unknown>): string[] {
  const length = JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Action: 'sts:AssumeRoleWithWebIdentity', Condition: conditions, Effect: 'Allow', Principal: { Federated: PROVIDER_ARN_MAX } }],
  }).length;
  return length > TRUST_POLICY_MAX_LENGTH
    ? [propProblem('subjects', `${length} characters`, `the role's trust policy would pass IAM's default limit of ${TRUST_POLICY_MAX_LENGTH} characters. `
      + 'Use patterns (a branch or tag wildcard), split the subjects over several publishers, or raise the IAM quota and set the subjects in fewer roles.')]
    : [];
}

/** The GitHub providers publishers created, per app (or StackSet template): the first of each account is shared. */
const createdProviders = new WeakMap<IConstruct, { readonly stack: Stack; readonly provider: iam.OidcProviderNative }[]>();

/**
 * The account's GitHub provider for a publisher that names none: the one an earlier publisher of the app created for
 * the account (itself in the same stack; by ARN from another, which then deploys after it), else a new one.
 */
function sharedProvider(publisher: Construct): iam.IOidcProvider {
  const stack = deployedStack(publisher);
  const root = deploymentRoot(publisher);
  const created = createdProviders.get(root) ?? [];
  createdProviders.set(root, created);
  const first = created.find((c) => relate(c.stack.account, stack.account) === 'same');
  if (first === undefined) {
    const provider = new iam.OidcProviderNative(publisher, 'Provider', {
      url: `https://${GITHUB_OIDC_HOST}`,
      clientIds: [GITHUB_OIDC_AUDIENCE],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    declareUniqueName(publisher, provider.node.defaultChild as iam.CfnOIDCProvider, OIDC_PROVIDER_URL);
    created.push({ stack, provider });
    return provider;
  }
  if (first.stack === stack) return first.provider;
  // Stacks of one stage deploy in dependency order; another stage's stacks are deployed on their own.
  if (Stage.of(first.stack) === Stage.of(stack)) {
    stack.addStackDependency(first.stack, `the GitHub OIDC provider of the account, which '${first.provider.node.path}' creates`);
  }
  return GitHubActionsPublisher.accountProvider(publisher, 'Provider');
}

/** Which GitHub Actions jobs may assume the role: a repository and one branch, tag or deployment environment of it. */
export class GitHubSubject {
  /**
   * Jobs on a branch, for example `main` (a pattern such as `release/*` is allowed). A job that names a deployment
   * environment gets the environment's subject instead: use `environment()` for those.
   */
  public static branch(owner: string, repository: string, branch: string): GitHubSubject {
    return new GitHubSubject(owner, repository, 'branch', branch);
  }

  /** Jobs on a git tag, for example `v*` for release tags. */
  public static tag(owner: string, repository: string, tag: string): GitHubSubject {
    return new GitHubSubject(owner, repository, 'tag', tag);
  }

  /** Jobs that name a deployment environment, for example `production` (give it protection rules in GitHub). */
  public static environment(owner: string, repository: string, environment: string): GitHubSubject {
    return new GitHubSubject(owner, repository, 'environment', environment);
  }

  private constructor(
    /** The GitHub user or organization. */
    public readonly owner: string,
    /** The repository name (`*`: every repository of the owner, refused unless allowed). */
    public readonly repository: string,
    /** `branch`, `tag` or `environment`. */
    public readonly kind: string,
    /** The branch, tag or environment name or pattern. */
    public readonly value: string,
  ) {}

  /** The `sub` claim GitHub writes for such jobs. */
  public get subject(): string {
    return renderSubject(this.owner, this.repository, this.kind as SubjectKind, this.value);
  }
}

/** Properties of a `GitHubActionsPublisher`. */
export interface GitHubActionsPublisherProps {
  /** The repositories the workflows push to; the role can push to these and no other. */
  readonly repositories: ecr.IRepository[];
  /** The GitHub jobs that may assume the role. A pull request's workflow never can (its subject is not admitted). */
  readonly subjects: GitHubSubject[];
  /**
   * The account's GitHub OIDC provider. An account has at most one provider per issuer URL: when it exists outside
   * this app (created by hand or by another app), pass `GitHubActionsPublisher.accountProvider(this, 'GitHub')`.
   * @default - the provider the app's publishers share in this account: the first publisher of the account creates it
   * (`https://token.actions.githubusercontent.com`, audience `sts.amazonaws.com`, retained when the stack is deleted
   * since other roles of the account may trust it), later ones in the same stack trust that one, and later ones in
   * another stack of the account trust it by ARN, their stack deploying after the creating one
   */
  readonly provider?: iam.IOidcProvider;
  /**
   * Let a subject's repository be `*`, which admits every repository of its owner, present and future.
   * @default false
   */
  readonly allowAllRepositoriesOfOwner?: boolean;
  /**
   * Let a subject's branch be a pattern of wildcards only (`*`), which admits a job on every branch of its repository,
   * present and future: whoever can push a branch can then assume the role. IAM's `*` also matches `/`.
   * @default false
   */
  readonly allowAllBranches?: boolean;
  /**
   * Let a subject's environment be a pattern of wildcards only (`*`), which admits a job that names any environment
   * of its repository: GitHub creates an environment a job names that does not exist yet, without protection rules,
   * so any workflow of the repository could name one.
   * @default false
   */
  readonly allowAllEnvironments?: boolean;
  /**
   * The scan the workflow waits for after the push (the sample workflow's last step, whose `SCAN_GATE` variable must
   * match): `ScanGate.basic()` lets the role read the scan findings of the repositories; `enhanced()` adds the Inspector
   * reads `DescribeImageScanFindings` then needs and the gate's own `inspector2:ListCoverage`; `none()` grants neither.
   * The workflow reads nothing else of the gate: its threshold and timeout are the workflow's.
   * @default ScanGate.basic()
   */
  readonly scanGate?: ScanGate;
  /**
   * The role's name, as the workflow's `role-to-assume` names it.
   * @default - generated: read it from the `role` property
   */
  readonly roleName?: string;
  /**
   * Longest session the workflow may ask for: whole seconds from 1 to 12 hours (IAM's MaxSessionDuration, 3,600 to
   * 43,200 seconds).
   * @default Duration.hours(1)
   */
  readonly maxSessionDuration?: Duration;
}

/**
 * A role that GitHub Actions workflows assume through OpenID Connect, without long-lived keys, to push images: its
 * trust policy requires the audience `sts.amazonaws.com` and one of the named subjects (repository and branch, tag or
 * environment); it may push to the named repositories only, log in to the registry and read their scan findings.
 * `docs/github-actions/publish-image.yml` is a workflow that uses it.
 */
export class GitHubActionsPublisher extends Construct {
  /** The GitHub OIDC provider that already exists in the stack's account. */
  public static accountProvider(scope: Construct, id: string): iam.IOidcProvider {
    const stack = Stack.of(scope);
    return iam.OidcProviderNative.fromOidcProviderArn(scope, id,
      stack.formatArn({ service: 'iam', region: '', resource: 'oidc-provider', resourceName: GITHUB_OIDC_HOST }));
  }

  /** The role the workflows assume. */
  public readonly role: iam.Role;
  /** The OIDC provider the role trusts. */
  public readonly provider: iam.IOidcProvider;

  constructor(scope: Construct, id: string, props: GitHubActionsPublisherProps) {
    super(scope, id);
    const wildcards: SubjectWildcards = {
      allRepositoriesOfOwner: props.allowAllRepositoriesOfOwner ?? false,
      allBranches: props.allowAllBranches ?? false,
      allEnvironments: props.allowAllEnvironments ?? false,
    };
    const sessionProblems = maxSessionDurationProblems(props.maxSessionDuration);
    const known = (s: GitHubSubject) => ![s.owner, s.repository, s.value].some((part) => Token.isUnresolved(part));
    reportProblems(this, [
      ...(props.subjects.length === 0 ? [propProblem('subjects', [], 'name at least one repository and branch, tag or environment (GitHubSubject).')] : []),
      ...(props.repositories.length === 0 ? [propProblem('repositories', [], 'name at least one repository the workflows push to.')] : []),
      ...props.subjects.flatMap((s, i) => (known(s) ? subjectProblems(`prop 'subjects[${i}]'`, s.owner, s.repository, s.kind as SubjectKind, s.value, wildcards) : [])),
      ...sessionProblems,
    ]);
    props.repositories.forEach((r, i) => warnOnCrossAccountPushTarget(this, `repositories[${i}]`, r));

    this.provider = props.provider ?? sharedProvider(this);
    const subjects = [...new Set(props.subjects.map((s) => s.subject))];
    // Exact subjects compare exactly; a pattern among them makes the list a pattern list.
    const subjectCondition = { [`${GITHUB_OIDC_HOST}:sub`]: subjects };
    const patterns = subjects.some(isPattern);
    const conditions = {
      StringEquals: { [`${GITHUB_OIDC_HOST}:aud`]: GITHUB_OIDC_AUDIENCE, ...(patterns ? {} : subjectCondition) },
      ...(patterns ? { StringLike: subjectCondition } : {}),
    };
    this.role = new iam.Role(this, 'Role', {
      roleName: props.roleName,
      description: `Pushes images from GitHub Actions (${subjects.length} subject${subjects.length === 1 ? '' : 's'})`,
      // A duration IAM refuses is reported above; aws-cdk-lib would throw before the report.
      maxSessionDuration: (sessionProblems.length === 0 ? props.maxSessionDuration : undefined) ?? Duration.hours(1),
      assumedBy: new iam.WebIdentityPrincipal(this.provider.oidcProviderArn, conditions),
    });
    declareUniqueName(this, this.role.node.defaultChild as iam.CfnRole, IAM_ROLE_NAME);
    this.node.addValidation({ validate: () => (props.subjects.every(known) ? trustPolicyProblems(conditions) : []) });

    const gate = props.scanGate ?? ScanGate.basic();
    // ECR access lands in the role's ECR access policy (a customer managed policy, as for every role here).
    for (const repository of props.repositories) {
      repository.grantPullPush(ecrGrantee(this.role));
      if (gate.mode !== 'none') repository.grant(ecrGrantee(this.role), ...SCAN_RESULT_ACTIONS);
    }
    if (gate.mode === 'enhanced') {
      const findings = new iam.ManagedPolicy(this, 'InspectorFindingsPolicy', {
        description: 'Amazon Inspector findings of the images pushed from GitHub Actions',
        statements: [new iam.PolicyStatement({ actions: INSPECTOR_GATE_ACTIONS, resources: ['*'] })],
        roles: [this.role],
      });
      acknowledge(findings, INSPECTOR_GATE_REASON, 'AwsSolutions-IAM5[Resource::*]');
    }
  }
}
