import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';

/**
 * Finding ids of cdk-nag's IAM rules, computed from the resources, for acknowledging findings of constructs that
 * aws-cdk-lib creates (such as the kubectl provider) without spelling out logical ids. The flattening follows the one
 * the rules document: `Ref` as `<Id>`, `Fn::GetAtt` as `<Id.Attr>`, `Fn::Join` joined, anything else as JSON.
 */
function flatten(value: unknown): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value.replace(/\$\{/g, '<').replace(/\}/g, '>');
  const node = value as Record<string, unknown>;
  if (node['Fn::Join']) {
    const [delimiter, items] = node['Fn::Join'] as [string, unknown[]];
    return items.map(flatten).join(delimiter);
  }
  if (node['Fn::Sub']) return flatten(node['Fn::Sub']);
  if (node['Fn::GetAtt']) {
    const [resource, attribute] = node['Fn::GetAtt'] as [unknown, unknown];
    return `<${flatten(resource)}.${flatten(attribute)}>`;
  }
  if (node['Fn::ImportValue']) return flatten(node['Fn::ImportValue']);
  if (node.Ref) return `<${flatten(node.Ref)}>`;
  return JSON.stringify(value);
}

/** The `AwsSolutions-IAM5[Resource::...]` id cdk-nag gives a wildcard `resource` (an ARN, possibly with tokens). */
export function wildcardResourceFindingId(scope: IConstruct, resource: string): string {
  return `AwsSolutions-IAM5[Resource::${flatten(Stack.of(scope).resolve(resource))}]`;
}

const asList = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** `AwsSolutions-IAM4[...]` ids of the AWS managed policies, and `AwsSolutions-IAM5[...]` ids of wildcards, under `scope`. */
export function iamFindingIds(scope: IConstruct): string[] {
  const ids = new Set<string>();
  for (const c of scope.node.findAll()) {
    const stack = Stack.of(c);
    if (c instanceof iam.CfnRole) {
      for (const arn of asList(stack.resolve(c.managedPolicyArns)).map(flatten)) {
        if (arn.includes(':iam::aws:')) ids.add(`AwsSolutions-IAM4[Policy::${arn}]`);
      }
    }
    if (c instanceof iam.CfnPolicy) {
      for (const statement of asList((stack.resolve(c.policyDocument) as { Statement?: unknown }).Statement) as Record<string, unknown>[]) {
        for (const action of asList(statement.Action).map(flatten)) if (action.includes('*')) ids.add(`AwsSolutions-IAM5[Action::${action}]`);
        for (const resource of asList(statement.Resource).map(flatten)) if (resource.includes('*')) ids.add(`AwsSolutions-IAM5[Resource::${resource}]`);
      }
    }
  }
  return [...ids].sort();
}
