// Draws the reference platform's architecture from what it synthesizes: `npx ts-node --transpile-only scripts/diagram.ts`
// writes docs/architecture.dot and renders docs/architecture.png with Graphviz (`dot`, apt package graphviz).
// Nodes are the resources that matter (repositories, builds, topic, rules, parameters, clusters, services, load
// balancers), edges come from the templates: Ref/Fn::GetAtt references, IAM policy statements (who may push, pull,
// read or write what) and the repository names in the workload stacks' images. Nothing is drawn by hand, so a change
// to the stacks changes the picture; test/reference/diagram.test.ts fails when the committed DOT file is stale.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { KubectlV33Layer } from '@aws-cdk/lambda-layer-kubectl-v33';
import { App, CfnResource, Stack } from 'aws-cdk-lib';
import { ReferencePlatform } from '../src/reference';

const ROOT = path.join(__dirname, '..');
export const DOT_FILE = path.join(ROOT, 'docs', 'architecture.dot');
export const PNG_FILE = path.join(ROOT, 'docs', 'architecture.png');

/** One resource of a synthesized template. */
interface Resource {
  /** `<stack>/<logical id>`: the DOT node id. */
  readonly id: string;
  readonly stack: string;
  readonly logicalId: string;
  readonly type: string;
  readonly props: Record<string, any>;
  /** Construct path inside its stack, for example `storefrontBuild/Project`. */
  readonly path: string;
}

/** How a resource type is drawn; types not listed are not drawn (roles, keys, log groups, subnets, ...). */
interface Shape {
  readonly kind: (props: Record<string, any>) => string;
  /** The property holding the resource's name, when it has a literal one. */
  readonly nameProperty?: string;
  readonly shape: string;
  readonly fill: string;
  /** Drawn only when this holds. */
  readonly when?: (props: Record<string, any>) => boolean;
}

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1).toLowerCase();

const SHAPES: Record<string, Shape> = {
  'AWS::ECR::Repository': { kind: () => 'ECR repository', nameProperty: 'RepositoryName', shape: 'cylinder', fill: '#fde7c8' },
  'AWS::ECR::PullThroughCacheRule': { kind: (p) => `Pull-through cache of ${p.UpstreamRegistryUrl}`, nameProperty: 'EcrRepositoryPrefix', shape: 'cylinder', fill: '#fde7c8' },
  'AWS::ECR::RepositoryCreationTemplate': {
    kind: (p) => `Creation template (${([] as string[]).concat(p.AppliedFor ?? []).map((a) => a.toLowerCase().replace(/_/g, ' ')).join(', ')})`,
    nameProperty: 'Prefix',
    shape: 'note',
    fill: '#fde7c8',
  },
  'AWS::ECR::RegistryScanningConfiguration': { kind: (p) => `Registry scanning (${String(p.ScanType).toLowerCase()})`, shape: 'box', fill: '#fde7c8' },
  'AWS::ECR::ReplicationConfiguration': { kind: () => 'Registry replication', shape: 'box', fill: '#fde7c8' },
  'AWS::CodeBuild::Project': { kind: () => 'CodeBuild project', nameProperty: 'Name', shape: 'box', fill: '#dbeafe' },
  'AWS::CodePipeline::Pipeline': {
    kind: (p) => `CodePipeline ${p.PipelineType ?? 'V1'}: ${(p.Stages ?? []).map((stage: any) => stage.Name).join(' → ')}`,
    nameProperty: 'Name',
    shape: 'box',
    fill: '#dbeafe',
  },
  'AWS::CodeConnections::Connection': { kind: (p) => `CodeConnections connection (${p.ProviderType})`, nameProperty: 'ConnectionName', shape: 'box', fill: '#dbeafe' },
  'AWS::SNS::Topic': { kind: (p) => `SNS topic${p.KmsMasterKeyId ? ' (KMS)' : ''}`, nameProperty: 'TopicName', shape: 'box', fill: '#fce7f3' },
  'AWS::Events::Rule': { kind: () => 'EventBridge rule', nameProperty: 'Name', shape: 'box', fill: '#fce7f3' },
  // Named parameters are what other systems read; unnamed ones are internal (a readiness barrier, for example).
  'AWS::SSM::Parameter': { kind: () => 'SSM parameter', nameProperty: 'Name', shape: 'note', fill: '#f3f4f6', when: (p) => p.Name !== undefined },
  'AWS::ECS::Cluster': { kind: () => 'ECS cluster', nameProperty: 'ClusterName', shape: 'box3d', fill: '#dcfce7' },
  'AWS::ECS::Service': { kind: (p) => `ECS service${p.LaunchType ? ` (${capitalize(String(p.LaunchType))})` : ''}`, nameProperty: 'ServiceName', shape: 'box', fill: '#dcfce7' },
  'AWS::ElasticLoadBalancingV2::LoadBalancer': {
    kind: (p) => `${p.Type === 'network' ? 'Network' : 'Application'} Load Balancer${p.Scheme === 'internal' ? ' (internal)' : ''}`,
    nameProperty: 'Name',
    shape: 'box',
    fill: '#ede9fe',
  },
  'AWS::EKS::Cluster': { kind: (p) => `EKS cluster${p.Version ? ` ${p.Version}` : ''}`, nameProperty: 'Name', shape: 'box3d', fill: '#dcfce7' },
  'AWS::EKS::Nodegroup': { kind: () => 'EKS node group', nameProperty: 'NodegroupName', shape: 'box', fill: '#dcfce7' },
  'Custom::AWSCDK-EKS-KubernetesResource': { kind: () => 'Kubernetes manifest', shape: 'component', fill: '#dcfce7' },
  // Functions that run an image are workloads; CDK's own handlers (zip) are plumbing.
  'AWS::Lambda::Function': {
    kind: (p) => `Lambda function (${([] as string[]).concat(p.Architectures ?? ['x86_64']).join(', ')})`,
    nameProperty: 'FunctionName',
    shape: 'box',
    fill: '#dcfce7',
    when: (p) => p.PackageType === 'Image',
  },
};

