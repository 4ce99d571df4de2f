import { Lazy, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { AUTH_TOKEN_ACTION, LAMBDA_PULL_ACTIONS, PULL_ACTIONS, PUSH_ACTIONS, READ_ACTIONS, unionOf } from './actions';
import { canOverwriteTag } from './mutability';
import { scanFindingsPattern } from './scan-events';
import { RepositoryOptions } from './settings';
import { allTagsMutableProblems, digestProblems, exclusionFilterProblems, imageTagProblems, repositoryNameProblems } from './validation';
import { LifecyclePolicy } from '../lifecycle/policy';
import { LifecycleRule } from '../lifecycle/rule';
import { isSameAccount } from '../private/accounts';
import { maxLengthIn } from '../private/cfn-length';
import { ecrGrantee } from '../private/ecr-access';
import { propProblem, reportProblems, throwIfProblems } from '../private/errors';
import { noteMaxLength } from '../private/policy-size';
import { accountPrincipalProblems, accountsPrincipal, lambdaPrincipals, noGrant, organizationPrincipal, repositoryPolicyStatementProblems } from '../private/principals';
import { formatRepositoryArn } from '../private/repository-arn';
import {
  encryptionOf, exclusionFiltersOf, lifecyclePolicyOf, removalProblems, settingsProblems, tagMutabilityOf,
} from '../private/repository-settings';
import { declareUniqueName, REPOSITORY_NAME } from '../private/unique-names';
import { FindingSeverity } from '../scanning/severity';

/** Options of `grantPullToAccounts`. */
export interface AccountPullOptions {
  /**
   * Only the principals of those accounts whose ARN matches one of these patterns (`aws:PrincipalArn`, `ArnLike`), for
   * example the roles under a path the workload stacks give their pulling roles:
   * `arn:aws:iam::222222222222:role/platform/storefront/*`. Each pattern names one of the accounts, and `*` only after
   * `role/` or `user/`. The ARN of a role includes its path; an assumed-role session is matched by its role's ARN.
   * @default - every principal of the accounts whose own identity policy allows the pull (the wider choice: any role of
   * those accounts with broad ECR read, such as AmazonEC2ContainerRegistryReadOnly, can pull)
   */
  readonly principalArnPatterns?: string[];
}

/** Options of `grantPullToOrganization`. */
export interface OrganizationPullOptions {
  /**
   * Only principals in these organizational units (`aws:PrincipalOrgPaths`, for example `o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/*`).
   * @default - every account of the organization
   */
  readonly organizationPaths?: string[];
}

/** Options of `grantPullToLambda`. Give `accountIds`, `functionArns` or both. */
export interface LambdaPullOptions {
  /**
   * Accounts whose Lambda functions (in this repository's region) may use the repository's images.
   * @default - none
   */
  readonly accountIds?: string[];
  /**
   * Lambda functions that may use the repository's images.
   * @default - none
   */
  readonly functionArns?: string[];
}

/** Options of `onImagePushed`. */
export interface OnImagePushedOptions extends events.OnEventOptions {
  /**
   * Only pushes of this tag.
   * @default - every successful push
   */
  readonly imageTag?: string;
}

/** Options of `onScanFindings`. */
export interface OnScanFindingsOptions extends events.OnEventOptions {
  /**
   * The lowest severity that triggers the rule.
   * @default FindingSeverity.HIGH
   */
  readonly minimumSeverity?: FindingSeverity;
}

/**
 * An ECR repository with least-privilege grants for the ways platform teams share images, and image events.
 * Usable anywhere aws-cdk-lib accepts an `ecr.IRepository`.
 */
export interface IImageRepository extends ecr.IRepository {
  /** The URI of one image: `repo@sha256:...` for a digest, `repo:tag` otherwise. Tags and digests are validated. */
  imageUri(tagOrDigest: string): string;

  /**
   * Lets principals of these accounts pull, through the repository policy: every principal whose own identity policy
   * allows it, or, with `principalArnPatterns`, only those whose ARN matches (the narrow, recommended form).
   */
  grantPullToAccounts(accountIds: string[], options?: AccountPullOptions): iam.Grant;

  /** Lets principals of an AWS Organization (optionally only some organizational units) pull, through the repository policy. */
  grantPullToOrganization(organizationId: string, options?: OrganizationPullOptions): iam.Grant;

  /** Lets Lambda create functions from this repository's images for the given accounts or functions. */
  grantPullToLambda(options: LambdaPullOptions): iam.Grant;

  /** An EventBridge rule for successful pushes to this repository (no CloudTrail trail needed). */
  onImagePushed(id: string, options?: OnImagePushedOptions): events.Rule;

  /**
   * An EventBridge rule for scan results at or above a severity: basic scanning's "ECR Image Scan" events (severity
   * counts) and Amazon Inspector enhanced scanning's findings for this repository.
   */
  onScanFindings(id: string, options?: OnScanFindingsOptions): events.Rule;
}

/**
 * Grants and events shared by created and imported repositories.
 *
 * Which grant a consumer needs: an ECS task execution role, an EKS node role and an EKS Fargate pod execution role
 * each need `grantPull` (these roles pull the images; the task or pod role itself needs nothing from ECR).
 *
 * Grants to a role this app creates land in one customer managed policy of that role (`EcrAccessPolicy`), where this
 * library acknowledges the registry login's `*` itself; other grantees get CDK's usual identity statements.
 */
export abstract class ImageRepositoryBase extends ecr.RepositoryBase implements IImageRepository {
  /**
   * Grants `actions` on this repository (every grant of this class, and aws-cdk-lib's own calls, come through here).
   * An account principal with an invalid account id is reported when the app synthesizes, and nothing is granted.
   */
  public grant(grantee: iam.IGrantable, ...actions: string[]): iam.Grant {
    const problems = accountPrincipalProblems('grantee', grantee.grantPrincipal);
    if (problems.length > 0) return this.reportedGrant(problems);
    // A role of another account must also be admitted by the policy of a repository of this app, which aws-cdk-lib
    // narrows to that very role (by a tag it puts on it): that needs the role itself as the grantee. An imported
    // repository's policy is not this app's to change, so its grants are the role's side only.
    const identityOnly = importedRepositories.has(this) || isSameAccount(this.env.account, grantee.grantPrincipal.principalAccount);
    return super.grant(identityOnly ? ecrGrantee(grantee) : grantee, ...actions);
  }

  /** Pull: download layers and manifests, plus registry login. */
  public grantPull(grantee: iam.IGrantable): iam.Grant {
    return this.grantWithLogin(grantee, PULL_ACTIONS);
  }

  /** Push: upload layers and put manifests, plus registry login. Does not include pull. */
  public grantPush(grantee: iam.IGrantable): iam.Grant {
    return this.grantWithLogin(grantee, PUSH_ACTIONS);
  }

  /** Pull and push, plus registry login. */
  public grantPullPush(grantee: iam.IGrantable): iam.Grant {
    return this.grantWithLogin(grantee, unionOf(PULL_ACTIONS, PUSH_ACTIONS));
  }

  /** Describe and list the repository, its images and scan findings; no layer download and no login. */
  public grantRead(grantee: iam.IGrantable): iam.Grant {
    return this.grant(grantee, ...READ_ACTIONS);
  }

  public grantPullToAccounts(accountIds: string[], options: AccountPullOptions = {}): iam.Grant {
    const { principal, problems } = accountsPrincipal(accountIds, options.principalArnPatterns);
    if (problems.length > 0) return this.reportedGrant(problems);
    return this.grantThroughPolicy(principal(), PULL_ACTIONS);
  }

  public grantPullToOrganization(organizationId: string, options: OrganizationPullOptions = {}): iam.Grant {
    const { principal, problems } = organizationPrincipal(organizationId, options.organizationPaths);
    if (problems.length > 0) return this.reportedGrant(problems);
    return this.grantThroughPolicy(principal(), PULL_ACTIONS);
  }

  public grantPullToLambda(options: LambdaPullOptions): iam.Grant {
    const { problems, principals } = lambdaPrincipals(Stack.of(this), options.accountIds, options.functionArns);
    if (problems.length > 0) return this.reportedGrant(problems);
    return principals().map((principal) => this.grantThroughPolicy(principal, LAMBDA_PULL_ACTIONS)).reduce((all, one) => all.combine(one));
  }

  public onImagePushed(id: string, options: OnImagePushedOptions = {}): events.Rule {
    reportProblems(this, options.imageTag === undefined || Token.isUnresolved(options.imageTag) ? [] : imageTagProblems('imageTag', options.imageTag));
    const rule = new events.Rule(this, id, options);
    rule.addTarget(options.target);
    rule.addEventPattern({
      source: ['aws.ecr'],
      detailType: ['ECR Image Action'],
      detail: {
        'action-type': ['PUSH'],
        'result': ['SUCCESS'],
        'repository-name': [this.repositoryName],
        ...(options.imageTag !== undefined ? { 'image-tag': [options.imageTag] } : {}),
      },
    });
    return rule;
  }

  public onScanFindings(id: string, options: OnScanFindingsOptions = {}): events.Rule {
    const rule = new events.Rule(this, id, options);
    rule.addTarget(options.target);
    rule.addEventPattern(scanFindingsPattern(this.repositoryName, options.minimumSeverity ?? FindingSeverity.HIGH));
    return rule;
  }

  public imageUri(tagOrDigest: string): string {
    if (!Token.isUnresolved(tagOrDigest)) {
      throwIfProblems(this, tagOrDigest.startsWith('sha256:') ? digestProblems('tagOrDigest', tagOrDigest) : imageTagProblems('tagOrDigest', tagOrDigest));
    }
    return this.repositoryUriForTagOrDigest(tagOrDigest);
  }

  private grantWithLogin(grantee: iam.IGrantable, actions: string[]): iam.Grant {
    const problems = accountPrincipalProblems('grantee', grantee.grantPrincipal);
    if (problems.length > 0) return this.reportedGrant(problems);
    const login = iam.Grant.addToPrincipal({ grantee: ecrGrantee(grantee), actions: [AUTH_TOKEN_ACTION], resourceArns: ['*'] });
    return this.grant(grantee, ...actions).combine(login);
  }

  /** A grant to principals outside this account, which only the repository policy can express. */
  private grantThroughPolicy(principal: iam.IPrincipal, actions: string[]): iam.Grant {
    if (importedRepositories.has(this)) {
      return this.reportedGrant(['the repository policy of an imported repository cannot be changed from here. '
        + 'Grant the access in the stack that owns the repository.']);
    }
    const statement = new iam.PolicyStatement({ actions, principals: [principal] });
    return iam.Grant.addStatementToResourcePolicy({ grantee: principal, actions, resourceArns: [this.repositoryArn], resource: this, statement });
  }

  /**
   * A grant whose input has problems: they are reported when the app synthesizes, with every other mistake of the
   * app, and nothing is granted.
   */
  private reportedGrant(problems: readonly string[]): iam.Grant {
    reportProblems(this, problems);
    return noGrant(this);
  }
}

/** Repositories whose policy lives in another stack; resource-policy grants on them would silently do nothing. */
const importedRepositories = new WeakSet<ImageRepositoryBase>();

/** Properties of an `ImageRepository`. Every default is the secure, loss-free choice. */
export interface ImageRepositoryProps extends RepositoryOptions {
  /**
   * Name of the repository: 2-256 lower-case characters, `/` between namespaces.
   * @default - a name generated by CloudFormation
   */
  readonly repositoryName?: string;
}

/** A repository imported by name or ARN. */
class ImportedImageRepository extends ImageRepositoryBase {
  constructor(scope: Construct, id: string, public readonly repositoryName: string, public readonly repositoryArn: string) {
    // The repository's account and region are its ARN's, which may be another account's (a central registry).
    super(scope, id, { environmentFromArn: repositoryArn });
    importedRepositories.add(this);
    if (!Token.isUnresolved(repositoryName)) reportProblems(this, repositoryNameProblems('repositoryName', repositoryName));
  }

  public addToResourcePolicy(_statement: iam.PolicyStatement): iam.AddToResourcePolicyResult {
    return { statementAdded: false };
  }
}

/** Attributes of an existing repository. */
export interface ImageRepositoryAttributes {
  /** The repository name. */
  readonly repositoryName: string;
  /** The repository ARN. */
  readonly repositoryArn: string;
}

/**
 * A private ECR repository that passes a security review as it is: immutable tags, scan on push, a lifecycle policy
 * that never touches tagged images, retained when the stack is deleted.
 */
export class ImageRepository extends ImageRepositoryBase {
  /** An existing repository of this stack's account and region, by name. */
  public static fromRepositoryName(scope: Construct, id: string, repositoryName: string): IImageRepository {
    const arn = formatRepositoryArn(scope, repositoryName);
    return new ImportedImageRepository(scope, id, repositoryName, arn);
  }

  /** An existing repository, possibly of another account or region. */
  public static fromRepositoryAttributes(scope: Construct, id: string, attrs: ImageRepositoryAttributes): IImageRepository {
    return new ImportedImageRepository(scope, id, attrs.repositoryName, attrs.repositoryArn);
  }

  public readonly repositoryName: string;
  public readonly repositoryArn: string;
  /** The lifecycle policy rendered into the repository. */
  public readonly lifecyclePolicy: LifecyclePolicy;
  private mutability: string;
  private readonly exclusions: string[];
  /** Whether every push is scanned (basic scanning). */
  public readonly scanOnPush: boolean;
  private policyDocument?: iam.PolicyDocument;

  constructor(scope: Construct, id: string, props: ImageRepositoryProps = {}) {
    super(scope, id, { physicalName: props.repositoryName });
    const problems = [
      ...(props.repositoryName === undefined || Token.isUnresolved(props.repositoryName) ? [] : repositoryNameProblems('repositoryName', props.repositoryName)),
      ...settingsProblems(this, props),
      ...removalProblems(props),
    ];
    this.lifecyclePolicy = lifecyclePolicyOf(props);
    reportProblems(this, problems);
    // The final policy, with the rules added later, is validated when the app synthesizes.
    this.node.addValidation({ validate: () => this.lifecyclePolicy.validate().map((p) => `prop 'lifecyclePolicy': ${p}`) });

    this.mutability = tagMutabilityOf(props);
    this.exclusions = [...(props.mutableTagPatterns ?? props.immutableTagPatterns ?? [])];
    this.scanOnPush = props.scanOnPush ?? true;
    const resource = new ecr.CfnRepository(this, 'Resource', {
      repositoryName: this.physicalName,
      // Lazy: addMutableTagPattern may still turn IMMUTABLE into IMMUTABLE_WITH_EXCLUSION.
      imageTagMutability: Lazy.string({ produce: () => this.mutability }),
      imageTagMutabilityExclusionFilters: Lazy.any({ produce: () => exclusionFiltersOf(this.exclusions) }),
      imageScanningConfiguration: { scanOnPush: this.scanOnPush },
      encryptionConfiguration: encryptionOf(props),
      lifecyclePolicy: { lifecyclePolicyText: Lazy.string({ produce: () => Stack.of(this).toJsonString(this.lifecyclePolicy.toDocument()) }) },
      repositoryPolicyText: Lazy.any({ produce: () => this.policyDocument?.toJSON() }),
      emptyOnDelete: props.emptyOnDelete,
    });
    resource.applyRemovalPolicy(props.removalPolicy ?? RemovalPolicy.RETAIN);
    // Every repository of the app counts, aws-cdk-lib's own and a fleet's nested ones too.
    declareUniqueName(this, resource, REPOSITORY_NAME);
    this.repositoryName = this.getResourceNameAttribute(resource.ref);
    this.repositoryArn = this.getResourceArnAttribute(resource.attrArn, { service: 'ecr', resource: 'repository', resourceName: this.physicalName });
    // The longest this ARN can be wherever a policy names it (an ECR name has at most 256 characters), so a role's
    // ECR access policy is measured by it rather than by the 2,048 of an unknown reference.
    const named = props.repositoryName !== undefined && !Token.isUnresolved(props.repositoryName);
    const stack = Stack.of(this);
    noteMaxLength(this.repositoryArn, maxLengthIn(stack, formatRepositoryArn(this, named ? props.repositoryName! : 'x')) + (named ? 0 : 255));
  }

  /** The tag mutability setting (`IMMUTABLE`, `IMMUTABLE_WITH_EXCLUSION`, `MUTABLE`, `MUTABLE_WITH_EXCLUSION`). */
  public get tagMutability(): string {
    return this.mutability;
  }

  /** The exclusion filters of the tag mutability setting (mutable tags of an immutable repository, or the reverse). */
  public get tagMutabilityExclusions(): string[] {
    return [...this.exclusions];
  }

  /**
   * Lets tags matching `pattern` move in this immutable repository (for example a build cache tag); every other tag
   * stays immutable. Nothing changes when the tag can already move; a pattern ECR would refuse is reported at synth.
   */
  public addMutableTagPattern(pattern: string): void {
    if (canOverwriteTag(pattern, this.mutability, this.exclusions)) return;
    const problems = this.mutability === ecr.TagMutability.MUTABLE_WITH_EXCLUSION
      ? [propProblem('mutableTagPattern', pattern, "is listed in 'immutableTagPatterns'. Remove it there to let it move.")]
      : [...exclusionFilterProblems('mutableTagPatterns', [...this.exclusions, pattern]), ...allTagsMutableProblems('mutableTagPattern', pattern)];
    // Reported at synth with the app's other problems (a build adds its cache tags here while it is being built).
    reportProblems(this, problems);
    if (problems.length > 0) return;
    this.exclusions.push(pattern);
    this.mutability = ecr.TagMutability.IMMUTABLE_WITH_EXCLUSION;
  }

  /**
   * Adds a lifecycle rule. The whole policy is validated when the app synthesizes, so a conflict is reported with
   * every other mistake of the app.
   */
  public addLifecycleRule(rule: LifecycleRule): void {
    this.lifecyclePolicy.addRule(rule);
  }

  /**
   * Adds a statement to the repository policy. ECR repository policies take no `Resource` element; a statement with
   * one, or with an account principal whose id is invalid, is reported when the app synthesizes and not added.
   */
  public addToResourcePolicy(statement: iam.PolicyStatement): iam.AddToResourcePolicyResult {
    const problems = repositoryPolicyStatementProblems(statement);
    if (problems.length > 0) {
      reportProblems(this, problems);
      return { statementAdded: false };
    }
    this.policyDocument ??= new iam.PolicyDocument();
    this.policyDocument.addStatements(statement);
    return { statementAdded: true, policyDependable: this.policyDocument };
  }
}
