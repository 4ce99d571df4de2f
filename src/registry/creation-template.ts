import { Lazy, Resource, Stack, Token } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { repositoryPrefixProblems } from './validation';
import { acknowledge } from '../private/acknowledge';
import { maxLengthIn } from '../private/cfn-length';
import { ecrGrantee, libraryPolicyOf } from '../private/ecr-access';
import { propProblem, repeatedProblems, reportProblems } from '../private/errors';
import { wildcardResourceFindingId } from '../private/findings';
import { accountsPrincipal, lambdaPrincipals, noGrant, organizationPrincipal, repositoryPolicyStatementProblems } from '../private/principals';
import { registryEntryProblems } from '../private/registry-singleton';
import { formatRepositoryArn } from '../private/repository-arn';
import {
  encryptionOf, exclusionFiltersOf, lifecyclePolicyOf, settingsProblems, tagMutabilityOf,
} from '../private/repository-settings';
import { LAMBDA_PULL_ACTIONS, PULL_ACTIONS, TEMPLATE_ROLE_ACTIONS } from '../repository/actions';
import { AccountPullOptions, LambdaPullOptions, OrganizationPullOptions } from '../repository/repository';
import { RepositorySettings } from '../repository/settings';

/** When ECR creates a repository from a template. */
export enum RepositoryCreationTrigger {
  /** On the first pull through a pull-through cache whose prefix the template matches. */
  PULL_THROUGH_CACHE = 'PULL_THROUGH_CACHE',
  /** When replication brings the first image of a repository into this registry. */
  REPLICATION = 'REPLICATION',
  /** When an image is pushed to a repository that does not exist (the pusher needs `ecr:CreateRepository`). */
  CREATE_ON_PUSH = 'CREATE_ON_PUSH',
}

/** ECR's limits on a creation template. */
const MAX_PREFIX_LENGTH = 256;
const MAX_DESCRIPTION_LENGTH = 256;
const MAX_TAGS = 50;
// ECR documents no tag pattern beyond lengths; "Tagging your AWS resources" names the generally allowed characters and
// warns that services differ. Only what no service takes is refused: control characters and line or paragraph breaks.
const TAG_CHARACTERS = /^[^\p{Cc}\u2028\u2029]*$/u;
const TAG_CHARACTERS_RULE = 'free of control characters and line breaks';
const LIFECYCLE_POLICY_MAX_LENGTH = 30_720;
const REPOSITORY_POLICY_MAX_LENGTH = 10_240;
/** ECR documents no limit on templates per registry; one per prefix is what it enforces. */
const NO_DOCUMENTED_LIMIT = Number.MAX_SAFE_INTEGER;

/** Properties of a `RepositoryCreationTemplate`. The settings default to those of `ImageRepository`. */
export interface RepositoryCreationTemplateProps extends RepositorySettings {
  /**
   * The repositories the template applies to, by name prefix (`docker-hub` for a cache's repositories, `platform/`
   * for replicated ones), or `ROOT` for every repository no other template matches. Each prefix once per registry.
   */
  readonly prefix: string;
  /** When ECR applies the template. */
  readonly appliedFor: RepositoryCreationTrigger[];
  /**
   * What the template is for.
   * @default - none
   */
  readonly description?: string;
  /**
   * Tags of the created repositories (at most 50). Tagging needs the template's role, which the template then creates.
   * @default - none
   */
  readonly resourceTags?: { [key: string]: string };
}

/**
 * A repository creation template of the registry of this stack's account and region: the settings of the repositories
 * ECR creates by itself (pull-through caches, replication, create on push), so they are as safe as the declared ones:
 * immutable tags, a lifecycle policy built and checked by this library, encryption, a repository policy, tags. With a
 * customer managed key or tags, the template gets the role ECR needs to apply them.
 */
export class RepositoryCreationTemplate extends Resource implements iam.IResourceWithPolicy {
  /** The prefix the template applies to. */
  public readonly prefix: string;
  /** The role ECR creates the repositories with; only with a customer managed key or resource tags. */
  public readonly role?: iam.IRole;
  // Minimized: ECR takes at most 10,240 characters.
  private readonly policy = new iam.PolicyDocument({ minimize: true });

