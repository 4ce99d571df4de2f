import { KubectlV33Layer } from '@aws-cdk/lambda-layer-kubectl-v33';
import { App, CfnParameter, CustomResource, Stack } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { ImageBuildProject, ImageFunction, ImagePlatform, ImageRepository } from '../../src';
import {
  AMI_TYPE_ARCHITECTURE, amiTypeArchitecture, CpuArchitecture, fargateArchitecture, instanceTypeArchitecture, lambdaArchitecture,
  nodegroupArchitecture, NodegroupFacts, platformArchitecture, platformFor, TaskDefinitionFacts,
} from '../../src/image-build/architecture';
import { flattenValue, imageOfRepository, manifestImages, TOKEN_PLACEHOLDER } from '../../src/image-build/consumers';
import { synthesisProblems } from '../support/problems';

const { X86_64: X86, ARM64: ARM } = CpuArchitecture;
const ENV = { account: '111111111111', region: 'eu-west-1' };
const DIGEST = `sha256:${'ab'.repeat(32)}`;

describe('the documented rules', () => {
  // EKS API reference, CreateNodegroup, amiType: every value of the AMITypes enum.
  test.each<[string, CpuArchitecture | undefined]>([
    ['AL2_x86_64', X86], ['AL2_x86_64_GPU', X86], ['AL2_ARM_64', ARM],
    ['BOTTLEROCKET_ARM_64', ARM], ['BOTTLEROCKET_x86_64', X86], ['BOTTLEROCKET_ARM_64_FIPS', ARM], ['BOTTLEROCKET_x86_64_FIPS', X86],
    ['BOTTLEROCKET_ARM_64_NVIDIA', ARM], ['BOTTLEROCKET_x86_64_NVIDIA', X86],
    ['WINDOWS_CORE_2019_x86_64', X86], ['WINDOWS_FULL_2019_x86_64', X86], ['WINDOWS_CORE_2022_x86_64', X86], ['WINDOWS_FULL_2022_x86_64', X86],
    ['AL2023_x86_64_STANDARD', X86], ['AL2023_ARM_64_STANDARD', ARM], ['AL2023_x86_64_NEURON', X86], ['AL2023_x86_64_NVIDIA', X86],
    ['AL2023_ARM_64_NVIDIA', ARM],
    // A value added to the enum later carries its architecture in its name, as every value does.
    ['WINDOWS_CORE_2025_x86_64', X86], ['AL2023_ARM_64_NEURON', ARM],
    ['CUSTOM', undefined], ['SOMETHING_ELSE', undefined],
  ])('amiType %s: %s', (amiType, architecture) => {
    expect(amiTypeArchitecture(amiType)).toBe(architecture);
  });

  test('every value of aws-cdk-lib\'s NodegroupAmiType is in the table', () => {
    expect(Object.values(eks.NodegroupAmiType).filter((v) => !(v in AMI_TYPE_ARCHITECTURE))).toEqual([]);
  });

  // EC2 instance type naming conventions: the processor letter g (AWS Graviton) after the generation; a1 is Graviton.
  test.each<[string, CpuArchitecture | undefined]>([
    ['m6g.large', ARM], ['m7g.large', ARM], ['c6gn.xlarge', ARM], ['c7gd.2xlarge', ARM], ['t4g.micro', ARM], ['r8g.4xlarge', ARM],
    ['x2gd.medium', ARM], ['im4gn.large', ARM], ['is4gen.xlarge', ARM], ['g5g.xlarge', ARM], ['hpc7g.4xlarge', ARM], ['i4g.large', ARM],
    ['a1.medium', ARM], ['M7G.LARGE', ARM],
    ['t3.medium', X86], ['m5.large', X86], ['m7i-flex.large', X86], ['c7a.xlarge', X86], ['r7iz.large', X86], ['g4dn.xlarge', X86],
    ['g4ad.xlarge', X86], ['g5.2xlarge', X86], ['gr6.4xlarge', X86], ['p5.48xlarge', X86], ['inf2.xlarge', X86], ['trn1.32xlarge', X86],
    ['mac2.metal', undefined], ['u-6tb1.metal', undefined], ['not an instance type', undefined],
  ])('instance type %s: %s', (instanceType, architecture) => {
    expect(instanceTypeArchitecture(instanceType)).toBe(architecture);
  });

  test.each<[string, NodegroupFacts, CpuArchitecture | undefined]>([
    ['amiType decides', { amiType: 'AL2023_ARM_64_STANDARD', instanceTypes: ['m7g.large'] }, ARM],
    ['amiType decides, with a launch template', { amiType: 'AL2023_x86_64_STANDARD', launchTemplate: true }, X86],
    ['no amiType: the instance types decide', { instanceTypes: ['c7g.large', 'm7g.large'] }, ARM],
    ['no amiType: x86 instance types', { instanceTypes: ['m5.large'] }, X86],
    ['no amiType and no instance types: t3.medium', {}, X86],
    ['instance types of both architectures (EKS refuses them)', { instanceTypes: ['m5.large', 'm7g.large'] }, undefined],
    ['a launch template without amiType may name its own AMI', { instanceTypes: ['m7g.large'], launchTemplate: true }, undefined],
    ['CUSTOM', { amiType: 'CUSTOM', instanceTypes: ['m7g.large'] }, undefined],
  ])('node group: %s', (_name, facts, architecture) => {
    expect(nodegroupArchitecture(facts)).toBe(architecture);
  });

  // ECS API reference, RuntimePlatform: cpuArchitecture X86_64 | ARM64; ARM64 only when set.
  test.each<[string, TaskDefinitionFacts, CpuArchitecture | undefined]>([
    ['Fargate without runtimePlatform', { requiresCompatibilities: ['FARGATE'] }, X86],
    ['Fargate, ARM64', { requiresCompatibilities: ['FARGATE'], cpuArchitecture: 'ARM64', operatingSystemFamily: 'LINUX' }, ARM],
    ['Fargate, X86_64', { requiresCompatibilities: ['FARGATE'], cpuArchitecture: 'X86_64' }, X86],
    ['Fargate or EC2', { requiresCompatibilities: ['EC2', 'FARGATE'], cpuArchitecture: 'ARM64' }, ARM],
    ['EC2 launch type: the instances decide', { requiresCompatibilities: ['EC2'], cpuArchitecture: 'ARM64' }, undefined],
    ['no compatibilities', {}, undefined],
    ['Windows', { requiresCompatibilities: ['FARGATE'], operatingSystemFamily: 'WINDOWS_SERVER_2022_CORE' }, undefined],
    ['an unknown value', { requiresCompatibilities: ['FARGATE'], cpuArchitecture: 'RISCV' }, undefined],
  ])('ECS task definition: %s', (_name, facts, architecture) => {
    expect(fargateArchitecture(facts)).toBe(architecture);
  });

  // Lambda API reference, CreateFunction, Architectures: arm64 or x86_64, default x86_64.
  test.each<[string[] | undefined, CpuArchitecture | undefined]>([
    [undefined, X86], [[], X86], [['x86_64'], X86], [['arm64'], ARM], [['mips'], undefined], [['x86_64', 'arm64'], undefined],
  ])('Lambda architectures %j: %s', (architectures, architecture) => {
    expect(lambdaArchitecture(architectures)).toBe(architecture);
  });

  test.each<[ImagePlatform, CpuArchitecture, string]>([
    [ImagePlatform.LINUX_AMD64, X86, 'ImagePlatform.LINUX_AMD64'],
    [ImagePlatform.LINUX_ARM64, ARM, 'ImagePlatform.LINUX_ARM64'],
  ])('platform %s runs on %s, and is what to build for it', (platform, architecture, member) => {
    expect(platformArchitecture(platform)).toBe(architecture);
    expect(platformFor(architecture)).toEqual({ platform, member });
  });
});

