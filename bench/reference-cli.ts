/**
 * The "simple reference" of `ecr-lifecycle preview` for the benchmark: read the policy and a describe-images file with
 * JSON.parse, run `referenceSimulate`, print the actions as JSON. No validation, no formatting options.
 * The benchmark transpiles this file and the reference simulator to plain JS first, so both jobs start a bare `node`.
 *
 * Usage: node reference-cli.js --policy P --images I --now ISO_TIME
 */
import { readFileSync } from 'fs';
import type { ImageRecord, ImageStatusName } from '../src/lifecycle/simulate';
import type { LifecyclePolicyDocument } from '../src/lifecycle/types';
import { referenceSimulate } from '../test/lifecycle/reference-simulator';

/** describe-images timestamps: ISO strings (awscli) or epoch seconds (the wire format). */
function epochMs(value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  return typeof value === 'number' ? Math.round(value * 1000) : Date.parse(String(value));
}

function arg(name: string): string {
  const i = process.argv.indexOf(name);
  if (i < 0 || i + 1 >= process.argv.length) throw new Error(`missing ${name}`);
  return process.argv[i + 1];
}

const policy = JSON.parse(readFileSync(arg('--policy'), 'utf8')) as LifecyclePolicyDocument;
const details = (JSON.parse(readFileSync(arg('--images'), 'utf8')) as { imageDetails: Record<string, unknown>[] }).imageDetails;
const images = details.map((d): ImageRecord => ({
  imageDigest: d.imageDigest as string,
  imageTags: (d.imageTags as string[] | undefined) ?? [],
  pushedAt: epochMs(d.imagePushedAt)!,
  pulledAt: epochMs(d.lastRecordedPullTime),
  archivedAt: epochMs(d.lastArchivedAt),
  activatedAt: epochMs(d.lastActivatedAt),
  status: (d.imageStatus as ImageStatusName | undefined) ?? 'ACTIVE',
}));
process.stdout.write(JSON.stringify(referenceSimulate(policy, images, Date.parse(arg('--now')))));
