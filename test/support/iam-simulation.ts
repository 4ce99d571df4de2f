/**
 * Access questions about a synthesized app, answered by an IAM policy simulator (@cloud-copilot/iam-simulate) the way
 * AWS evaluates a request: the principal's identity policies (inline, customer managed, AWS managed), and the resource
 * policy; across accounts both must allow. Templates are resolved as CloudFormation would resolve them, with each
 * stack's account and region. Not modelled: SCPs, permission boundaries, session policies, VPC endpoint policies.
 */
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { resolveCfn } from './cfn-resolve';

/** The documents of the AWS managed policies the reference app attaches, as AWS publishes them. */
export const AWS_MANAGED_POLICIES: Readonly<Record<string, unknown[]>> = {
  'AmazonEKSWorkerNodePolicy': [{
    Effect: 'Allow',
    Action: ['ec2:DescribeInstances', 'ec2:DescribeInstanceTypes', 'ec2:DescribeRouteTables', 'ec2:DescribeSecurityGroups', 'ec2:DescribeSubnets',
      'ec2:DescribeVolumes', 'ec2:DescribeVolumesModifications', 'ec2:DescribeVpcs', 'eks:DescribeCluster', 'eks-auth:AssumeRoleForPodIdentity'],
    Resource: '*',
  }],
  'AmazonEKS_CNI_Policy': [
    {
      Effect: 'Allow',
      Action: ['ec2:AssignPrivateIpAddresses', 'ec2:AttachNetworkInterface', 'ec2:CreateNetworkInterface', 'ec2:DeleteNetworkInterface',
        'ec2:DescribeInstances', 'ec2:DescribeTags', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeInstanceTypes', 'ec2:DescribeSubnets',
        'ec2:DetachNetworkInterface', 'ec2:ModifyNetworkInterfaceAttribute', 'ec2:UnassignPrivateIpAddresses'],
      Resource: '*',
    },
    { Effect: 'Allow', Action: ['ec2:CreateTags'], Resource: ['arn:aws:ec2:*:*:network-interface/*'] },
  ],
  'service-role/AWSLambdaBasicExecutionRole': [{ Effect: 'Allow', Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'], Resource: '*' }],
  'service-role/AWSLambdaVPCAccessExecutionRole': [{
    Effect: 'Allow',
    Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'ec2:CreateNetworkInterface', 'ec2:DescribeNetworkInterfaces',
      'ec2:DescribeSubnets', 'ec2:DeleteNetworkInterface', 'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses'],
    Resource: '*',
  }],
  'AmazonEC2ContainerRegistryReadOnly': [{
    Effect: 'Allow',
    Action: ['ecr:GetAuthorizationToken', 'ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:GetRepositoryPolicy',
      'ecr:DescribeRepositories', 'ecr:ListImages', 'ecr:DescribeImages', 'ecr:BatchGetImage', 'ecr:GetLifecyclePolicy',
      'ecr:GetLifecyclePolicyPreview', 'ecr:ListTagsForResource', 'ecr:DescribeImageScanFindings'],
    Resource: '*',
  }],
};

interface Resource { Type: string; Properties?: any }
interface Template {
  Resources: Record<string, Resource>;
  Mappings?: any;
  Conditions?: any;
  Outputs?: Record<string, { Value: any; Export?: { Name: string } }>;
}

/** A principal to ask about: a role of the app, by stack and logical id prefix, or any ARN with its own policies. */
export type PrincipalRef = { readonly stack: string; readonly role: string } | { readonly arn: string; readonly policies: unknown[] };

/** A repository to ask about: one of the app, by stack and logical id prefix, or any ARN with its repository policy. */
export type RepositoryRef =
  | { readonly stack: string; readonly id: string }
  | { readonly arn: string; readonly policy?: unknown; readonly account?: string };

export interface Decision {
  readonly allowed: boolean;
  /** The simulator's verdict, for failure messages. */
  readonly result: string;
}

/** The synthesized app, resolved stack by stack, ready for access questions. */
export class AccessModel {
  private readonly stacks = new Map<string, { account: string; region: string; template: Template; refs: Record<string, string> }>();

  constructor(assembly: CloudAssembly, defaultAccount = '123456789012') {
    for (const stack of assembly.stacks) {
      const account = /^\d{12}$/.test(stack.environment.account) ? stack.environment.account : defaultAccount;
      const region = stack.environment.region === 'unknown-region' ? 'eu-west-1' : stack.environment.region;
      const template = stack.template as Template;
      this.stacks.set(stack.stackName, { account, region, template, refs: refsOf(stack.stackName, template, account, region) });
    }
  }

  /**
   * Whether `principal` may call `action` on a repository: one of the app (the stack and its logical id prefix), or any
   * repository by ARN with its repository policy.
   */
  async check(principal: PrincipalRef, action: string, repository: RepositoryRef, context?: Record<string, string>): Promise<Decision> {
    const repo = 'arn' in repository
      // S3 ARNs name no account: give it.
      ? { arn: repository.arn, account: repository.account ?? repository.arn.split(':')[4], policy: repository.policy }
      : this.repositoryOf(repository.stack, repository.id);
    const resourcePolicy = repo.policy;
    const { arn, policies } = 'arn' in principal ? principal : this.roleOf(principal.stack, principal.role);
    const accountOf = (a: string) => a.split(':')[4];
    const result = await runSimulation({
      request: {
        principal: arn,
        action,
        resource: { resource: repo.arn, accountId: repo.account },
        contextVariables: context ?? { 'aws:PrincipalArn': arn, 'aws:PrincipalAccount': accountOf(arn) },
      },
      identityPolicies: policies.map((statements, i) => ({ name: `policy${i}`, policy: { Version: '2012-10-17', Statement: statements as any } })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy,
    } as any, {});
    const verdict = (result as any).overallResult as string;
    if (verdict === undefined) throw new Error(`the simulation did not answer: ${JSON.stringify(result).slice(0, 500)}`);
    const ignored = (result as any).result?.ignoredContextKeys ?? [];
    if (ignored.length > 0) throw new Error(`the simulator ignored the context keys ${ignored.join(', ')}`);
    return { allowed: verdict === 'Allowed', result: verdict };
  }

  /**
   * Whether an AWS service (`lambda.amazonaws.com`) acting for a resource (`aws:SourceArn`, a function) may call
   * `action` on a repository: only the repository policy can allow it, as a service principal has no identity policies.
   */
  async checkService(service: string, sourceArn: string, action: string, repository: RepositoryRef): Promise<Decision> {
    return this.check({ arn: service, policies: [] }, action, repository, { 'aws:SourceArn': sourceArn, 'aws:SourceAccount': sourceArn.split(':')[4] });
  }

  /** The ARN of the resource of `type` whose logical id starts with `prefix` in `stack`, as CloudFormation would name it. */
  arnOf(stack: string, prefix: string, type: string): string {
    return this.resource(stack, prefix, type).arn;
  }

  /** A resource of the app to ask about, with its resource policy (`KeyPolicy` of a KMS key, for example). */
  resourceWithPolicy(stack: string, prefix: string, type: string, policyProperty: string): RepositoryRef {
    const found = this.resource(stack, prefix, type);
    const policy = found.resource.Properties?.[policyProperty];
    return { arn: found.arn, account: found.account, policy: policy ? this.resolve(stack, policy) : undefined };
  }

  /** An object of a bucket of the app, with the bucket's policy (an `AWS::S3::BucketPolicy` naming the bucket). */
  bucketObject(stack: string, prefix: string, key: string): RepositoryRef {
    const bucket = this.resource(stack, prefix, 'AWS::S3::Bucket');
    const policies = Object.values(this.stacks.get(stack)!.template.Resources)
      .filter((r) => r.Type === 'AWS::S3::BucketPolicy' && r.Properties?.Bucket?.Ref === bucket.id);
    return { arn: `${bucket.arn}/${key}`, account: bucket.account, policy: policies.length > 0 ? this.resolve(stack, policies[0].Properties.PolicyDocument) : undefined };
  }

  /** The ARN of the role whose logical id starts with `prefix` in `stack`. */
  roleArn(stack: string, prefix: string): string {
    return this.roleOf(stack, prefix).arn;
  }

  private resolve(stack: string, value: unknown): any {
    const s = this.stacks.get(stack)!;
    return resolveCfn(value, { refs: s.refs, mappings: s.template.Mappings, conditions: s.template.Conditions });
  }

  private repositoryOf(stack: string, prefix: string) {
    const repo = this.resource(stack, prefix, 'AWS::ECR::Repository');
    const policy = repo.resource.Properties?.RepositoryPolicyText;
    return { arn: repo.arn, account: repo.account, policy: policy ? this.resolve(stack, policy) : undefined };
  }

  private resource(stack: string, prefix: string, type: string) {
    const s = this.stacks.get(stack);
    if (!s) throw new Error(`no stack ${stack} (stacks: ${[...this.stacks.keys()].join(', ')})`);
    const ids = Object.keys(s.template.Resources).filter((id) => id.startsWith(prefix) && s.template.Resources[id].Type === type);
    if (ids.length !== 1) throw new Error(`expected one ${type} whose logical id starts with ${prefix} in ${stack}, found ${JSON.stringify(ids)}`);
    return { id: ids[0], resource: s.template.Resources[ids[0]], arn: s.refs[`${ids[0]}.Arn`], account: s.account };
  }

  /** A role and every identity policy it has: inline, attached customer managed (either side names it), AWS managed. */
  private roleOf(stack: string, prefix: string): { arn: string; policies: unknown[][] } {
    const role = this.resource(stack, prefix, 'AWS::IAM::Role');
    const s = this.stacks.get(stack)!;
    const resolved = this.resolve(stack, role.resource.Properties ?? {});
    const policies: unknown[][] = (resolved.Policies ?? []).map((p: any) => p.PolicyDocument.Statement);
    // Policies of other stacks name the role through its export.
    const exportNames = Object.values(s.template.Outputs ?? {}).filter((o) => o.Value?.Ref === role.id && o.Export).map((o) => o.Export!.Name);
    for (const [name, other] of this.stacks) {
      const namesRole = (roles: unknown) => (roles as Array<{ 'Ref'?: string; 'Fn::ImportValue'?: string }> | undefined)
        ?.some((r) => (name === stack ? r.Ref === role.id : exportNames.includes(r['Fn::ImportValue']!)));
      for (const [id, resource] of Object.entries(other.template.Resources)) {
        const attachedHere = name === stack && (resolved.ManagedPolicyArns ?? []).includes(s.refs[id]);
        if ((resource.Type === 'AWS::IAM::Policy' || resource.Type === 'AWS::IAM::ManagedPolicy') && (namesRole(resource.Properties?.Roles) || attachedHere)) {
          policies.push(this.resolve(name, resource.Properties.PolicyDocument).Statement);
        }
      }
    }
    for (const arn of resolved.ManagedPolicyArns ?? []) {
      const awsManaged = /^arn:aws:iam::aws:policy\/(.+)$/.exec(arn);
      if (!awsManaged) continue;
      const statements = AWS_MANAGED_POLICIES[awsManaged[1]];
      if (!statements) throw new Error(`the AWS managed policy ${awsManaged[1]} of ${stack}/${role.id} is not known here: add its document to AWS_MANAGED_POLICIES`);
      policies.push([...statements]);
    }
    return { arn: role.arn, policies };
  }
}

/** What `Ref` and `Fn::GetAtt` of each resource resolve to, with names CloudFormation would generate. */
function refsOf(stackName: string, template: Template, account: string, region: string): Record<string, string> {
  const refs: Record<string, string> = {
    'AWS::AccountId': account, 'AWS::Region': region, 'AWS::Partition': 'aws', 'AWS::URLSuffix': 'amazonaws.com', 'AWS::StackName': stackName,
  };
  for (const [id, resource] of Object.entries(template.Resources)) {
    const props = resource.Properties ?? {};
    const literal = (v: unknown) => (typeof v === 'string' ? v : undefined);
    switch (resource.Type) {
      case 'AWS::IAM::Role': {
        const name = literal(props.RoleName) ?? `${stackName}-${id}`.slice(0, 64);
        refs[id] = name;
        refs[`${id}.Arn`] = `arn:aws:iam::${account}:role${literal(props.Path) ?? '/'}${name}`;
        break;
      }
      case 'AWS::IAM::ManagedPolicy':
        refs[id] = `arn:aws:iam::${account}:policy${literal(props.Path) ?? '/'}${literal(props.ManagedPolicyName) ?? `${stackName}-${id}`}`;
        break;
      case 'AWS::S3::Bucket': {
        const name = literal(props.BucketName) ?? `${stackName}-${id}`.toLowerCase();
        refs[id] = name;
        refs[`${id}.Arn`] = `arn:aws:s3:::${name}`;
        break;
      }
      case 'AWS::KMS::Key':
        refs[id] = `${id}-key-id`;
        refs[`${id}.Arn`] = `arn:aws:kms:${region}:${account}:key/${id}-key-id`;
        break;
      case 'AWS::ECR::Repository': {
        const name = literal(props.RepositoryName) ?? id.toLowerCase();
        refs[id] = name;
        refs[`${id}.Arn`] = `arn:aws:ecr:${region}:${account}:repository/${name}`;
        break;
      }
      case 'AWS::ECS::Cluster': {
        const name = literal(props.ClusterName) ?? `${stackName}-${id}`;
        refs[id] = name;
        refs[`${id}.Arn`] = `arn:aws:ecs:${region}:${account}:cluster/${name}`;
        break;
      }
      case 'AWS::ECS::TaskDefinition':
        refs[id] = `arn:aws:ecs:${region}:${account}:task-definition/${literal(props.Family) ?? `${stackName}${id}`}:1`;
        break;
      default:
        refs[id] = id;
    }
  }
  // A service's ARN names its cluster.
  for (const [id, resource] of Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::ECS::Service')) {
    const cluster = resource.Properties?.Cluster?.Ref ? refs[resource.Properties.Cluster.Ref] : resource.Properties?.Cluster;
    const name = typeof resource.Properties?.ServiceName === 'string' ? resource.Properties.ServiceName : `${stackName}-${id}`;
    refs[id] = `arn:aws:ecs:${region}:${account}:service/${cluster}/${name}`;
    refs[`${id}.Name`] = name;
  }
  // Any other attribute of a resource of the template: a stand-in value that names it (no access question depends on
  // it); a reference to something the template does not hold stays an error.
  const attributeOfResource = (key: string) => key.includes('.') && key.split('.')[0] in template.Resources;
  return new Proxy(refs, {
    has: (target, key) => typeof key === 'string' && (key in target || attributeOfResource(key)),
    get: (target, key: string) => target[key] ?? (attributeOfResource(key) ? `arn:aws:synthetic:${region}:${account}:${key}` : undefined),
  });
}