const escape = (s: string) => s.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
const quote = (s: string) => `"${escape(s)}"`;
/** A multi-line DOT label: lines centred (`\n`) or left-aligned (`\l`). */
const dotLabel = (lines: string[], align: '\\n' | '\\l' = '\\n') => lines.map(escape).join(align) + (align === '\\l' ? align : '');
const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Whether a resource is drawn as a node. */
function isDrawn(r: Resource): boolean {
  const shape = SHAPES[r.type];
  return shape !== undefined && (shape.when?.(r.props) ?? true);
}

/** Resources a drawn resource reaches its IAM roles through (an ECS service runs with its task definition's roles). */
const ROLE_CARRIERS = new Set(['AWS::ECS::TaskDefinition']);

interface Edge {
  readonly from: string;
  readonly to: string;
  readonly labels: Set<string>;
  readonly crossStack: boolean;
}

/** The reference app with the props app/main.ts gives it by default (cdk.json's context), without compliance plugins. */
export function referenceApp(outdir: string): App {
  const cdkJson = JSON.parse(fs.readFileSync(path.join(ROOT, 'cdk.json'), 'utf8')) as { context?: Record<string, unknown> };
  const context = cdkJson.context ?? {};
  const app = new App({ outdir, context });
  const text = (key: string) => context[key] as string | undefined;
  const json = <T>(key: string): T | undefined => (typeof context[key] === 'string' ? JSON.parse(context[key] as string) : context[key]) as T | undefined;
  const registryAccount = text('registryAccount');
  const registryRegion = text('registryRegion');
  new ReferencePlatform(app, {
    registryEnv: registryAccount || registryRegion ? { account: registryAccount, region: registryRegion } : undefined,
    environments: json<string[]>('environments'),
    replicaRegions: json<string[]>('replicaRegions'),
    githubOwner: text('githubOwner'),
    kubectlLayer: { createLayer: (scope) => new KubectlV33Layer(scope, 'KubectlLayer') },
  });
  return app;
}

