import { App, Environment, Token } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import { EcsServiceStack } from './ecs-stack';
import { EksWorkloadStack, IKubectlLayerFactory } from './eks-stack';
import { RegistryStack } from './registry-stack';
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
  /**
   * The digest the workloads run (preferred over following the environment tag).
   * @default - follow the environment tag
   */
  readonly imageDigest?: string;
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
  /** Creates the kubectl layer of each EKS stack. */
  readonly kubectlLayer: IKubectlLayerFactory;
}

/** The sample service that runs on ECS Fargate. */
export const ECS_SERVICE = 'storefront';
/** The sample service that runs on EKS. */
export const EKS_SERVICE = 'catalog';

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

  constructor(app: App, props: ReferencePlatformProps) {
    const environments = props.environments ?? ['dev', 'staging', 'prod'];
    const workloads = props.workloads ?? [{ name: environments[0] }];
    const owner = props.githubOwner ?? 'example-org';
    const registryAccount = props.registryEnv?.account;
    const workloadAccounts = workloads.map((w) => w.env?.account).filter((a): a is string => a !== undefined && a !== registryAccount);
    const repositoryPrefix = 'platform';
    this.registry = new RegistryStack(app, 'Registry', {
      env: props.registryEnv,
      description: 'cdk-ecr-platform reference: image repositories, image builds and scan findings',
      environments,
      repositoryPrefix,
      workloadAccounts: [...new Set(workloadAccounts)],
      services: [ECS_SERVICE, EKS_SERVICE].map((name) => ({ name, source: codebuild.Source.gitHub({ owner, repo: name }) })),
    });
    const registryRegion = props.registryEnv?.region;
    reportProblems(this.registry, [
      ...workloads.filter((w) => !environments.includes(w.name)).map((w) =>
        propProblem('workloads', w.name, `is not one of the environments ${JSON.stringify(environments)}. Add it to 'environments'.`)),
      // Isolated subnets reach only their own region's ECR and S3 endpoints: a workload in another region could not pull.
      ...workloads.filter((w) => regionsDiffer(w.env?.region, registryRegion)).map((w) => propProblem('workloads', `${w.name} in ${w.env!.region}`,
        `the registry is in ${registryRegion}, and a workload's isolated subnets reach only their own region's ECR and S3 endpoints, `
        + `so its tasks and pods could not pull. Deploy the workloads in ${registryRegion} (context workloadRegion) until registry replication `
        + 'brings the images to their region.')),
    ]);

    for (const workload of workloads) {
      const env = workload.env ?? props.registryEnv;
      const common = {
        env,
        registryEnv: props.registryEnv,
        ...(workload.imageDigest ? { imageDigest: workload.imageDigest } : { environmentTag: workload.name }),
      };
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
      // The images must exist before a workload can start: deploy the registry first.
      ecsStack.addStackDependency(this.registry);
      eksStack.addStackDependency(this.registry);
      this.ecsStacks.push(ecsStack);
      this.eksStacks.push(eksStack);
    }
  }
}

function regionsDiffer(a: string | undefined, b: string | undefined): boolean {
  return a !== undefined && b !== undefined && !Token.isUnresolved(a) && !Token.isUnresolved(b) && a !== b;
}