describe('image references', () => {
  const ref = { Ref: 'AWS::AccountId' };
  test.each<[string, unknown, string]>([
    ['a literal', '111111111111.dkr.ecr.eu-west-1.amazonaws.com/platform/catalog:dev', '111111111111.dkr.ecr.eu-west-1.amazonaws.com/platform/catalog:dev'],
    ['Fn::Join', { 'Fn::Join': ['', [ref, '.dkr.ecr.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }, '/platform/catalog:dev']] }, `${TOKEN_PLACEHOLDER}.dkr.ecr.${TOKEN_PLACEHOLDER}.${TOKEN_PLACEHOLDER}/platform/catalog:dev`],
    ['Fn::Sub with variables and a literal ${!}', { 'Fn::Sub': ['${AWS::AccountId}.dkr.ecr.${R}.x/${Name}@${!d}', { R: 'eu-west-1', Name: 'platform/catalog' }] }, `${TOKEN_PLACEHOLDER}.dkr.ecr.eu-west-1.x/platform/catalog@\${d}`],
    ['another intrinsic', { 'Fn::ImportValue': 'Image' }, TOKEN_PLACEHOLDER],
  ])('flattened: %s', (_name, value, text) => {
    expect(flattenValue(value)).toBe(text);
  });

  test.each<[string, string, boolean]>([
    ['<token>.dkr.ecr.<token>.<token>/platform/catalog:dev', 'platform/catalog', true],
    ['<token>.dkr.ecr.<token>.<token>/platform/catalog@sha256:00', 'platform/catalog', true],
    ['<token>.dkr.ecr.<token>.<token>/platform/catalog-v2:dev', 'platform/catalog', false],
    ['<token>.dkr.ecr.<token>.<token>/platform/catalog:dev', 'catalog', false],
    ['<token>.dkr.ecr.<token>.<token>/platform/catalog', 'platform/catalog', false],
    ['<token>', 'platform/catalog', false],
  ])('%s names %s: %s', (image, name, names) => {
    expect(imageOfRepository(image, name)).toBe(names);
  });

  test('a manifest\'s images: every container, init container and ephemeral container of every pod spec', () => {
    expect(manifestImages([
      { kind: 'Deployment', spec: { template: { spec: { initContainers: [{ image: 'a' }], containers: [{ image: 'b' }, { name: 'no image' }] } } } },
      { kind: 'CronJob', spec: { jobTemplate: { spec: { template: { spec: { containers: [{ image: 'c' }], ephemeralContainers: [{ image: 'd' }] } } } } } },
      { kind: 'Service', spec: { ports: [{ port: 80 }] } },
    ]).sort()).toEqual(['a', 'b', 'c', 'd']);
  });
});

/** A registry stack with the catalog's repository and its build, and an app to put consumers in. */
function registry(platforms?: ImagePlatform[], repositoryName = 'platform/catalog') {
  const app = new App();
  const stack = new Stack(app, 'Registry', { env: ENV });
  const repository = new ImageRepository(stack, 'Repository', { repositoryName });
  const build = new ImageBuildProject(stack, 'Build', { repository, source: codebuild.Source.gitHub({ owner: 'example-org', repo: 'catalog' }), platforms });
  return { app, stack, repository, build };
}

/** A workload stack of the app, pulling `platform/catalog` by name (as the reference workloads do). */
function workloads(app: App, env: { account?: string; region?: string } | undefined = ENV) {
  const stack = new Stack(app, 'Workloads', { env });
  return { stack, repository: ecr.Repository.fromRepositoryName(stack, 'Catalog', 'platform/catalog') };
}

/** A Kubernetes manifest as aws-eks-v2 applies it (its Manifest is the JSON of the manifests) and a managed node group. */
function eksWorkload(stack: Stack, image: string, nodegroup: Partial<eks.CfnNodegroupProps>, cluster = 'team') {
  new eks.CfnNodegroup(stack, 'Nodes', { clusterName: cluster, nodeRole: 'arn:aws:iam::111111111111:role/nodes', subnets: ['subnet-1'], ...nodegroup });
  new CustomResource(stack, 'Workload', {
    serviceToken: 'arn:aws:lambda:eu-west-1:111111111111:function:kubectl',
    resourceType: 'Custom::AWSCDK-EKS-KubernetesResource',
    properties: {
      ClusterName: cluster,
      Manifest: stack.toJsonString([{ apiVersion: 'apps/v1', kind: 'Deployment', spec: { template: { spec: { containers: [{ name: 'app', image }] } } } }]),
    },
  });
}

function fargateTask(stack: Stack, image: ecs.ContainerImage, runtimePlatform?: ecs.RuntimePlatform) {
  new ecs.FargateTaskDefinition(stack, 'Task', { runtimePlatform }).addContainer('app', { image });
}

const FIX_ARM = "Add ImagePlatform.LINUX_ARM64 to the build's 'platforms'";

describe('synth: the build\'s platforms against the workloads that run its images', () => {
  test('Noncompliance 1: an arm64 node group (aws-eks-v2) runs the pods of an amd64 build', () => {
    const { app } = registry();
    const stack = new Stack(app, 'Eks', { env: ENV });
    const cluster = new eks.Cluster(stack, 'Cluster', {
      version: eks.KubernetesVersion.V1_33, defaultCapacity: 0, defaultCapacityType: eks.DefaultCapacityType.NODEGROUP, kubectlProviderOptions: { kubectlLayer: new KubectlV33Layer(stack, 'Kubectl') },
    });
    cluster.addNodegroupCapacity('Nodes', { instanceTypes: [new ec2.InstanceType('m7g.large')], amiType: eks.NodegroupAmiType.AL2023_ARM_64_STANDARD });
    const image = ecr.Repository.fromRepositoryName(stack, 'Catalog', 'platform/catalog').repositoryUriForTag('dev');
    cluster.addManifest('Workload', { apiVersion: 'apps/v1', kind: 'Deployment', spec: { template: { spec: { containers: [{ name: 'app', image }] } } } });
    expect(synthesisProblems(app)).toBe("[Registry/Build] the Kubernetes manifest 'Eks/Cluster/manifest-Workload' runs images of 'platform/catalog' "
      + "on the managed node group 'Eks/Cluster/NodegroupNodes', whose nodes are arm64 (amiType AL2023_ARM_64_STANDARD), and this build pushes "
      + 'linux/amd64 only: its pods would never start ("exec format error") while the stack reports success. '
      + `${FIX_ARM}, or give the node group x86_64 nodes (amiType and instanceTypes).`);
  });

  test('Noncompliance 2: a Fargate task definition on ARM64 runs an amd64 build', () => {
    const { app } = registry();
    const { stack, repository } = workloads(app);
    fargateTask(stack, ecs.ContainerImage.fromEcrRepository(repository, 'dev'), { cpuArchitecture: ecs.CpuArchitecture.ARM64, operatingSystemFamily: ecs.OperatingSystemFamily.LINUX });
    expect(synthesisProblems(app)).toBe("[Registry/Build] the Fargate task definition 'Workloads/Task' runs images of 'platform/catalog' on ARM64 "
      + '(runtimePlatform.cpuArchitecture), and this build pushes linux/amd64 only: its tasks would stop as they start, with "exec format error". '
      + `${FIX_ARM}, or set the task definition's runtimePlatform.cpuArchitecture to X86_64.`);
  });

  test('Noncompliance 3: a Lambda function on arm64 runs an amd64 build', () => {
    const { app } = registry();
    const { stack, repository } = workloads(app);
    new lambda.DockerImageFunction(stack, 'Function', { code: lambda.DockerImageCode.fromEcr(repository, { tagOrDigest: DIGEST }), architecture: lambda.Architecture.ARM_64 });
    expect(synthesisProblems(app)).toBe("[Registry/Build] the Lambda function 'Workloads/Function' runs images of 'platform/catalog' on arm64 "
      + '(architectures), and this build pushes linux/amd64 only: its invocations would fail with "exec format error". '
      + `${FIX_ARM}, or set the function's architectures to x86_64.`);
  });

  test('Noncompliance 4: the defaults (Fargate and Lambda on x86_64) against an arm64 build; account-agnostic workloads', () => {
    const { app } = registry([ImagePlatform.LINUX_ARM64]);
    const { stack, repository } = workloads(app, undefined);
    fargateTask(stack, ecs.ContainerImage.fromEcrRepository(repository, 'dev'));
    new lambda.DockerImageFunction(stack, 'Function', { code: lambda.DockerImageCode.fromEcr(repository, { tagOrDigest: DIGEST }) });
    const fix = "Add ImagePlatform.LINUX_AMD64 to the build's 'platforms'";
    expect(synthesisProblems(app)).toBe([
      "[Registry/Build] the Fargate task definition 'Workloads/Task' runs images of 'platform/catalog' on X86_64 (Fargate's default: no "
      + 'runtimePlatform.cpuArchitecture), and this build pushes linux/arm64 only: its tasks would stop as they start, with "exec format error". '
      + `${fix}, or set the task definition's runtimePlatform.cpuArchitecture to ARM64.`,
      "[Registry/Build] the Lambda function 'Workloads/Function' runs images of 'platform/catalog' on x86_64 (Lambda's default: no architectures), "
      + 'and this build pushes linux/arm64 only: its invocations would fail with "exec format error". '
      + `${fix}, or set the function's architectures to arm64.`,
    ].join('\n'));
  });

  test('Noncompliance 5: no amiType: EKS picks the AMI of the instance types, Graviton here', () => {
    const { app } = registry();
    const { stack, repository } = workloads(app);
    eksWorkload(stack, repository.repositoryUriForTag('dev'), { instanceTypes: ['c7g.large'] });
    expect(synthesisProblems(app)).toBe("[Registry/Build] the Kubernetes manifest 'Workloads/Workload' runs images of 'platform/catalog' on the "
      + "managed node group 'Workloads/Nodes', whose nodes are arm64 (no amiType: EKS picks the AMI of instance types c7g.large), and this build "
      + 'pushes linux/amd64 only: its pods would never start ("exec format error") while the stack reports success. '
      + `${FIX_ARM}, or give the node group x86_64 nodes (amiType and instanceTypes).`);
  });

  test('Noncompliance 6: a consumer in the build\'s own stack holds the repository by reference', () => {
    const { app, stack, repository } = registry();
    fargateTask(stack, ecs.ContainerImage.fromEcrRepository(repository, 'dev'), { cpuArchitecture: ecs.CpuArchitecture.ARM64 });
    expect(synthesisProblems(app)).toContain("[Registry/Build] the Fargate task definition 'Registry/Task' runs images of 'platform/catalog' on ARM64");
  });

  test('Noncompliance 8: a consumer in another stack holding the repository by a cross-stack reference (an import of its name)', () => {
    const { app, repository } = registry();
    const { stack } = workloads(app);
    fargateTask(stack, ecs.ContainerImage.fromEcrRepository(repository, 'dev'), { cpuArchitecture: ecs.CpuArchitecture.ARM64 });
    expect(synthesisProblems(app)).toContain("[Registry/Build] the Fargate task definition 'Workloads/Task' runs images of 'platform/catalog' on ARM64");
  });

  test('Noncompliance 7: a Lambda function on a multi-architecture build\'s index, which Lambda does not run', () => {
    const { app } = registry([ImagePlatform.LINUX_AMD64, ImagePlatform.LINUX_ARM64]);
    const { stack, repository } = workloads(app);
    new lambda.DockerImageFunction(stack, 'Function', { code: lambda.DockerImageCode.fromEcr(repository, { tagOrDigest: DIGEST }), architecture: lambda.Architecture.ARM_64 });
    expect(synthesisProblems(app)).toBe("[Registry/Build] the Lambda function 'Workloads/Function' runs images of 'platform/catalog', and this build "
      + 'pushes them as one multi-architecture image index (linux/amd64, linux/arm64), which Lambda does not run. Build the function\'s images '
      + 'for linux/arm64 only (a build of their own), or run the per-platform image (the commit tag with -arm64).');
  });

  test('Compliance 8: a Lambda function on the per-platform image of a multi-architecture build', () => {
    const { app } = registry([ImagePlatform.LINUX_AMD64, ImagePlatform.LINUX_ARM64]);
    const { stack, repository } = workloads(app);
    new lambda.DockerImageFunction(stack, 'Function', { code: lambda.DockerImageCode.fromEcr(repository, { tagOrDigest: 'sha-1a2b3c4-amd64' }) });
    expect(synthesisProblems(app)).toBe('');
  });

  test('Compliance 1: a multi-architecture build runs on an arm64 node group and on x86_64 Fargate', () => {
    const { app } = registry([ImagePlatform.LINUX_AMD64, ImagePlatform.LINUX_ARM64]);
    const { stack, repository } = workloads(app);
    eksWorkload(stack, repository.repositoryUriForTag('dev'), { amiType: 'AL2023_ARM_64_STANDARD' });
    fargateTask(stack, ecs.ContainerImage.fromEcrRepository(repository, 'dev'));
    expect(synthesisProblems(app)).toBe('');
  });

  test('Compliance 2: an arm64 build on arm64 consumers', () => {
    const { app } = registry([ImagePlatform.LINUX_ARM64]);
    const { stack, repository } = workloads(app);
    eksWorkload(stack, repository.repositoryUriForTag('dev'), { instanceTypes: ['m7g.large'] });
    new lambda.DockerImageFunction(stack, 'Function', { code: lambda.DockerImageCode.fromEcr(repository, { tagOrDigest: DIGEST }), architecture: lambda.Architecture.ARM_64 });
    expect(synthesisProblems(app)).toBe('');
  });

  test.each<[string, Partial<eks.CfnNodegroupProps>]>([
    ['a CUSTOM AMI', { amiType: 'CUSTOM', instanceTypes: ['m7g.large'] }],
    ['a launch template without amiType (its own AMI)', { instanceTypes: ['m7g.large'], launchTemplate: { id: 'lt-0123456789abcdef0' } }],
    ['instance types of no known name', { instanceTypes: ['mac2.metal'] }],
  ])('Compliance 3: what the template does not tell is skipped: %s', (_name, nodegroup) => {
    const { app } = registry();
    const { stack, repository } = workloads(app);
    eksWorkload(stack, repository.repositoryUriForTag('dev'), nodegroup);
    expect(synthesisProblems(app)).toBe('');
  });

  test('Compliance 4: an EC2 task definition runs on the instances of its cluster, which it does not name', () => {
    const { app } = registry();
    const { stack, repository } = workloads(app);
    new ecs.Ec2TaskDefinition(stack, 'Task').addContainer('app', { image: ecs.ContainerImage.fromEcrRepository(repository, 'dev'), memoryLimitMiB: 256 });
    expect(synthesisProblems(app)).toBe('');
  });

  test('Compliance 5: a repository name that is a token is not checked', () => {
    const app = new App();
    const stack = new Stack(app, 'Registry', { env: ENV });
    const name = new CfnParameter(stack, 'RepositoryName').valueAsString;
    new ImageBuildProject(stack, 'Build', { repository: ecr.Repository.fromRepositoryName(stack, 'Repository', name), source: codebuild.Source.gitHub({ owner: 'o', repo: 'r' }) });
    const { stack: other, repository } = workloads(app);
    fargateTask(other, ecs.ContainerImage.fromEcrRepository(repository, 'dev'), { cpuArchitecture: ecs.CpuArchitecture.ARM64 });
    expect(synthesisProblems(app)).toBe('');
  });

  test('Compliance 6: other repositories\' consumers, and node groups of another cluster, are not this build\'s', () => {
    const { app } = registry(undefined, 'platform/storefront');
    const { stack, repository } = workloads(app);
    fargateTask(stack, ecs.ContainerImage.fromEcrRepository(repository, 'dev'), { cpuArchitecture: ecs.CpuArchitecture.ARM64 });
    const { app: app2 } = registry();
    const { stack: stack2, repository: repository2 } = workloads(app2);
    eksWorkload(stack2, repository2.repositoryUriForTag('dev'), { amiType: 'AL2023_ARM_64_STANDARD', clusterName: 'other' });
    expect([synthesisProblems(app), synthesisProblems(app2)]).toEqual(['', '']);
  });

  test('Compliance 7: an ImageFunction given the build checks itself, once', () => {
    const { app, build } = registry();
    const { stack, repository } = workloads(app);
    new ImageFunction(stack, 'Function', { repository, imageDigest: DIGEST, buildProject: build, architecture: lambda.Architecture.ARM_64 });
    expect(synthesisProblems(app)).toBe("[Workloads/Function] prop 'architecture': got \"arm64\"; does not match the image, built for linux/amd64. "
      + "Use lambda.Architecture.X86_64, or build for the function's architecture.");
  });
});
