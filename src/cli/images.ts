import { InputError, isObject, parseIsoTime, show } from './input';
import { clip } from '../lifecycle/show';
import type { ImageRecord, ImageStatusName } from '../lifecycle/simulate';

const STATUSES: ReadonlySet<unknown> = new Set<ImageStatusName>(['ACTIVE', 'ARCHIVED', 'ACTIVATING']);

/** describe-images output read whole: every image, and which repository each belongs to. */
export interface ImageInventory {
  readonly registryId?: string;
  /** Every image, in input order. */
  readonly images: ImageRecord[];
  /** The images of each repository the entries name, in order of first appearance; undefined when no entry names one. */
  readonly byRepository?: ReadonlyMap<string, ImageRecord[]>;
}

/**
 * The images of `aws ecr describe-images` output (`{"imageDetails": [...]}`) as simulator records, grouped by the
 * repository each entry names. `where` names the input in messages, for example `--images 'images.json'`.
 */
export function imageInventory(value: unknown, where: string): ImageInventory {
  const details = isObject(value) ? value.imageDetails : undefined;
  if (!Array.isArray(details)) {
    throw new InputError(`${where}: expected the output of aws ecr describe-images, {"imageDetails": [...]}, got ${show(value)}`);
  }
  // The AWS CLI prints NextToken when --max-items cut the listing short, nextToken (the service's) with --no-paginate.
  if ((value as Record<string, unknown>).nextToken != null || (value as Record<string, unknown>).NextToken != null) {
    throw new InputError(`${where}: has a nextToken, so it is one page of several and count rules would see only part of the repository; `
      + 'run aws ecr describe-images without --max-items or --no-paginate (the AWS CLI then fetches every page), or concatenate the imageDetails of all pages into one file');
  }
  const images = new Array<ImageRecord>(details.length);
  const byRepository = new Map<string, ImageRecord[]>();
  // Concatenated describe-images pages can repeat an image; ECR holds each digest once per repository.
  const seen = new Map<string | undefined, Map<string, number>>();
  let registryId: string | undefined;
  let unnamed: number | undefined;
  for (let i = 0; i < details.length; i++) {
    const detail = details[i];
    images[i] = toImage(detail, where, i);
    const { registryId: registry, repositoryName } = detail as Record<string, unknown>;
    if (typeof registry === 'string') {
      if (registryId !== undefined && registry !== registryId) {
        throw new InputError(`${where}: the images are of several registries (${clip(registryId, 100)}, ${clip(registry, 100)}); preview the images of one registry at a time`);
      }
      registryId = registry;
    }
    const repository = typeof repositoryName === 'string' ? repositoryName : undefined;
    if (repository === undefined) unnamed ??= i;
    let digests = seen.get(repository);
    if (!digests) seen.set(repository, digests = new Map());
    const first = digests.get(images[i].imageDigest);
    if (first !== undefined) throw new InputError(`${where}: imageDetails[${i}]: digest ${clip(images[i].imageDigest, 100)} repeats imageDetails[${first}]; list each image once`);
    digests.set(images[i].imageDigest, i);
    if (repository !== undefined) {
      const list = byRepository.get(repository);
      if (list) list.push(images[i]); else byRepository.set(repository, [images[i]]);
    }
  }
  if (unnamed !== undefined && byRepository.size > 0) {
    throw new InputError(`${where}: imageDetails[${unnamed}] names no repositoryName while other entries do; `
      + 'pass the output of aws ecr describe-images unchanged, which names the repository in every entry');
  }
  return { registryId, images, byRepository: byRepository.size > 0 ? byRepository : undefined };
}

// Plain functions, not closures per image: this runs 100,000 times for a full repository.
function toImage(detail: unknown, where: string, index: number): ImageRecord {
  if (!isObject(detail)) throw new InputError(`${where}: imageDetails[${index}]: got ${show(detail)}; expected an image detail object`);
  const digest = detail.imageDigest;
  if (typeof digest !== 'string' || digest === '') throw badField(where, index, detail, 'imageDigest', 'a digest such as "sha256:..."');
  // The AWS CLI leaves absent fields out; other tools write null for them.
  const tags = detail.imageTags ?? [];
  if (!Array.isArray(tags) || !tags.every((t) => typeof t === 'string')) throw badField(where, index, detail, 'imageTags', 'a list of tag strings');
  const status = detail.imageStatus ?? 'ACTIVE';
  if (!STATUSES.has(status)) throw badField(where, index, detail, 'imageStatus', "'ACTIVE', 'ARCHIVED' or 'ACTIVATING'");
  const pushedAt = time(detail, 'imagePushedAt', where, index);
  if (pushedAt === undefined) throw badField(where, index, detail, 'imagePushedAt', 'the push time every describe-images entry has');
  return {
    imageDigest: digest,
    imageTags: tags as string[],
    pushedAt,
    pulledAt: time(detail, 'lastRecordedPullTime', where, index),
    archivedAt: time(detail, 'lastArchivedAt', where, index),
    activatedAt: time(detail, 'lastActivatedAt', where, index),
    status: status as ImageStatusName,
    sizeInBytes: size(detail, where, index),
  };
}

/** `imageSizeInBytes`, a whole number of bytes; undefined when absent. */
function size(detail: Record<string, unknown>, where: string, index: number): number | undefined {
  const value = detail.imageSizeInBytes;
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw badField(where, index, detail, 'imageSizeInBytes', 'a whole number of bytes');
  return value;
}

/**
 * Epoch seconds beyond this (the year 5138) are epoch milliseconds by mistake, which would otherwise be read as a time
 * thousands of years ahead, so that no age-based rule would ever see the image as old.
 */
const MAX_EPOCH_SECONDS = 1e11;

/** A timestamp field in epoch milliseconds; undefined when absent. */
function time(detail: Record<string, unknown>, field: string, where: string, index: number): number | undefined {
  const value = detail[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number' && Number.isFinite(value) && Math.abs(value) >= MAX_EPOCH_SECONDS) {
    throw badField(where, index, detail, field, `epoch seconds, as AWS CLI v1 prints them; this looks like epoch milliseconds (as seconds it is the year ${
      new Date(value * 1000).getUTCFullYear()}). Divide by 1000, or pass the output of aws ecr describe-images unchanged`);
  }
  // AWS CLI v2 prints ISO 8601 strings, v1 epoch seconds.
  const ms = typeof value === 'number' ? (Number.isFinite(value) ? Math.round(value * 1000) : undefined)
    : typeof value === 'string' ? parseIsoTime(value) : undefined;
  if (ms === undefined) throw badField(where, index, detail, field, 'epoch seconds or an ISO 8601 time with an offset, such as "2024-05-01T10:00:00+00:00"');
  return ms;
}

function badField(where: string, index: number, detail: Record<string, unknown>, field: string, expected: string): InputError {
  return new InputError(`${where}: imageDetails[${index}]: ${field}: got ${show(detail[field])}; expected ${expected}`);
}
