// SPDX-License-Identifier: AGPL-3.0-or-later
/** Shape checks for JSON read from an assembly: the message names the file and the place, never the value. */
import { InputError } from './errors';

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
