/**
 * Which CPU architecture an image runs on, by AWS's documented rules: pure functions of what a template says (no
 * constructs), each with the page it comes from. `undefined` means the template does not tell (a custom AMI, an EC2
 * launch type, a value this module does not know): callers skip what they cannot know rather than guess.
 */
import { ImagePlatform } from './options';

/** A CPU architecture, as Lambda names it (`x86_64`, `arm64`). */
export enum CpuArchitecture {
  /** 64-bit x86 (Intel, AMD). */
  X86_64 = 'x86_64',
  /** 64-bit ARM (AWS Graviton). */
  ARM64 = 'arm64',
}

/**
 * The architecture of each platform an image build pushes. OCI image index, "platform.architecture": values are
 * Go's GOARCH, `amd64` for 64-bit x86 and `arm64` for 64-bit ARM
 * (https://github.com/opencontainers/image-spec/blob/main/image-index.md).
 */
const PLATFORM_ARCHITECTURE: Record<ImagePlatform, CpuArchitecture> = {
  [ImagePlatform.LINUX_AMD64]: CpuArchitecture.X86_64,
  [ImagePlatform.LINUX_ARM64]: CpuArchitecture.ARM64,
};

/** The architecture an image built for `platform` runs on. */
export function platformArchitecture(platform: ImagePlatform): CpuArchitecture {
  return PLATFORM_ARCHITECTURE[platform];
}

/** The platform to build for an architecture, with its name in `ImagePlatform` (for messages: `ImagePlatform.LINUX_ARM64`). */
export function platformFor(architecture: CpuArchitecture): { platform: ImagePlatform; member: string } {
  const [member, platform] = Object.entries(ImagePlatform).find(([, p]) => PLATFORM_ARCHITECTURE[p] === architecture)!;
  return { platform, member: `ImagePlatform.${member}` };
}

/**
 * The architecture of each `amiType` of an EKS managed node group: every value of the `AMITypes` enum of the EKS API
 * (CreateNodegroup, "amiType", https://docs.aws.amazon.com/eks/latest/APIReference/API_CreateNodegroup.html; the same
 * list as `AWS::EKS::Nodegroup` `AmiType`). Each name carries its architecture (`x86_64` or `ARM_64`); Windows AMIs
 * are x86_64 only. `CUSTOM` (a launch template's own AMI) says nothing: it is absent here, so unknown. A value added
 * to the enum after this table is read by the same naming (`amiTypeArchitecture`).
 */
export const AMI_TYPE_ARCHITECTURE: Readonly<Record<string, CpuArchitecture>> = {
  AL2_x86_64: CpuArchitecture.X86_64,
  AL2_x86_64_GPU: CpuArchitecture.X86_64,
  AL2_ARM_64: CpuArchitecture.ARM64,
  BOTTLEROCKET_ARM_64: CpuArchitecture.ARM64,
  BOTTLEROCKET_x86_64: CpuArchitecture.X86_64,
  BOTTLEROCKET_ARM_64_FIPS: CpuArchitecture.ARM64,
  BOTTLEROCKET_x86_64_FIPS: CpuArchitecture.X86_64,
  BOTTLEROCKET_ARM_64_NVIDIA: CpuArchitecture.ARM64,
  BOTTLEROCKET_x86_64_NVIDIA: CpuArchitecture.X86_64,
  WINDOWS_CORE_2019_x86_64: CpuArchitecture.X86_64,
  WINDOWS_FULL_2019_x86_64: CpuArchitecture.X86_64,
  WINDOWS_CORE_2022_x86_64: CpuArchitecture.X86_64,
  WINDOWS_FULL_2022_x86_64: CpuArchitecture.X86_64,
  AL2023_x86_64_STANDARD: CpuArchitecture.X86_64,
  AL2023_ARM_64_STANDARD: CpuArchitecture.ARM64,
  AL2023_x86_64_NEURON: CpuArchitecture.X86_64,
  AL2023_x86_64_NVIDIA: CpuArchitecture.X86_64,
  AL2023_ARM_64_NVIDIA: CpuArchitecture.ARM64,
};

/**
 * The architecture of an EKS `amiType`: the table's, else the architecture its name carries (`_x86_64`, `_ARM_64`, as
 * every value of the enum does), else unknown (`CUSTOM`).
 */
export function amiTypeArchitecture(amiType: string): CpuArchitecture | undefined {
  if (Object.prototype.hasOwnProperty.call(AMI_TYPE_ARCHITECTURE, amiType)) return AMI_TYPE_ARCHITECTURE[amiType];
  if (/(^|_)x86_64(_|$)/i.test(amiType)) return CpuArchitecture.X86_64;
  if (/(^|_)ARM_64(_|$)/i.test(amiType)) return CpuArchitecture.ARM64;
  return undefined;
}

/**
 * The instance type EKS uses when a node group names none. CreateNodegroup, "instanceTypes": "If you don't specify
 * an instance type in a launch template or for instanceTypes, then t3.medium is used, by default."
 */
export const EKS_DEFAULT_INSTANCE_TYPE = 't3.medium';

