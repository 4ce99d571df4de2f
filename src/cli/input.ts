import { closeSync, openSync, readSync } from 'fs';
import { parseJsonText, PolicyShapeError } from '../lifecycle/parse';
import { clip, showValue } from '../lifecycle/show';
import { LIMITS } from '../lifecycle/types';

/**
 * A problem with the command line or an input file. The command reports it as one line on stderr and exits 2,
 * never with a stack trace: the user has something to fix, not a bug to report.
 */
export class InputError extends Error {}

export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A value for a message: JSON, cut short so one bad entry cannot flood the terminal. */
export function show(value: unknown): string {
  return showValue(value, 60);
}

/** A file name or argument for a message, escaped and cut short like a value. */
export function quote(text: string): string {
  return `'${clip(text, 200)}'`;
}

/** Reads up to `length` bytes into `buffer` at `offset` and returns how many it read: 0 at the end of the input. */
export type ReadChunk = (buffer: Buffer, offset: number, length: number) => number;

/** The most bytes an input may have, and the documented limit it follows from. */
export interface InputLimit {
  readonly bytes: number;
  readonly why: string;
}

/**
 * A policy text has at most 30,720 characters (ECR quota "Lifecycle policy length"). As get-lifecycle-policy output
 * it is a JSON string, where the AWS CLI escapes a character in at most 6 bytes (`\uXXXX`), beside a registry id, a
 * repository name of at most 256 characters and a timestamp.
 */
export const POLICY_LIMIT: InputLimit = {
  bytes: 6 * LIMITS.maxPolicyTextLength + 4096,
  why: `a lifecycle policy has at most ${LIMITS.maxPolicyTextLength} characters (an ECR quota), and no file holding one is larger`,
};

/** CloudFormation reads a template of at most 1 MB from S3 (CloudFormation quotas: template body size in an S3 object). */
export const TEMPLATE_LIMIT: InputLimit = {
  bytes: 1024 * 1024,
  why: 'CloudFormation deploys templates of at most 1 MB',
};

/** A CDK asset manifest names each file and image asset of a stack and its nested stacks in under 2 KiB. */
export const ASSET_MANIFEST_LIMIT: InputLimit = {
  bytes: 64 * 1024 * 1024,
  why: 'that is over 30,000 assets at 2 KiB each, more than any cloud assembly holds',
};

/**
 * describe-images output for ECR's default quota of 100,000 images per repository, at 4 KiB an image: an entry with
 * its scan summary takes under 1 KiB, which leaves room for ten tags of the full 300 characters.
 */
export const IMAGES_LIMIT: InputLimit = {
  bytes: LIMITS.defaultMaxImagesPerRepository * 4096,
  why: `that is 4 KiB for each of ${LIMITS.defaultMaxImagesPerRepository} images, ECR's default quota per repository; preview one repository's images`,
};

/** describe-repositories output: under 1 KiB a repository, so the images bound holds 400,000 of them. */
export const REPOSITORIES_LIMIT: InputLimit = {
  bytes: IMAGES_LIMIT.bytes,
  why: 'that is 400,000 repositories at 1 KiB each; report on the registry of one region at a time',
};

const CHUNK_BYTES = 1024 * 1024;

/** Everything `read` gives, or undefined as soon as it passes `maxBytes`: an endless input is never held whole. */
function readBounded(read: ReadChunk, maxBytes: number): Buffer | undefined {
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    // Never asks for more than one byte past the limit, which is all it takes to know the limit is passed.
    const chunk = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, maxBytes + 1 - total));
    const n = read(chunk, 0, chunk.length);
    if (n === 0) return Buffer.concat(chunks, total);
    chunks.push(chunk.subarray(0, n));
    total += n;
    if (total > maxBytes) return undefined;
  }
}

/** Reads the file a flag names, `-` being standard input, refusing more than `limit` bytes. */
export function readInput(flag: string, file: string, limit: InputLimit, stdin: ReadChunk): string {
  let content: Buffer | undefined;
  try {
    if (file === '-') {
      content = readBounded(stdin, limit.bytes);
    } else {
      const fd = openSync(file, 'r');
      try {
        content = readBounded((buffer, offset, length) => readSync(fd, buffer, offset, length, null), limit.bytes);
      } finally {
        closeSync(fd);
      }
    }
  } catch (e) {
    // Node appends the syscall and path ("..., open 'x.json'"); the message already names the file.
    throw new InputError(`cannot read ${flag} ${quote(file)}: ${(e as Error).message.replace(/, \w+(?: '.*')?$/, '')}`);
  }
  if (content === undefined) throw new InputError(`${flag} ${quote(file)}: more than ${limit.bytes} bytes; ${limit.why}`);
  // Editors on Windows save JSON with a byte order mark, which JSON.parse rejects.
  return content.toString('utf8').replace(/^\uFEFF/, '');
}

export function parseJson(flag: string, file: string, text: string): unknown {
  try {
    return parseJsonText(text, '');
  } catch (e) {
    if (e instanceof PolicyShapeError) throw new InputError(`${flag} ${quote(file)}: ${e.message}`);
    throw e;
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
