import * as eks from 'aws-cdk-lib/aws-eks-v2';
import { ImagePlatform } from '../../src';
import {
  AMI_TYPE_ARCHITECTURE, amiTypeArchitecture, CpuArchitecture, fargateArchitecture, instanceTypeArchitecture, lambdaArchitecture,
  nodegroupArchitecture, NodegroupFacts, platformArchitecture, platformFor, TaskDefinitionFacts,
} from '../../src/image-build/architecture';

const { X86_64: X86, ARM64: ARM } = CpuArchitecture;

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

  test('aws-cdk-lib\'s NodegroupAmiType values are all in the table, CUSTOM aside', () => {
    const values = Object.values(eks.NodegroupAmiType).filter((v) => v !== 'CUSTOM');
    expect(values.filter((v) => !(v in AMI_TYPE_ARCHITECTURE))).toEqual([]);
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
