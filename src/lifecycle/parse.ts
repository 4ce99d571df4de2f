/**
 * Reading policies that users already have: the policy JSON itself, or the output of
 * `aws ecr get-lifecycle-policy` (`{"lifecyclePolicyText": "..."}`, the text being JSON again).
 * Only the structure is checked here; field rules are `validatePolicyDocument`'s job.
 */
export class PolicyShapeError extends Error {}

/**
 * How deep the JSON inputs may nest. A lifecycle policy nests 5 levels (policy, rules, rule, selection, tag list),
 * describe-images output about as many, a CloudFormation template's intrinsic functions a few more. Deeper input is
 * none of these, and recursive code such as JSON.stringify overflows the stack on it (100,000 levels did).
 */
export const MAX_JSON_DEPTH = 64;

/**
 * Where `text` nests arrays and objects deeper than `MAX_JSON_DEPTH`, as a problem, or undefined. One pass over the
 * text before it is parsed, skipping strings; malformed JSON is left for JSON.parse to report.
 */
export function jsonDepthProblem(text: string): string | undefined {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) { // '"': skip to the closing quote, past escaped characters
      for (i++; i < text.length && text.charCodeAt(i) !== 0x22; i++) if (text.charCodeAt(i) === 0x5c) i++;
    } else if (c === 0x5b || c === 0x7b) { // '[' '{'
      if (++depth > MAX_JSON_DEPTH) return `nested deeper than ${MAX_JSON_DEPTH} levels at character ${i + 1}; no lifecycle policy, describe-images output or template nests that deep`;
    } else if (c === 0x5d || c === 0x7d) { // ']' '}'
      depth--;
    }
  }
  return undefined;
}

/** `text` parsed as JSON, or a `PolicyShapeError` saying why not, its message starting with `what`. */
export function parseJsonText(text: string, what: string): unknown {
  const tooDeep = jsonDepthProblem(text);
  if (tooDeep !== undefined) throw new PolicyShapeError(`${what}${tooDeep}`);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new PolicyShapeError(`${what}invalid JSON: ${(e as Error).message}`);
  }
}

export function parsePolicyJson(text: string): { rules: unknown[] } {
  let value = parseJsonText(text, '');
  if (typeof value === 'object' && value !== null && 'lifecyclePolicyText' in value) {
    const inner = (value as { lifecyclePolicyText: unknown }).lifecyclePolicyText;
    if (typeof inner !== 'string') throw new PolicyShapeError("'lifecyclePolicyText' must be a string holding the policy JSON");
    value = parseJsonText(inner, "'lifecyclePolicyText': ");
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value) || !Array.isArray((value as { rules?: unknown }).rules)) {
    throw new PolicyShapeError('expected a lifecycle policy {"rules": [...]} or the output of aws ecr get-lifecycle-policy {"lifecyclePolicyText": "..."}');
  }
  return value as { rules: unknown[] };
}