/** Every resource of every synthesized template, with its construct path. */
function synthesizedResources(app: App): {
  resources: Resource[]; stacks: Map<string, { region: string; description?: string }>; exports: Map<string, string>;
} {
  const paths = new Map<string, string>();
  for (const construct of app.node.findAll()) {
    if (!CfnResource.isCfnResource(construct)) continue;
    const stack = Stack.of(construct);
    const relative = construct.node.path.slice(stack.node.path.length + 1).replace(/(\/(Resource|Default))+$/, '').replace(/(^|\/)([^/]+)\/\2$/, '$1$2');
    paths.set(`${stack.artifactId}/${stack.resolve(construct.logicalId)}`, relative);
  }
  const assembly = app.synth();
  const resources: Resource[] = [];
  const stacks = new Map<string, { region: string; description?: string }>();
  // Export name -> the resource id (`<stack>/<logical id>`) its value refers to.
  const exports = new Map<string, string>();
  for (const artifact of assembly.stacks) {
    const template = artifact.template as {
      Description?: string;
      Resources?: Record<string, { Type: string; Properties?: Record<string, any> }>;
      Outputs?: Record<string, { Value: unknown; Export?: { Name: string } }>;
    };
    for (const output of Object.values(template.Outputs ?? {}).filter((o) => o.Export)) {
      const [target] = references(output.Value);
      if (target) exports.set(output.Export!.Name, `${artifact.id}/${target}`);
    }
    stacks.set(artifact.id, { region: artifact.environment.region, description: template.Description });
    for (const [logicalId, r] of Object.entries(template.Resources ?? {})) {
      const id = `${artifact.id}/${logicalId}`;
      resources.push({ id, stack: artifact.id, logicalId, type: r.Type, props: r.Properties ?? {}, path: paths.get(id) ?? logicalId });
    }
  }
  return { resources, stacks, exports };
}

/** Logical ids a value refers to through Ref, Fn::GetAtt and Fn::Sub (pseudo parameters excluded). */
function references(value: unknown, out: Set<string> = new Set()): Set<string> {
  if (Array.isArray(value)) {
    value.forEach((v) => references(v, out));
  } else if (value !== null && typeof value === 'object') {
    for (const [key, arg] of Object.entries(value as Record<string, unknown>)) {
      if (key === 'Ref' && typeof arg === 'string' && !arg.startsWith('AWS::')) {out.add(arg);} else if (key === 'Fn::GetAtt') {out.add(Array.isArray(arg) ? String(arg[0]) : String(arg).split('.')[0]);} else if (key === 'Fn::Sub') {
        const text = Array.isArray(arg) ? arg[0] : arg;
        for (const match of String(text).matchAll(/\$\{([A-Za-z0-9]+)[.}]/g)) out.add(match[1]);
        if (Array.isArray(arg)) references(arg[1], out);
      } else {references(arg, out);}
    }
  }
  return out;
}

/**
 * A value as text for labels and name matching: literals kept, pseudo parameters as `${AWS::...}`, a Ref to a resource
 * with a literal name as that name, anything else unresolvable as `?`.
 */
function render(value: unknown, stackResources: Map<string, Resource>): string {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === null || typeof value !== 'object') return '?';
  const [[fn, arg]] = Object.entries(value as Record<string, unknown>);
  if (fn === 'Ref') {
    const target = stackResources.get(String(arg));
    if (!target) return `\${${arg}}`;
    const property = SHAPES[target.type]?.nameProperty;
    return property && typeof target.props[property] === 'string' ? target.props[property] : '?';
  }
  if (fn === 'Fn::Join' && Array.isArray(arg)) return (arg[1] as unknown[]).map((v) => render(v, stackResources)).join(String(arg[0]));
  if (fn === 'Fn::Sub') return String(Array.isArray(arg) ? arg[0] : arg);
  // A conditional image (a workload before its first release runs nothing): what it runs once released.
  if (fn === 'Fn::If' && Array.isArray(arg)) return render(arg[1], stackResources);
  return '?';
}

/** What a set of IAM actions lets a principal do to a resource, in a word or two. */
function verbs(actions: string[]): string[] {
  const out = new Set<string>();
  for (const action of actions) {
    const [service, name = ''] = action.toLowerCase().split(':');
    if (service === 'ecr' && /^(putimage|initiatelayerupload|uploadlayerpart|completelayerupload|\*)$/.test(name)) out.add('push');
    if (service === 'ecr' && /^(batchgetimage|getdownloadurlforlayer|\*)$/.test(name)) out.add('pull');
    // Other ECR actions (the registry login, describing images and findings) are not a data flow worth drawing.
    if (service !== 'ecr') out.add(/^(get|describe|list|batchget)/.test(name) ? 'read' : name === 'publish' ? 'publish' : 'write');
  }
  return [...out].sort();
}