  constructor(scope: Construct, id: string, props: RepositoryCreationTemplateProps) {
    super(scope, id);
    this.prefix = props.prefix;
    const lifecyclePolicy = lifecyclePolicyOf(props);
    const tags = Object.entries(props.resourceTags ?? {});
    reportProblems(this, [
      ...(Token.isUnresolved(props.prefix) ? [] : repositoryPrefixProblems('prefix', props.prefix, MAX_PREFIX_LENGTH)),
      ...appliedForProblems(props.appliedFor),
      ...(props.description !== undefined && props.description.length > MAX_DESCRIPTION_LENGTH
        ? [propProblem('description', `${props.description.length} characters`, `ECR takes at most ${MAX_DESCRIPTION_LENGTH}. Shorten it.`)] : []),
      ...tagProblems(tags),
      ...settingsProblems(this, props),
      ...lifecyclePolicy.validate().map((p) => `prop 'lifecyclePolicy': ${p}`),
      ...registryEntryProblems(this, 'repository creation template', props.prefix, NO_DOCUMENTED_LIMIT),
    ]);
    this.node.addValidation({ validate: () => this.lengthProblems(lifecyclePolicy) });

    const encryption = encryptionOf(props);
    if (props.encryptionKey || tags.length > 0) this.role = this.createRole(props);
    const stack = Stack.of(this);
    new ecr.CfnRepositoryCreationTemplate(this, 'Resource', {
      prefix: props.prefix,
      appliedFor: props.appliedFor,
      description: props.description,
      imageTagMutability: tagMutabilityOf(props),
      imageTagMutabilityExclusionFilters: exclusionFiltersOf(props.mutableTagPatterns ?? props.immutableTagPatterns ?? []),
      encryptionConfiguration: encryption,
      lifecyclePolicy: stack.toJsonString(lifecyclePolicy.toDocument()),
      repositoryPolicy: Lazy.string({ produce: () => (this.policy.isEmpty ? undefined : stack.toJsonString(this.policy.toJSON())) }),
      resourceTags: tags.length > 0 ? tags.map(([key, value]) => ({ key, value })) : undefined,
      customRoleArn: this.role?.roleArn,
    });
  }

  /**
   * Adds a statement to the repository policy of every repository created from the template (no `Resource`). A
   * statement ECR would refuse is reported when the app synthesizes, with every other mistake, and not added.
   */
  public addToResourcePolicy(statement: iam.PolicyStatement): iam.AddToResourcePolicyResult {
    const problems = repositoryPolicyStatementProblems(statement);
    if (problems.length > 0) {
      reportProblems(this, problems);
      return { statementAdded: false };
    }
    this.policy.addStatements(statement);
    return { statementAdded: true, policyDependable: this };
  }

  /** Lets principals of other accounts pull from the created repositories, like `ImageRepository.grantPullToAccounts`. */
  public grantPullToAccounts(accountIds: string[], options: AccountPullOptions = {}): iam.Grant {
    const { principal, problems } = accountsPrincipal(accountIds, options.principalArnPatterns);
    if (problems.length > 0) return this.reportedGrant(problems);
    return this.grantPullTo(principal());
  }

  /** Lets principals of an organization pull from the created repositories, like `ImageRepository.grantPullToOrganization`. */
  public grantPullToOrganization(organizationId: string, options: OrganizationPullOptions = {}): iam.Grant {
    const { principal, problems } = organizationPrincipal(organizationId, options.organizationPaths);
    if (problems.length > 0) return this.reportedGrant(problems);
    return this.grantPullTo(principal());
  }

  /** Lets Lambda functions run images of the created repositories, like `ImageRepository.grantPullToLambda`. */
  public grantPullToLambda(options: LambdaPullOptions): iam.Grant {
    const { problems, principals } = lambdaPrincipals(Stack.of(this), options.accountIds, options.functionArns);
    if (problems.length > 0) return this.reportedGrant(problems);
    return principals().map((principal) => this.grantPullTo(principal, LAMBDA_PULL_ACTIONS)).reduce((all, one) => all.combine(one));
  }

  /** A grant with invalid input: its problems are reported at synthesis, with the app's others, and nothing is granted. */
  private reportedGrant(problems: readonly string[]): iam.Grant {
    reportProblems(this, problems);
    return noGrant(this);
  }

