import { App, Environment, Stack, Token } from 'aws-cdk-lib';
import { bootstrapCommands } from './bootstrap';
import { DeliveredService, DeliveryStack } from './delivery-stack';
import { EcsServiceStack } from './ecs-stack';
import { EksWorkloadStack, IKubectlLayerFactory } from './eks-stack';
import { LambdaServiceStack } from './lambda-stack';
import { OrganizationStack } from './organization-stack';
import { RegistryReplicaStack, RegistryStack } from './registry-stack';
import { ImagePlatform } from '../image-build/options';
import { propProblem, reportProblems } from '../private/errors';

/** Where one environment's workloads run. */
export interface WorkloadEnvironmentProps {
  /** The environment name; also the image tag its workloads follow when no digest is given. */
  readonly name: string;
  /**
   * Account and region of the environment.
   * @default - the registry's environment (account-agnostic when that is)
   */
  readonly env?: Environment;
}

/** The organization-wide part of the reference platform. */
export interface ReferenceOrganizationProps {
  /** The organizational units whose accounts get the baseline (the workload accounts'; not the registry's, which has its own). */
  readonly organizationalUnitIds: string[];
  /**
   * The organization's management account, which deploys the StackSet.
   * @default - the registry's account, registered as a StackSets delegated administrator
   */
  readonly managementAccount?: string;
}

/** Properties of the reference platform. */
export interface ReferencePlatformProps {
  /**
   * The shared-services account and region that hold the registry.
   * @default - account-agnostic: synthesizes with no AWS account
   */
  readonly registryEnv?: Environment;
  /**
   * Environment names in promotion order; the first is tagged by every build, the others by promotions.
   * @default ['dev', 'staging', 'prod']
   */
  readonly environments?: string[];
  /**
   * The environments to deploy workloads to.
   * @default - the first environment, in the registry's account
   */
  readonly workloads?: WorkloadEnvironmentProps[];
  /**
   * GitHub owner of the sample services' repositories.
   * @default 'example-org'
   */
  readonly githubOwner?: string;
  /**
   * Regions of the registry's account that get a copy of every platform image (a second region for recovery, for
   * example). The workload regions other than the registry's always get one, and their workloads pull from it.
   * @default - only the workload regions other than the registry's
   */
  readonly replicaRegions?: string[];
  /**
   * Whether the registry account already has the GitHub Actions OIDC provider (an account holds one per issuer): the
   * registry's GitHub publishers then trust it instead of creating it.
   * @default false
   */
  readonly githubOidcProviderExists?: boolean;
  /**
   * The CodeConnections connection to GitHub of the services' promotion pipelines.
   * @default - the delivery stack creates one, to be approved in the console
   */
  readonly connectionArn?: string;
  /**
   * Rolls a registry baseline (enhanced scanning, an ECR Public cache) out to every account of these organizational
   * units, in the registry's and the replica regions, through a StackSet (`OrganizationRegistryBaseline`).
   * @default - none
   */
  readonly organization?: ReferenceOrganizationProps;
  /** Creates the kubectl layer of each EKS stack. */
  readonly kubectlLayer: IKubectlLayerFactory;
}

/** The sample service that runs on ECS Fargate. */
export const ECS_SERVICE = 'storefront';
/** The sample service that runs on EKS. */
export const EKS_SERVICE = 'catalog';
/** The sample service that runs on Lambda. */
export const LAMBDA_SERVICE = 'resizer';

/**
 * The whole reference platform: the registry in the shared-services account and, per workload environment, an ECS
 * stack and an EKS stack pulling from it; across accounts through the repository policies.
 */
export class ReferencePlatform {
  /** The registry stack. */
  public readonly registry: RegistryStack;
  /** The ECS stacks, one per workload environment. */
  public readonly ecsStacks: EcsServiceStack[] = [];
  /** The EKS stacks, one per workload environment. */
  public readonly eksStacks: EksWorkloadStack[] = [];
  /** The Lambda stacks, one per workload environment. */
  public readonly lambdaStacks: LambdaServiceStack[] = [];
  /** The registry stacks of the replica regions. */
  public readonly replicaStacks: RegistryReplicaStack[] = [];
  /** The services' promotion pipelines. */
  public readonly delivery: DeliveryStack;
  /** The organization-wide registry baseline, with `organization`. */
  public readonly organization?: OrganizationStack;

