// SPDX-License-Identifier: AGPL-3.0-or-later
/** Shape checks for JSON read from an assembly: the message names the file and the place, never the value. */
import { InputError } from './errors';

/**
 * How deep a file's JSON may nest. Neither CloudFormation nor CDK documents a bound, but what reads a template
 * (intrinsic resolution, the simulator's policy validation) recurses, and a 1 MiB file can nest 500,000 levels: far
 * past Node's stack. The deepest of the 23,456 assembly files this project's tests synthesize nests 16 levels (a
 * template; manifests 7).
 */
export const MAX_JSON_DEPTH = 100;

/** What a JSON value is (`null`, `an array`, `a string`), for a message that must not echo it. */
export function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return value === undefined ? 'nothing' : `${typeof value === 'object' ? 'an' : 'a'} ${typeof value}`;
}

export function objectOf(value: unknown, file: string, what: string): Record<string, any> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new InputError(`${file}: ${what} must be a JSON object, got ${kindOf(value)}.`);
  return value as Record<string, any>;
}

export function listOf(value: unknown, file: string, what: string): unknown[] {
  if (!Array.isArray(value)) throw new InputError(`${file}: ${what} must be a JSON array, got ${kindOf(value)}.`);
  return value;
}

export function stringOf(value: unknown, file: string, what: string): string {
  if (typeof value !== 'string') throw new InputError(`${file}: ${what} must be a string, got ${kindOf(value)}.`);
  return value;
}

/** Whether a JSON value nests deeper than `limit` levels; walked without recursion, since it may nest far deeper. */
export function depthOver(value: unknown, limit: number): boolean {
  const pending: [unknown, number][] = [[value, 1]];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [v, depth] = next;
    if (v === null || typeof v !== 'object') continue;
    if (depth > limit) return true;
    for (const child of Object.values(v)) pending.push([child, depth + 1]);
  }
  return false;
}
