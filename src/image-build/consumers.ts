import { CfnResource, Stack, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { CpuArchitecture, fargateArchitecture, lambdaArchitecture, nodegroupArchitecture, platformArchitecture, platformFor } from './architecture';
import { ImagePlatform } from './options';

/** What an intrinsic function (a reference, an attribute, an import) stands for in a flattened value. */
export const TOKEN_PLACEHOLDER = '<token>';

/**
 * A CloudFormation value (a literal or an intrinsic, as `Stack.resolve` returns it) as text: `Fn::Join` and `Fn::Sub`
 * are put together, `Fn::If` is its first branch, and every other intrinsic becomes `TOKEN_PLACEHOLDER` unless
 * `substitute` names its value.
 */
export function flattenValue(value: unknown, substitute: (node: unknown) => string | undefined = () => undefined): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const known = substitute(value);
  if (known !== undefined) return known;
  const node = value as Record<string, unknown> | undefined;
  if (node && Array.isArray(node['Fn::Join'])) {
    const [delimiter, parts] = node['Fn::Join'] as [string, unknown];
    return Array.isArray(parts) ? parts.map((part) => flattenValue(part, substitute)).join(delimiter) : TOKEN_PLACEHOLDER;
  }
  // A conditional image (a workload that runs nothing before its first release): the image it runs once released.
  if (node && Array.isArray(node['Fn::If'])) return flattenValue((node['Fn::If'] as unknown[])[1], substitute);
  if (node && node['Fn::Sub'] !== undefined) {
    const [template, variables] = Array.isArray(node['Fn::Sub'])
      ? node['Fn::Sub'] as [string, Record<string, unknown>]
      : [node['Fn::Sub'] as string, {}];
    if (typeof template !== 'string') return TOKEN_PLACEHOLDER;
    return template.replace(/\$\{(!?)([^}]*)\}/g, (_whole, literal: string, name: string) =>
      literal ? `\${${name}}` : (name in (variables ?? {}) ? flattenValue(variables[name], substitute) : TOKEN_PLACEHOLDER));
  }
  return TOKEN_PLACEHOLDER;
}

/**
 * Whether a flattened image reference (`<registry>/<repository>:<tag>` or `...@<digest>`) names `repositoryName`:
 * the path after the registry host is the name, followed by `:` or `@`. The registry's account and region may be
 * placeholders; a reference that is a placeholder as a whole names no repository.
 */
export function imageOfRepository(image: string, repositoryName: string): boolean {
  const slash = image.indexOf('/');
  if (slash < 0) return false;
  const path = image.slice(slash + 1);
  return path.startsWith(repositoryName) && (path[repositoryName.length] === ':' || path[repositoryName.length] === '@');
}

/** A workload of the app that runs a repository's images, on an architecture its template decides. */
export interface ImageConsumer {
  /** The construct path of the workload (a task definition, a function, a Kubernetes manifest). */
  readonly path: string;
  /** The architecture it runs images on. */
  readonly architecture: CpuArchitecture;
  /** What it is, for messages: "the Fargate task definition 'Ecs-dev/Task'". */
  readonly description: string;
  /** Where it runs, for messages: "on ARM64 (runtimePlatform.cpuArchitecture)". */
  readonly runsOn: string;
  /** What happens when the image is of another architecture. */
  readonly failure: string;
  /** How to change the consumer to an architecture the build has, for messages. */
  readonly change: (architecture: CpuArchitecture) => string;
  /**
   * The per-platform image it runs, when its reference is a tag the build gives one platform's image
   * (`<tag>-amd64`, `<tag>-arm64`); otherwise a multi-platform build's tags and digests name the image index.
   */
  readonly platformImage?: boolean;
  /** Whether it runs single-architecture images only (Lambda: "Lambda does not support multi-architecture images"). */
  readonly singleArchitectureOnly?: boolean;
}

/** Consumers checked against a build by their own construct (an `ImageFunction` given its `buildProject`). */
const checkedAgainst = new WeakMap<IConstruct, Set<IConstruct>>();

/** Records that `consumer` (a CloudFormation resource) checks its architecture against `build` itself. */
export function recordArchitectureChecked(consumer: IConstruct, build: IConstruct): void {
  const builds = checkedAgainst.get(consumer) ?? new Set<IConstruct>();
  builds.add(build);
  checkedAgainst.set(consumer, builds);
}

/** The type and properties of a resource as its template has them, with property overrides; undefined if they do not resolve. */
function rendered(resource: CfnResource): { type: string; properties: Record<string, any> } | undefined {
  try {
    // _toCloudFormation is what synthesis writes: the properties with their overrides, in CloudFormation's casing.
    const template = Stack.of(resource).resolve((resource as unknown as { _toCloudFormation(): object })._toCloudFormation()) as {
      Resources?: Record<string, { Type: string; Properties?: Record<string, any> }>;
    };
    const [entry] = Object.values(template.Resources ?? {});
    return entry ? { type: entry.Type, properties: entry.Properties ?? {} } : undefined;
  } catch {
    return undefined;
  }
}