  private grantPullTo(principal: iam.IPrincipal, actions: string[] = PULL_ACTIONS): iam.Grant {
    const statement = new iam.PolicyStatement({ principals: [principal], actions });
    return iam.Grant.addStatementToResourcePolicy({
      grantee: { grantPrincipal: principal }, actions, resourceArns: [], resource: this, statement,
    });
  }

  /** ECR's role for a template with a customer managed key or tags: create (and tag) the repositories, use the key. */
  private createRole(props: RepositoryCreationTemplateProps): iam.Role {
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('ecr.amazonaws.com'),
      description: `Lets ECR create repositories from the creation template '${props.prefix}'`,
    });
    const repositories = formatRepositoryArn(this, props.prefix === 'ROOT' ? '*' : `${props.prefix.replace(/\/$/, '')}*`);
    const grantee = ecrGrantee(role);
    iam.Grant.addToPrincipal({ grantee, actions: TEMPLATE_ROLE_ACTIONS, resourceArns: [repositories] });
    // ECR hands the key to the new repository through a grant, as it does for a repository of its own.
    props.encryptionKey?.grant(grantee, 'kms:CreateGrant', 'kms:RetireGrant', 'kms:DescribeKey');
    const policy = libraryPolicyOf(grantee)!;
    acknowledge(policy, 'the template creates repositories that do not exist yet, named by its prefix', wildcardResourceFindingId(policy, repositories));
    return role;
  }

  private lengthProblems(lifecyclePolicy: ReturnType<typeof lifecyclePolicyOf>): string[] {
    const stack = Stack.of(this);
    const problems: string[] = [];
    const lifecycleLength = maxLengthIn(stack, stack.toJsonString(lifecyclePolicy.toDocument()));
    if (lifecycleLength > LIFECYCLE_POLICY_MAX_LENGTH) {
      problems.push(propProblem('lifecyclePolicy', `${lifecycleLength} characters`, `ECR takes a template's lifecycle policy of at most ${LIFECYCLE_POLICY_MAX_LENGTH}. Merge rules.`));
    }
    if (!this.policy.isEmpty) {
      const policyLength = maxLengthIn(stack, stack.toJsonString(this.policy.toJSON()));
      if (policyLength > REPOSITORY_POLICY_MAX_LENGTH) {
        problems.push(propProblem('repositoryPolicy', `${policyLength} characters`,
          `ECR takes a repository policy of at most ${REPOSITORY_POLICY_MAX_LENGTH}. Grant by organization or fewer statements.`));
      }
    }
    return problems;
  }
}

function appliedForProblems(appliedFor: readonly RepositoryCreationTrigger[]): string[] {
  if (appliedFor.length === 0) {
    return [propProblem('appliedFor', [], 'name when ECR applies the template: PULL_THROUGH_CACHE, REPLICATION or CREATE_ON_PUSH.')];
  }
  return repeatedProblems('appliedFor', appliedFor);
}

function tagProblems(tags: readonly [string, string][]): string[] {
  const problems: string[] = [];
  if (tags.length > MAX_TAGS) problems.push(propProblem('resourceTags', `${tags.length} tags`, `ECR takes at most ${MAX_TAGS}. Drop some.`));
  for (const [key, value] of tags) {
    if (Token.isUnresolved(key) || Token.isUnresolved(value)) continue;
    if (key.length < 1 || key.length > 128 || key.toLowerCase().startsWith('aws:')) {
      problems.push(propProblem('resourceTags', key, "a tag key is 1 to 128 characters and does not start with 'aws:'. Rename it."));
    } else if (!TAG_CHARACTERS.test(key)) {
      problems.push(propProblem('resourceTags', key, `a tag key is ${TAG_CHARACTERS_RULE}. Rename it.`));
    } else if (value.length > 256) {
      problems.push(propProblem(`resourceTags.${key}`, `${value.length} characters`, 'a tag value is at most 256 characters. Shorten it.'));
    } else if (!TAG_CHARACTERS.test(value)) {
      problems.push(propProblem(`resourceTags.${key}`, value, `a tag value is ${TAG_CHARACTERS_RULE}. Fix the value.`));
    }
  }
  return problems;
}
