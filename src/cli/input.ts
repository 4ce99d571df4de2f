import { readFileSync } from 'fs';

/**
 * A problem with the command line or an input file. The command reports it as one line on stderr and exits 2,
 * never with a stack trace: the user has something to fix, not a bug to report.
 */
export class InputError extends Error {}

export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A value for a message: JSON, cut short so one bad entry cannot flood the terminal. */
export function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** Reads the file a flag names. */
export function readInput(flag: string, file: string): string {
  try {
    // Editors on Windows save JSON with a byte order mark, which JSON.parse rejects.
    return readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  } catch (e) {
    // Node appends the syscall and path ("..., open 'x.json'"); the message already names the file.
    throw new InputError(`cannot read ${flag} '${file}': ${(e as Error).message.replace(/, \w+(?: '.*')?$/, '')}`);
  }
}

export function parseJson(flag: string, file: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new InputError(`${flag} '${file}': invalid JSON: ${(e as Error).message}`);
  }
}

// A date, or a date and time with an explicit offset: a time without one would be read in the local time zone.
const ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2}))?$/;

/** An ISO 8601 string in epoch milliseconds, or undefined when it is not one. */
export function parseIsoTime(text: string): number | undefined {
  const m = ISO_TIME.exec(text);
  if (!m) return undefined;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  // Date.parse rolls impossible days over ('2024-02-30' is March 1st); a typo must not become another day.
  if (new Date(Date.UTC(year, month - 1, day)).getUTCDate() !== day) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}