/** The construct a user declared: the L2 around an L1 named `Resource` (and a custom resource's `Default`). */
function declaredPath(resource: IConstruct): string {
  let scope: IConstruct = resource;
  while ((scope.node.id === 'Resource' || scope.node.id === 'Default') && scope.node.scope && scope.node.scope.node.scope) scope = scope.node.scope;
  return scope.node.path;
}

const ECS_ARCHITECTURE: Record<CpuArchitecture, string> = { [CpuArchitecture.X86_64]: 'X86_64', [CpuArchitecture.ARM64]: 'ARM64' };

/** The container images in a Kubernetes manifest (or a list of them): every container of every pod spec. */
export function manifestImages(manifest: unknown): string[] {
  const images: string[] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(visit);
      return;
    }
    if (node === null || typeof node !== 'object') return;
    const record = node as Record<string, unknown>;
    for (const key of ['containers', 'initContainers', 'ephemeralContainers']) {
      const containers = record[key];
      if (Array.isArray(containers)) {
        for (const c of containers) if (c && typeof (c as { image?: unknown }).image === 'string') images.push((c as { image: string }).image);
      }
    }
    Object.values(record).forEach(visit);
  };
  visit(manifest);
  return images;
}

/** The container images of a flattened `Manifest` property: parsed as JSON, else read with a pattern. */
function manifestTextImages(text: string): string[] {
  try {
    return manifestImages(JSON.parse(text));
  } catch {
    return [...text.matchAll(/"image"\s*:\s*"([^"]*)"/g)].map((m) => m[1]);
  }
}

/**
 * Every workload of the app whose template runs an image of `repositoryName` on an architecture the template decides:
 * ECS task definitions on Fargate, Lambda functions, and Kubernetes manifests of a cluster with managed node groups
 * (once per node group of the cluster: a pod may be scheduled on any of them). `repositoryToken`, when the build's
 * repository is a resource of this app, is its name as a reference, which a consumer of the same stack holds instead
 * of the name.
 */
