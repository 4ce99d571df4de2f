/**
 * Reading policies that users already have: the policy JSON itself, or the output of
 * `aws ecr get-lifecycle-policy` (`{"lifecyclePolicyText": "..."}`, the text being JSON again).
 * Only the structure is checked here; field rules are `validatePolicyDocument`'s job.
 */
export class PolicyShapeError extends Error {}

export function parsePolicyJson(text: string): { rules: unknown[] } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new PolicyShapeError(`invalid JSON: ${(e as Error).message}`);
  }
  if (typeof value === 'object' && value !== null && 'lifecyclePolicyText' in value) {
    const inner = (value as { lifecyclePolicyText: unknown }).lifecyclePolicyText;
    if (typeof inner !== 'string') throw new PolicyShapeError("'lifecyclePolicyText' must be a string holding the policy JSON");
    try {
      value = JSON.parse(inner);
    } catch (e) {
      throw new PolicyShapeError(`'lifecyclePolicyText' is not valid JSON: ${(e as Error).message}`);
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value) || !Array.isArray((value as { rules?: unknown }).rules)) {
    throw new PolicyShapeError('expected a lifecycle policy {"rules": [...]} or the output of aws ecr get-lifecycle-policy {"lifecyclePolicyText": "..."}');
  }
  return value as { rules: unknown[] };
}