/**
 * The architecture of an EC2 instance type, from its name. Amazon EC2 Instance Types, "Amazon EC2 instance type naming
 * conventions" (https://docs.aws.amazon.com/ec2/latest/instancetypes/instance-type-names.html): a name is the
 * family (`m`, `c`, `im`, ...), the generation (a number), then processor family and capability letters, then
 * `.size`; the processor letter `g` is "AWS Graviton processors" (64-bit ARM), `a` AMD and `i` Intel (x86_64). So a
 * `g` among the letters after the generation is arm64: m6g, m7g, c6gn, c7gd, t4g, r8g, x2gd, im4gn, is4gen, g5g,
 * hpc7g (https://aws.amazon.com/ec2/graviton/ lists the Graviton instances). The first-generation `a1` (AWS Graviton,
 * family `a`) is arm64 too. Any other name is x86_64; Mac instances (`mac*`) and names of no such shape are unknown.
 */
export function instanceTypeArchitecture(instanceType: string): CpuArchitecture | undefined {
  const parts = /^([a-z]+)(\d+)([a-z0-9-]*)(\.[a-z0-9-]+)?$/.exec(instanceType.trim().toLowerCase());
  if (!parts) return undefined;
  const [, family, , letters] = parts;
  if (family === 'mac') return undefined;
  return family === 'a' || letters.includes('g') ? CpuArchitecture.ARM64 : CpuArchitecture.X86_64;
}

/** What a managed node group's template says about its nodes. */
export interface NodegroupFacts {
  /** `AmiType`, when given. */
  readonly amiType?: string;
  /** `InstanceTypes`, when given. */
  readonly instanceTypes?: readonly string[];
  /** Whether the node group has a launch template (which may name an AMI of its own). */
  readonly launchTemplate?: boolean;
}

/**
 * The architecture of an EKS managed node group's nodes. With an `amiType`, the AMI's (`AMI_TYPE_ARCHITECTURE`).
 * Without one, EKS picks the EKS-optimized AMI for the instance types (CreateNodegroup, "amiType": GPU instance types
 * take a GPU AMI type, Arm instances an ARM_64 one; with a launch template whose AMI is custom, `amiType` must be left
 * out, so a launch template without `amiType` is unknown), and the instance types decide: all arm64 or all x86_64
 * (EKS does not mix architectures in a node group), `t3.medium` when none is named.
 */
export function nodegroupArchitecture(facts: NodegroupFacts): CpuArchitecture | undefined {
  if (facts.amiType !== undefined) return amiTypeArchitecture(facts.amiType);
  if (facts.launchTemplate) return undefined;
  const types = facts.instanceTypes?.length ? facts.instanceTypes : [EKS_DEFAULT_INSTANCE_TYPE];
  const architectures = new Set(types.map(instanceTypeArchitecture));
  return architectures.size === 1 ? [...architectures][0] : undefined;
}

/** What an ECS task definition's template says about where its tasks run. */
export interface TaskDefinitionFacts {
  /** `RequiresCompatibilities` (`FARGATE`, `EC2`, ...). */
  readonly requiresCompatibilities?: readonly string[];
  /** `RuntimePlatform.CpuArchitecture`. */
  readonly cpuArchitecture?: string;
  /** `RuntimePlatform.OperatingSystemFamily`. */
  readonly operatingSystemFamily?: string;
}

/**
 * The architecture of an ECS task definition's tasks on Fargate. ECS API, "RuntimePlatform", "cpuArchitecture"
 * (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RuntimePlatform.html): "Valid Values: X86_64 | ARM64";
 * "You can run your Linux tasks on an ARM-based platform by setting the value to ARM64. This option is available for
 * tasks that run on Linux Amazon EC2 instance or Linux containers on Fargate." ARM64 is opt-in: a Fargate task
 * definition without it runs on X86_64 (aws-cdk-lib's `FargateTaskDefinition` leaves the field out unless
 * `runtimePlatform` is given). Other launch types run on whatever instances the cluster has, which the task definition
 * does not name: unknown. So are operating systems other than Linux, and values of no known name.
 */
export function fargateArchitecture(facts: TaskDefinitionFacts): CpuArchitecture | undefined {
  if (!facts.requiresCompatibilities?.includes('FARGATE')) return undefined;
  if (facts.operatingSystemFamily !== undefined && facts.operatingSystemFamily !== 'LINUX') return undefined;
  const value = facts.cpuArchitecture ?? 'X86_64';
  return value === 'X86_64' ? CpuArchitecture.X86_64 : value === 'ARM64' ? CpuArchitecture.ARM64 : undefined;
}

/**
 * The architecture of a Lambda function. Lambda API, CreateFunction, "Architectures"
 * (https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html) and FunctionConfiguration: "The instruction
 * set architecture that the function supports. Architecture is a string array with one of the valid values. The
 * default architecture value is x86_64." The valid values are arm64 and x86_64 (Lambda Developer Guide, "Selecting and
 * configuring an instruction set architecture", https://docs.aws.amazon.com/lambda/latest/dg/foundation-arch.html).
 */
export function lambdaArchitecture(architectures?: readonly string[]): CpuArchitecture | undefined {
  const value = architectures?.length ? architectures : ['x86_64'];
  if (value.length !== 1) return undefined;
  return value[0] === 'x86_64' ? CpuArchitecture.X86_64 : value[0] === 'arm64' ? CpuArchitecture.ARM64 : undefined;
}