export function imageConsumers(root: IConstruct, build: IConstruct, repositoryName: string, repositoryToken?: string): ImageConsumer[] {
  const resources = root.node.findAll().filter((c): c is CfnResource => CfnResource.isCfnResource(c) && !checkedAgainst.get(c)?.has(build));
  const substituteIn = (scope: IConstruct) => {
    if (repositoryToken === undefined) return () => undefined;
    const reference = JSON.stringify(Stack.of(scope).resolve(repositoryToken));
    return (node: unknown) => (typeof node === 'object' && JSON.stringify(node) === reference ? repositoryName : undefined);
  };
  const names = (image: unknown, scope: IConstruct) => imageOfRepository(flattenValue(image, substituteIn(scope)), repositoryName);
  const consumers: ImageConsumer[] = [];
  const nodegroups: Array<{ resource: CfnResource; properties: Record<string, any> }> = [];
  const manifests: Array<{ resource: CfnResource; properties: Record<string, any> }> = [];

  for (const resource of resources) {
    const type = resource.cfnResourceType;
    if (type !== 'AWS::ECS::TaskDefinition' && type !== 'AWS::Lambda::Function' && type !== 'AWS::EKS::Nodegroup' && !type.startsWith('Custom::')) continue;
    const r = rendered(resource);
    if (!r) continue;
    const p = r.properties;
    if (type === 'AWS::ECS::TaskDefinition') {
      const containers: unknown[] = Array.isArray(p.ContainerDefinitions) ? p.ContainerDefinitions : [];
      if (!containers.some((c) => names((c as { Image?: unknown })?.Image, resource))) continue;
      const cpuArchitecture = p.RuntimePlatform?.CpuArchitecture;
      const architecture = fargateArchitecture({
        requiresCompatibilities: Array.isArray(p.RequiresCompatibilities) ? p.RequiresCompatibilities : undefined,
        cpuArchitecture: typeof cpuArchitecture === 'string' ? cpuArchitecture : undefined,
        operatingSystemFamily: typeof p.RuntimePlatform?.OperatingSystemFamily === 'string' ? p.RuntimePlatform.OperatingSystemFamily : undefined,
      });
      if (architecture === undefined || (cpuArchitecture !== undefined && typeof cpuArchitecture !== 'string')) continue;
      consumers.push({
        path: declaredPath(resource),
        architecture,
        description: `the Fargate task definition '${declaredPath(resource)}'`,
        runsOn: cpuArchitecture ? `on ${cpuArchitecture} (runtimePlatform.cpuArchitecture)` : 'on X86_64 (Fargate\'s default: no runtimePlatform.cpuArchitecture)',
        failure: 'its tasks would stop as they start, with "exec format error"',
        change: (a) => `set the task definition's runtimePlatform.cpuArchitecture to ${ECS_ARCHITECTURE[a]}`,
      });
    } else if (type === 'AWS::Lambda::Function') {
      if (!names(p.Code?.ImageUri, resource)) continue;
      const uri = flattenValue(p.Code.ImageUri, substituteIn(resource));
      const given = Array.isArray(p.Architectures) ? p.Architectures : undefined;
      if (given?.some((a: unknown) => typeof a !== 'string')) continue;
      const architecture = lambdaArchitecture(given);
      if (architecture === undefined) continue;
      consumers.push({
        path: declaredPath(resource),
        architecture,
        description: `the Lambda function '${declaredPath(resource)}'`,
        runsOn: given?.length ? `on ${given[0]} (architectures)` : 'on x86_64 (Lambda\'s default: no architectures)',
        failure: 'its invocations would fail with "exec format error"',
        change: (a) => `set the function's architectures to ${a}`,
        platformImage: /:[^/@]*-(amd64|arm64)$/.test(uri),
        singleArchitectureOnly: true,
      });
    } else if (type === 'AWS::EKS::Nodegroup') {
      nodegroups.push({ resource, properties: p });
    } else if (p.Manifest !== undefined && p.ClusterName !== undefined) {
      manifests.push({ resource, properties: p });
    }
  }

  for (const manifest of manifests) {
    const images = manifestTextImages(flattenValue(manifest.properties.Manifest, substituteIn(manifest.resource)));
    if (!images.some((image) => imageOfRepository(image, repositoryName))) continue;
    const stack = Stack.of(manifest.resource);
    const cluster = JSON.stringify(manifest.properties.ClusterName);
    for (const nodegroup of nodegroups.filter((n) => Stack.of(n.resource) === stack && JSON.stringify(n.properties.ClusterName) === cluster)) {
      const { AmiType: amiType, InstanceTypes: instanceTypes, LaunchTemplate: launchTemplate } = nodegroup.properties;
      if (amiType !== undefined && typeof amiType !== 'string') continue;
      if (instanceTypes !== undefined && (!Array.isArray(instanceTypes) || instanceTypes.some((t) => typeof t !== 'string'))) continue;
      const architecture = nodegroupArchitecture({ amiType, instanceTypes, launchTemplate: launchTemplate !== undefined });
      if (architecture === undefined) continue;
      const why = amiType !== undefined ? `amiType ${amiType}`
        : instanceTypes?.length ? `no amiType: EKS picks the AMI of instance types ${instanceTypes.join(', ')}` : 'no amiType or instance types: t3.medium';
      const path = declaredPath(manifest.resource);
      consumers.push({
        path,
        architecture,
        description: `the Kubernetes manifest '${path}'`,
        runsOn: `on the managed node group '${declaredPath(nodegroup.resource)}', whose nodes are ${architecture} (${why})`,
        failure: 'its pods would never start ("exec format error") while the stack reports success',
        change: (a) => `give the node group ${a} nodes (amiType and instanceTypes)`,
      });
    }
  }
  return consumers;
}

/**
 * The problems of a build whose `platforms` leave out the architecture of a workload of the app that runs its images:
 * one sentence per workload (and node group), naming both, the architectures and the fix. Nothing for a repository
 * name that is a token: no consumer can be told by it.
 */
export function architectureProblems(
  build: IConstruct, repositoryName: string | undefined, platforms: readonly ImagePlatform[], repositoryToken?: string,
): string[] {
  if (repositoryName === undefined || Token.isUnresolved(repositoryName) || platforms.length === 0) return [];
  const built = new Set(platforms.map(platformArchitecture));
  const pushes = `${platforms.join(' and ')} only`;
  const seen = new Set<string>();
  const problems: string[] = [];
  for (const consumer of imageConsumers(build.node.root, build, repositoryName, repositoryToken)) {
    // Lambda Developer Guide, container images (runtimes-images): "You need to build the function image for only one
    // architecture. Lambda does not support multi-architecture images." A multi-platform build's tags name an index.
    const index = platforms.length > 1 && consumer.singleArchitectureOnly && !consumer.platformImage
      ? `${consumer.description} runs images of '${repositoryName}', and this build pushes them as one multi-architecture image index `
        + `(${platforms.join(', ')}), which Lambda does not run. Build the function's images for ${platformFor(consumer.architecture).platform} `
        + `only (a build of their own), or run the per-platform image (the commit tag with -${platformFor(consumer.architecture).platform.split('/')[1]}).`
      : undefined;
    if (index !== undefined && !seen.has(index)) problems.push(index);
    if (index !== undefined) seen.add(index);
    if (built.has(consumer.architecture)) continue;
    const problem = `${consumer.description} runs images of '${repositoryName}' ${consumer.runsOn}, and this build pushes ${pushes}: `
      + `${consumer.failure}. Add ${platformFor(consumer.architecture).member} to the build's 'platforms', or ${consumer.change(platformArchitecture(platforms[0]))}.`;
    if (!seen.has(problem)) problems.push(problem);
    seen.add(problem);
  }
  return problems;
}
