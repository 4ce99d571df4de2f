/**
 * The access engine that `ecr-access` ships (packages/ecr-access), with the lookups tests use: roles and resources by
 * stack and logical id prefix, and any principal or resource by ARN with the policies given. The tests ask their
 * questions through the same code that answers the command's users.
 */
import { readAssembly } from '../../packages/ecr-access/src/assembly';
import { AccessModel as Engine, AccessResource, Principal } from '../../packages/ecr-access/src/model';

export { AWS_MANAGED_POLICIES } from '../../packages/ecr-access/src/managed-policies';

/** A principal to ask about: a role of the app, by stack and logical id prefix, or any ARN with its own policies. */
export type PrincipalRef = { readonly stack: string; readonly role: string } | { readonly arn: string; readonly policies: unknown[] };

/** A resource to ask about: a repository of the app, by stack and logical id prefix, or any ARN with its resource policy. */
export type RepositoryRef =
  | { readonly stack: string; readonly id: string }
  | { readonly arn: string; readonly policy?: unknown; readonly account?: string };

export interface Decision {
  readonly allowed: boolean;
  /** The simulator's verdict, for failure messages. */
  readonly result: string;
}

const asList = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** The synthesized app (what `app.synth()` returned, read from its directory), ready for access questions. */
export class AccessModel extends Engine {
  constructor(assembly: { readonly directory: string }, standInAccount?: string) {
    super(readAssembly(assembly.directory), { standInAccount });
  }

  /**
   * Whether `principal` may call `action` on a resource: one of the app, or any by ARN with its policy. A question the
   * model cannot answer exactly (a context key a condition needs and the request lacks) fails the test.
   */
  async check(principal: PrincipalRef, action: string, resource: RepositoryRef, context?: Record<string, string>): Promise<Decision> {
    const decision = await this.evaluate(this.principalOf(principal), action, this.resourceOf(resource), context);
    if (decision.undetermined.length > 0) throw new Error(`undetermined: ${decision.undetermined.join('; ')}`);
    return { allowed: decision.allowed, result: decision.result };
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
    return this.refOf(stack, `${this.idOf(stack, prefix, type)}.Arn`);
  }

  /** A resource of the app to ask about, with its resource policy (`KeyPolicy` of a KMS key, for example). */
  resourceWithPolicy(stack: string, prefix: string, type: string, policyProperty: string): RepositoryRef {
    const id = this.idOf(stack, prefix, type);
    const policy = this.resourceIn(stack, id).Properties?.[policyProperty];
    return { arn: this.refOf(stack, `${id}.Arn`), account: this.accountOf(stack), policy: policy ? this.resolveIn(stack, policy) : undefined };
  }

  /** An object of a bucket of the app, with the bucket's policy (an `AWS::S3::BucketPolicy` naming the bucket). */
  bucketObject(stack: string, prefix: string, key: string): RepositoryRef {
    const id = this.idOf(stack, prefix, 'AWS::S3::Bucket');
    const policies = this.resourcesOf(stack).filter(([, r]) => r.Type === 'AWS::S3::BucketPolicy' && r.Properties?.Bucket?.Ref === id);
    return {
      arn: `${this.refOf(stack, `${id}.Arn`)}/${key}`,
      account: this.accountOf(stack),
      policy: policies.length > 0 ? this.resolveIn(stack, policies[0][1].Properties.PolicyDocument) : undefined,
    };
  }

  /** The ARN of the role whose logical id starts with `prefix` in `stack`. */
  roleArn(stack: string, prefix: string): string {
    return this.arnOf(stack, prefix, 'AWS::IAM::Role');
  }

  private principalOf(ref: PrincipalRef): Principal {
    if ('stack' in ref) return this.principalAt(ref.stack, this.idOf(ref.stack, ref.role, 'AWS::IAM::Role'));
    return {
      name: ref.arn,
      kind: 'external',
      arn: ref.arn,
      account: ref.arn.split(':')[4] ?? '',
      policies: ref.policies.map((statements, i) => ({ location: { stack: '(test)', logicalId: `policy${i}`, path: `policy${i}`, kind: 'inline' as const }, statements: asList(statements) })),
      unknown: [],
    };
  }

  private resourceOf(ref: RepositoryRef): AccessResource {
    if ('stack' in ref) return this.repositoryAt(ref.stack, this.idOf(ref.stack, ref.id, 'AWS::ECR::Repository'));
    const policy = ref.policy as { Statement?: unknown } | undefined;
    return {
      name: ref.arn,
      arn: ref.arn,
      // S3 ARNs name no account: the caller gives it.
      account: ref.account ?? ref.arn.split(':')[4],
      policy: policy ? { location: { stack: '(test)', logicalId: 'resource', path: ref.arn, kind: 'resource policy' }, statements: asList(policy.Statement) } : undefined,
    };
  }

  private idOf(stack: string, prefix: string, type: string): string {
    const ids = this.resourcesOf(stack).filter(([id, r]) => id.startsWith(prefix) && r.Type === type).map(([id]) => id);
    if (ids.length !== 1) throw new Error(`expected one ${type} whose logical id starts with ${prefix} in ${stack}, found ${JSON.stringify(ids)}`);
    return ids[0];
  }
}