/** The graph: drawn resources, VPC membership and edges. */
function buildGraph(resources: Resource[], regions: Map<string, string>, exports: Map<string, string>) {
  const byStack = new Map<string, Map<string, Resource>>();
  for (const r of resources) {
    if (!byStack.has(r.stack)) byStack.set(r.stack, new Map());
    byStack.get(r.stack)!.set(r.logicalId, r);
  }
  const local = (r: Resource) => byStack.get(r.stack)!;
  const refs = (r: Resource, value: unknown = r.props) => [...references(value)].map((id) => local(r).get(id)).filter((x): x is Resource => !!x);
  const drawn = resources.filter(isDrawn);
  const edges = new Map<string, Edge>();
  const addEdge = (from: Resource, to: Resource, text: string) => {
    const key = `${from.id}\u0000${to.id}`;
    const edge = edges.get(key) ?? { from: from.id, to: to.id, labels: new Set<string>(), crossStack: from.stack !== to.stack };
    edge.labels.add(text);
    edges.set(key, edge);
  };

  // Resources an ARN or image string names, across stacks: repositories by name, parameters by name.
  const named = drawn.flatMap((r) => {
    const name = SHAPES[r.type].nameProperty ? render(r.props[SHAPES[r.type].nameProperty!], local(r)) : '?';
    return name.includes('?') ? [] : [{ r, name }];
  });
  const namedByArn = (arn: string) => named.filter(({ r, name }) =>
    (r.type === 'AWS::ECR::Repository' && arn.endsWith(`:repository/${name}`))
    || (r.type === 'AWS::ECR::PullThroughCacheRule' && arn.endsWith(`:repository/${name}/*`))
    || (r.type === 'AWS::SSM::Parameter' && arn.endsWith(`:parameter${name}`)));

  // IAM: the roles a drawn resource runs as, their policies' statements, and the drawn resources those name.
  const grants = new Map<string, { principal: Resource; target: Resource; words: Set<string> }>();
  // A pipeline's edges come from its stages (below), not from its roles' grants.
  for (const principal of drawn.filter((r) => r.type !== 'AWS::CodePipeline::Pipeline')) {
    const carriers = refs(principal).filter((r) => ROLE_CARRIERS.has(r.type));
    const roles = [principal, ...carriers].flatMap((r) => refs(r)).filter((r) => r.type === 'AWS::IAM::Role');
    for (const role of new Set(roles)) {
      const documents = [
        ...(role.props.Policies ?? []).map((p: any) => p.PolicyDocument),
        ...[...local(role).values()]
          .filter((p) => (p.type === 'AWS::IAM::Policy' || p.type === 'AWS::IAM::ManagedPolicy') && references(p.props.Roles).has(role.logicalId))
          .map((p) => p.props.PolicyDocument),
        ...refs(role, role.props.ManagedPolicyArns).filter((p) => p.type === 'AWS::IAM::ManagedPolicy').map((p) => p.props.PolicyDocument),
      ];
      for (const statement of documents.flatMap((d: any) => d?.Statement ?? [])) {
        if (statement.Effect !== 'Allow') continue;
        const words = verbs(([] as string[]).concat(statement.Action ?? []));
        const targets = ([] as unknown[]).concat(statement.Resource ?? []).flatMap((value) => [
          ...refs(role, value).filter(isDrawn),
          ...namedByArn(render(value, local(role))).map(({ r }) => r),
        ]);
        for (const target of new Set(targets)) {
          if (target === principal || words.length === 0) continue;
          const key = `${principal.id}\u0000${target.id}`;
          grants.set(key, { principal, target, words: new Set([...(grants.get(key)?.words ?? []), ...words]) });
        }
      }
    }
  }
  for (const { principal, target, words } of grants.values()) {
    // Data flows from what is only read to the reader, and from a writer to what it writes (one edge, all its verbs).
    const readOnly = [...words].every((w) => w === 'pull' || w === 'read');
    const text = [...words].sort((a, b) => (a === 'push' ? -1 : b === 'push' ? 1 : compare(a, b))).join(', ');
    if (readOnly) addEdge(target, principal, text);
    else addEdge(principal, target, text);
  }

  // Images the workloads run, found by repository name: an ECS task's containers, a Kubernetes manifest's containers.
  for (const workload of drawn) {
    const images: string[] = [];
    for (const task of refs(workload).filter((r) => r.type === 'AWS::ECS::TaskDefinition')) {
      images.push(...(task.props.ContainerDefinitions ?? []).map((c: any) => render(c.Image, local(task))));
    }
    if (workload.type === 'AWS::Lambda::Function') images.push(render(workload.props.Code.ImageUri, local(workload)));
    if (workload.props.Manifest !== undefined) {
      images.push(...[...render(workload.props.Manifest, local(workload)).matchAll(/"image":"([^"]+)"/g)].map((m) => m[1]));
    }
    for (const image of images) {
      for (const { r, name } of named.filter((n) => n.r.type === 'AWS::ECR::Repository')) {
        const match = image.match(new RegExp(`/${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}([:@].+)$`));
        if (match) addEdge(r, workload, `runs ${match[1].startsWith('@') ? 'digest' : match[1]}`);
      }
    }
  }

  // References between drawn resources that mean something.
  for (const r of drawn) {
    if (r.type === 'AWS::Events::Rule') {
      // Labelled with the event types the rule matches (EventBridge's detail-type), when it names them.
      const detailTypes = ([] as unknown[]).concat(r.props.EventPattern?.['detail-type'] ?? []).filter((t): t is string => typeof t === 'string');
      for (const source of refs(r, r.props.EventPattern).filter(isDrawn)) addEdge(source, r, detailTypes.sort(compare).join(', ') || 'events');
      for (const target of refs(r, r.props.Targets).filter(isDrawn)) addEdge(r, target, 'target');
    }
    for (const cluster of refs(r, r.props.Cluster ?? r.props.ClusterName).filter((x) => x.type === 'AWS::ECS::Cluster' || x.type === 'AWS::EKS::Cluster')) {
      addEdge(cluster, r, r.type === 'AWS::EKS::Nodegroup' ? 'nodes' : 'runs');
    }
  }
  // Pipelines: the source connection, the projects their actions run (across stacks through exports) and the ECS
  // services they deploy (by cluster and service name).
  const byId = new Map(resources.map((r) => [r.id, r]));
  const resolveRef = (from: Resource, value: any): Resource | undefined => (value?.['Fn::ImportValue'] !== undefined
    ? byId.get(exports.get(value['Fn::ImportValue']) ?? '') : refs(from, value)[0]);
  for (const pipeline of drawn.filter((r) => r.type === 'AWS::CodePipeline::Pipeline')) {
    for (const stage of pipeline.props.Stages ?? []) {
      for (const action of stage.Actions ?? []) {
        const provider = action.ActionTypeId?.Provider;
        const config = action.Configuration ?? {};
        if (provider === 'CodeStarSourceConnection') {
          const connection = resolveRef(pipeline, config.ConnectionArn);
          if (connection && isDrawn(connection)) addEdge(connection, pipeline, `source ${render(config.FullRepositoryId, local(pipeline))}`);
        }
        if (provider === 'CodeBuild') {
          const project = resolveRef(pipeline, config.ProjectName);
          if (project && isDrawn(project)) addEdge(pipeline, project, `${stage.Name}: ${action.Name}`);
          // A release sets the image parameter of the stack it names: an edge to what that stack runs.
          const released = render(config.EnvironmentVariables ?? '', local(pipeline)).match(/"name":"STACK_NAME","type":"PLAINTEXT","value":"([^"]+)"/)?.[1];
          for (const target of drawn.filter((r) => r.stack === released && (r.type === 'AWS::ECS::Service' || r.type === 'AWS::Lambda::Function'
            || r.props.Manifest !== undefined))) {
            addEdge(pipeline, target, `${stage.Name}: releases digest`);
          }
        }
        if (provider === 'ECS') {
          const cluster = render(config.ClusterName, local(pipeline));
          const service = render(config.ServiceName, local(pipeline));
          for (const target of drawn.filter((r) => r.type === 'AWS::ECS::Service' && r.props.ServiceName === service
            && refs(r, r.props.Cluster).some((c) => c.props.ClusterName === cluster))) {
            addEdge(pipeline, target, `${stage.Name}: deploys digest`);
          }
        }
      }
    }
  }

  // Replication: into the repositories of the destination regions that its filters cover (replication pushes into a
  // repository of the same name), and the creation templates whose names it covers (ECR adds '/' to a prefix).
  for (const replication of drawn.filter((r) => r.type === 'AWS::ECR::ReplicationConfiguration')) {
    for (const rule of replication.props.ReplicationConfiguration?.Rules ?? []) {
      const filters = (rule.RepositoryFilters ?? []).map((f: any) => String(f.Filter));
      const destinations = (rule.Destinations ?? []).map((d: any) => String(d.Region));
      const copied = (name: string) => filters.length === 0 || filters.some((f: string) => name.startsWith(f) || f.startsWith(name));
      for (const target of drawn.filter((t) => destinations.includes(regions.get(t.stack) ?? ''))) {
        if (target.type === 'AWS::ECR::Repository' && copied(String(target.props.RepositoryName))) addEdge(replication, target, 'replicates');
        if (target.type === 'AWS::ECR::RepositoryCreationTemplate' && copied(`${String(target.props.Prefix).replace(/\/$/, '')}/`)) addEdge(replication, target, 'replicates');
      }
    }
  }

  // Load balancer -> listener -> target group <- service.
  for (const listener of resources.filter((r) => r.type === 'AWS::ElasticLoadBalancingV2::Listener')) {
    const lbs = refs(listener, listener.props.LoadBalancerArn).filter(isDrawn);
    const groups = refs(listener, listener.props.DefaultActions).filter((x) => x.type === 'AWS::ElasticLoadBalancingV2::TargetGroup');
    for (const service of drawn.filter((s) => s.stack === listener.stack && s.type === 'AWS::ECS::Service')) {
      for (const binding of service.props.LoadBalancers ?? []) {
        if (!groups.some((g) => references(binding.TargetGroupArn).has(g.logicalId))) continue;
        for (const lb of lbs) addEdge(lb, service, `${String(listener.props.Protocol ?? '').toUpperCase()} :${listener.props.Port} → :${binding.ContainerPort}`.trim());
      }
    }
  }

  // VPCs: what is placed in their subnets or security groups.
  const vpcs = resources.filter((r) => r.type === 'AWS::EC2::VPC').map((vpc) => {
    const inVpc = (r: Resource) => refs(r).some((x) => x === vpc
      || ((x.type === 'AWS::EC2::Subnet' || x.type === 'AWS::EC2::SecurityGroup') && references(x.props.VpcId).has(vpc.logicalId)));
    const all = [...local(vpc).values()];
    const subnets = all.filter((x) => x.type === 'AWS::EC2::Subnet' && references(x.props.VpcId).has(vpc.logicalId));
    const endpoints = all.filter((x) => x.type === 'AWS::EC2::VPCEndpoint' && references(x.props.VpcId).has(vpc.logicalId))
      .map((x) => render(x.props.ServiceName, local(vpc)).replace(/^com\.amazonaws\.(\$\{AWS::Region\}|[a-z0-9-]+)\./, '')).sort();
    const internet = all.some((x) => x.type === 'AWS::EC2::InternetGateway');
    return {
      vpc,
      members: drawn.filter((r) => r.stack === vpc.stack && inVpc(r)).map((r) => r.id),
      label: [
        `VPC ${render(vpc.props.CidrBlock, local(vpc))}: ${subnets.length} subnets, ${internet ? 'internet gateway' : 'no internet gateway'}`,
        ...(endpoints.length > 0 ? [`endpoints: ${endpoints.join(', ')}`] : []),
      ],
    };
  });
  return { drawn, edges: [...edges.values()], vpcs, local };
}


