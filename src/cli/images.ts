import { InputError, isObject, parseIsoTime, show } from './input';
import { clip } from '../lifecycle/show';
import type { ImageRecord, ImageStatusName } from '../lifecycle/simulate';

const STATUSES: ReadonlySet<unknown> = new Set<ImageStatusName>(['ACTIVE', 'ARCHIVED', 'ACTIVATING']);

/**
 * The images of `aws ecr describe-images` output (`{"imageDetails": [...]}`) as simulator records.
 * `where` names the input in messages, for example `--images 'images.json'`.
 */
export function imagesFromDescribeImages(value: unknown, where: string): ImageRecord[] {
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
  // Concatenated describe-images pages can repeat an image; ECR holds each digest once, so a repeat is an input error.
  const seen = new Map<string, number>();
  for (let i = 0; i < details.length; i++) {
    images[i] = toImage(details[i], where, i);
    const first = seen.get(images[i].imageDigest);
    if (first !== undefined) throw new InputError(`${where}: imageDetails[${i}]: digest ${clip(images[i].imageDigest, 100)} repeats imageDetails[${first}]; list each image once`);
    seen.set(images[i].imageDigest, i);
  }
  return images;
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
  };
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

/** The repository the images are of, as describe-images names it in every entry (when it does). */
export interface ImagesRepository {
  readonly registryId?: string;
  readonly repositoryName?: string;
}

/**
 * The registry and repository every image of describe-images output belongs to; fields the entries leave out stay
 * undefined. Images of several repositories are refused: a preview is of one repository.
 */
export function repositoryOfImages(value: unknown, where: string): ImagesRepository {
  const details = (isObject(value) && Array.isArray(value.imageDetails) ? value.imageDetails : []).filter(isObject);
  const one = (field: 'registryId' | 'repositoryName'): string | undefined => {
    const values = [...new Set(details.map((d) => d[field]).filter((v): v is string => typeof v === 'string'))];
    if (values.length > 1) {
      throw new InputError(`${where}: the images are of several ${field === 'registryId' ? 'registries' : 'repositories'} (${values.join(', ')}); `
        + 'preview the images of one repository at a time');
    }
    return values[0];
  };
  return { registryId: one('registryId'), repositoryName: one('repositoryName') };
}

function badField(where: string, index: number, detail: Record<string, unknown>, field: string, expected: string): InputError {
  return new InputError(`${where}: imageDetails[${index}]: ${field}: got ${show(detail[field])}; expected ${expected}`);
}