  private readonly registryAccount?: string;
  private readonly managementAccount?: string;

  constructor(app: App, props: ReferencePlatformProps) {
    const environments = props.environments ?? ['dev', 'staging', 'prod'];
    const workloads = props.workloads ?? [{ name: environments[0] }];
    const owner = props.githubOwner ?? 'example-org';
    const registryAccount = props.registryEnv?.account;
    this.registryAccount = registryAccount;
    const workloadAccounts = workloads.map((w) => w.env?.account).filter((a): a is string => a !== undefined && a !== registryAccount);
    const repositoryPrefix = 'platform';
    const services = [ECS_SERVICE, EKS_SERVICE, LAMBDA_SERVICE];
    const registryRegion = props.registryEnv?.region;
    // Workloads pull in their own region (isolated subnets reach only its ECR and S3 endpoints): replicate there.
    const workloadRegions = workloads.map((w) => w.env?.region).filter((r): r is string => regionsDiffer(r, registryRegion));
    const replicaRegions = [...new Set([...(props.replicaRegions ?? []), ...workloadRegions])];
    const uniqueWorkloadAccounts = [...new Set(workloadAccounts)];
    this.registry = new RegistryStack(app, 'Registry', {
      env: props.registryEnv,
      description: 'cdk-ecr-platform reference: image repositories, image builds, registry scanning, caches and replication',
      environments,
      repositoryPrefix,
      workloadAccounts: uniqueWorkloadAccounts,
      replicaRegions,
      // Every service is built by its promotion pipeline, on each push to main; each image for the compute that runs
      // it: the catalog's EKS nodes are Graviton (AL2023_ARM_64_STANDARD on m7g.large), the storefront's Fargate tasks
      // and the resizer's function run on x86_64, their services' default.
      services: services.map((name) => ({
        name,
        runsOnLambda: name === LAMBDA_SERVICE,
        platforms: name === EKS_SERVICE ? [ImagePlatform.LINUX_ARM64] : [ImagePlatform.LINUX_AMD64],
      })),
      github: { owner, providerExists: props.githubOidcProviderExists },
    });
    for (const region of replicaRegions) {
      const replica = new RegistryReplicaStack(app, `Registry-${region}`, {
        env: { account: registryAccount, region },
        description: `cdk-ecr-platform reference: the registry's copies in ${region}`,
        environments,
        repositoryPrefix,
        workloadAccounts: uniqueWorkloadAccounts,
        repositoryNames: services.map((name) => `${repositoryPrefix}/${name}`),
        lambdaRepositoryNames: [`${repositoryPrefix}/${LAMBDA_SERVICE}`],
      });
      // The creation templates must exist before the first image is replicated.
      this.registry.addStackDependency(replica);
      this.replicaStacks.push(replica);
    }
    reportProblems(this.registry, [
      ...workloads.filter((w) => !environments.includes(w.name)).map((w) =>
        propProblem('workloads', w.name, `is not one of the environments ${JSON.stringify(environments)}. Add it to 'environments'.`)),
      // Workload stacks name the registry's account in repository ARNs and deploy-role trust: their own would be wrong.
      ...(registryAccount === undefined && uniqueWorkloadAccounts.length > 0 ? [propProblem('registryEnv.account', undefined,
        `the workloads run in accounts ${JSON.stringify(uniqueWorkloadAccounts)} and pull from the registry's account, which must be known: `
        + 'give it (context registryAccount).')] : []),
    ]);

    const releases = new Map<string, { environment: string; stacks: Stack[] }[]>(services.map((name) => [name, []]));
    for (const workload of workloads) {
      const env = workload.env ?? props.registryEnv;
      // The region's own copy when the workload runs outside the registry's region.
      const common = { env, registryEnv: { account: registryAccount, region: env?.region ?? registryRegion } };
      const ecsStack = new EcsServiceStack(app, `Ecs-${workload.name}`, {
        ...common,
        description: `cdk-ecr-platform reference: ${ECS_SERVICE} on ECS Fargate (${workload.name})`,
        repositoryName: `${repositoryPrefix}/${ECS_SERVICE}`,
      });
      const eksStack = new EksWorkloadStack(app, `Eks-${workload.name}`, {
        ...common,
        description: `cdk-ecr-platform reference: ${EKS_SERVICE} on EKS (${workload.name})`,
        repositoryName: `${repositoryPrefix}/${EKS_SERVICE}`,
        kubectlLayer: props.kubectlLayer,
        workloadName: EKS_SERVICE,
      });
      // Lambda runs a digest only: a digest of this service's repository, not the others'.
      const lambdaStack = new LambdaServiceStack(app, `Lambda-${workload.name}`, {
        ...common,
        description: `cdk-ecr-platform reference: ${LAMBDA_SERVICE} on AWS Lambda (${workload.name})`,
        repositoryName: `${repositoryPrefix}/${LAMBDA_SERVICE}`,
      });
      // The registry (and its copies) first: the workloads' pull grants and images come from there.
      for (const stack of [ecsStack, eksStack, lambdaStack]) {
        stack.addStackDependency(this.registry);
        this.replicaStacks.forEach((replica) => stack.addStackDependency(replica));
      }
      releases.get(ECS_SERVICE)!.push({ environment: workload.name, stacks: [ecsStack] });
      releases.get(EKS_SERVICE)!.push({ environment: workload.name, stacks: [eksStack] });
      releases.get(LAMBDA_SERVICE)!.push({ environment: workload.name, stacks: [lambdaStack] });
      this.ecsStacks.push(ecsStack);
      this.eksStacks.push(eksStack);
      this.lambdaStacks.push(lambdaStack);
    }

    this.delivery = new DeliveryStack(app, 'Delivery', {
      env: props.registryEnv,
      description: `cdk-ecr-platform reference: the promotion pipelines of ${services.join(', ')}, from commit to ${environments[environments.length - 1]}`,
      services: services.map((name): DeliveredService => ({ name, buildProject: this.registry.buildProject(name), releases: releases.get(name)! })),
      githubOwner: owner,
      connectionArn: props.connectionArn,
      environments,
    });
    // A pipeline runs once when it is created, releasing to its stacks: they must exist by then.
    for (const stack of [this.registry, ...this.ecsStacks, ...this.eksStacks, ...this.lambdaStacks]) this.delivery.addStackDependency(stack);

    if (props.organization) {
      const management = props.organization.managementAccount;
      this.managementAccount = management;
      this.organization = new OrganizationStack(app, 'Organization', {
        env: { account: management ?? registryAccount, region: registryRegion },
        description: 'cdk-ecr-platform reference: the registry baseline of every workload account of the organization',
        organizationalUnitIds: props.organization.organizationalUnitIds,
        regions: [...new Set([registryRegion, ...replicaRegions].filter((r): r is string => r !== undefined && !Token.isUnresolved(r)))],
        delegatedAdministrator: management === undefined,
        repositoryPrefix,
      });
    }
  }

  /**
   * The `cdk bootstrap` commands the platform needs before its first `cdk deploy --all`, one per account (run each with
   * that account's credentials): every account and region a stack targets, the workload accounts trusting the
   * registry's, from which `cdk deploy` and the pipelines' releases deploy.
   */
  public bootstrapCommands(executionPolicyArn = 'arn:aws:iam::aws:policy/AdministratorAccess'): string[] {
    // The organization's management account deploys its stack with its own credentials: trusting the registry's
    // account there would hand that account administration of the organization.
    return bootstrapCommands(stacksOf(this), this.registryAccount, executionPolicyArn, this.managementAccount ? [this.managementAccount] : []);
  }
}

/** The stacks of the platform. */
function stacksOf(platform: ReferencePlatform): Stack[] {
  return [platform.registry, ...platform.replicaStacks, ...platform.ecsStacks, ...platform.eksStacks, ...platform.lambdaStacks, platform.delivery,
    ...(platform.organization ? [platform.organization] : [])];
}

function regionsDiffer(a: string | undefined, b: string | undefined): boolean {
  return a !== undefined && b !== undefined && !Token.isUnresolved(a) && !Token.isUnresolved(b) && a !== b;
}
