/**
 * Upper bounds on the length of a resolved CloudFormation value once CloudFormation has substituted its references,
 * for checking a service's length limit at synth time.
 */
import { Stack } from 'aws-cdk-lib';

/** The longest value of each pseudo parameter (the longest partition is aws-us-gov; regions such as ap-southeast-7). */
const PSEUDO_PARAMETER_MAX: Record<string, number> = {
  'AWS::AccountId': 12,
  'AWS::Region': 20,
  'AWS::Partition': 10,
  'AWS::URLSuffix': 24,
  'AWS::StackName': 128,
  'AWS::NoValue': 0,
};
/** Any other reference (a name, an ARN, an attribute): ARNs are at most 2,048 characters. */
const REFERENCE_MAX = 2_048;

const referenceMax = (name: string) => PSEUDO_PARAMETER_MAX[name] ?? REFERENCE_MAX;

/**
 * The most characters `value` (a literal or an intrinsic function, as `Stack.resolve` returns it) can resolve to.
 * `bound` may know a tighter bound for a reference (a `Ref`, `Fn::GetAtt` or `Fn::ImportValue`), for example the
 * longest ARN a repository of a known name can have; it is asked about references only.
 */
export function maxResolvedLength(value: unknown, bound?: (reference: object) => number | undefined): number {
  if (typeof value === 'string') return value.length;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value).length;
  const node = value as Record<string, unknown>;
  if (node && Array.isArray(node['Fn::Join'])) {
    const [delimiter, parts] = node['Fn::Join'] as [string, unknown[]];
    return parts.reduce<number>((sum, part) => sum + maxResolvedLength(part, bound), 0) + delimiter.length * Math.max(0, parts.length - 1);
  }
  const known = node && node['Fn::Sub'] === undefined ? bound?.(node) : undefined;
  if (known !== undefined) return known;
  if (node && typeof node.Ref === 'string') return referenceMax(node.Ref);
  if (node && node['Fn::Sub'] !== undefined) {
    const template = Array.isArray(node['Fn::Sub']) ? node['Fn::Sub'][0] as string : node['Fn::Sub'] as string;
    const variables = Array.isArray(node['Fn::Sub']) ? node['Fn::Sub'][1] as Record<string, unknown> : {};
    return template.replace(/\$\{!/g, '${').length - [...template.matchAll(/\$\{([^!}][^}]*)\}/g)].reduce((sum, [whole, name]) =>
      sum + whole.length - (name in variables ? maxResolvedLength(variables[name], bound) : referenceMax(name)), 0);
  }
  return REFERENCE_MAX;
}

/** The most characters `value` (a string that may hold tokens, such as `stack.toJsonString(document)`) can have once deployed in `stack`. */
export function maxLengthIn(stack: Stack, value: string, bound?: (reference: object) => number | undefined): number {
  return maxResolvedLength(stack.resolve(value), bound);
}