/** The DOT text of an app's architecture (the app is synthesized). Sorted: the same app always gives the same text. */
export function architectureDot(app: App): string {
  const { resources, stacks, exports } = synthesizedResources(app);
  const { drawn, edges, vpcs, local } = buildGraph(resources, new Map([...stacks].map(([id, info]) => [id, info.region])), exports);
  const node = (r: Resource, indent: string) => {
    const shape = SHAPES[r.type];
    const name = shape.nameProperty ? render(r.props[shape.nameProperty], local(r)) : '?';
    const lines = [shape.kind(r.props), name.includes('?') ? r.path : name];
    if (r.props.Manifest !== undefined) {
      const objects = [...render(r.props.Manifest, local(r)).matchAll(/"kind":"([^"]+)","metadata":\{"name":"([^"]+)"/g)].map((m) => `${m[1]} ${m[2]}`);
      lines.push(...objects.sort(compare));
    }
    return `${indent}${quote(r.id)} [label="${dotLabel(lines)}", shape=${shape.shape}, fillcolor=${quote(shape.fill)}];`;
  };

  const out = [
    '// Generated by scripts/diagram.ts from the synthesized reference app: do not edit. Regenerate with',
    '// `npx ts-node --transpile-only scripts/diagram.ts` (test/reference/diagram.test.ts fails when this file is stale).',
    'digraph architecture {',
    '  graph [rankdir=LR, compound=true, fontname="Helvetica", fontsize=12, nodesep=0.35, ranksep=0.9, newrank=true];',
    '  node [fontname="Helvetica", fontsize=10, style="filled,rounded", color="#6b7280"];',
    '  edge [fontname="Helvetica", fontsize=9, color="#4b5563"];',
  ];
  for (const stack of [...stacks.keys()].sort(compare)) {
    const info = stacks.get(stack)!;
    const region = info.region && !info.region.startsWith('unknown') ? info.region : 'any region';
    out.push(`  subgraph ${quote(`cluster_${stack}`)} {`);
    out.push(`    label="${dotLabel([`${stack} stack (${region})`, ...(info.description ? [info.description] : [])], '\\l')}"; labeljust=l; style="rounded"; color="#9ca3af";`);
    const inStack = drawn.filter((r) => r.stack === stack).sort((a, b) => compare(a.id, b.id));
    const inVpc = new Set<string>();
    for (const { vpc, members, label: lines } of vpcs.filter((v) => v.vpc.stack === stack).sort((a, b) => compare(a.vpc.id, b.vpc.id))) {
      out.push(`    subgraph ${quote(`cluster_${vpc.id}`)} {`);
      out.push(`      label="${dotLabel(lines, '\\l')}"; labeljust=l; style="dashed,rounded"; color="#9ca3af"; fontsize=10;`);
      for (const r of inStack.filter((x) => members.includes(x.id))) {
        out.push(node(r, '      '));
        inVpc.add(r.id);
      }
      out.push('    }');
    }
    for (const r of inStack.filter((x) => !inVpc.has(x.id))) out.push(node(r, '    '));
    out.push('  }');
  }
  for (const edge of [...edges].sort((a, b) => compare(a.from, b.from) || compare(a.to, b.to))) {
    const attributes = [`label=${quote([...edge.labels].sort(compare).join(', '))}`, ...(edge.crossStack ? ['style=dashed', 'color="#b45309"', 'fontcolor="#b45309"'] : [])];
    out.push(`  ${quote(edge.from)} -> ${quote(edge.to)} [${attributes.join(', ')}];`);
  }
  out.push('}', '');
  return out.join('\n');
}

/** Synthesizes the reference app into a temporary directory and returns its DOT text. */
export function referenceArchitectureDot(): string {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'architecture-'));
  try {
    return architectureDot(referenceApp(outdir));
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const dot = referenceArchitectureDot();
  fs.mkdirSync(path.dirname(DOT_FILE), { recursive: true });
  fs.writeFileSync(DOT_FILE, dot);
  try {
    execFileSync('dot', ['-Tpng', '-Gdpi=110', '-o', PNG_FILE, DOT_FILE], { stdio: ['ignore', 'inherit', 'inherit'] });
  } catch (error) {
    throw new Error(`rendering ${path.relative(ROOT, PNG_FILE)} failed (is Graphviz installed? \`apt-get install graphviz\`): ${(error as Error).message}`);
  }
  console.log(`${path.relative(ROOT, DOT_FILE)} and ${path.relative(ROOT, PNG_FILE)} written`);
}
