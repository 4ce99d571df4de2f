/**
 * What a policy frees: the images and bytes it would expire, move to the archive class or leave, and the storage bill
 * before and after. Pure arithmetic over simulator output; prices come from `pricing.ts`.
 */
import { ARCHIVE_MINIMUM_DAYS, archiveUsdPerMonth, BYTES_PER_GB, formatPrice, GB_PER_TB, roundUsd, standardUsdPerMonth, StoragePrices } from './pricing';
import type { ImageRecord, PreviewRecord } from '../lifecycle/simulate';

/** Images and bytes of one repository or of several added up; sizes are describe-images' `imageSizeInBytes`. */
export interface StorageTotals {
  readonly imageCount: number;
  /** Bytes of ACTIVE images. */
  readonly standardBytes: number;
  /** Bytes of ARCHIVED images and of ACTIVATING ones, which stay archived until their restore completes. */
  readonly archiveBytes: number;
  readonly expiringImageCount: number;
  readonly expiringBytes: number;
  /** The part of `expiringBytes` that leaves the archive class. */
  readonly expiringArchiveBytes: number;
  readonly transitioningImageCount: number;
  readonly transitioningBytes: number;
  /** Images without `imageSizeInBytes`, counted as 0 bytes. */
  readonly unsizedImageCount: number;
}

export const NO_STORAGE: StorageTotals = {
  imageCount: 0,
  standardBytes: 0,
  archiveBytes: 0,
  expiringImageCount: 0,
  expiringBytes: 0,
  expiringArchiveBytes: 0,
  transitioningImageCount: 0,
  transitioningBytes: 0,
  unsizedImageCount: 0,
};

export function storageTotals(images: readonly ImageRecord[], preview: PreviewRecord): StorageTotals {
  let standardBytes = 0;
  let archiveBytes = 0;
  let unsizedImageCount = 0;
  for (const image of images) {
    if (image.sizeInBytes === undefined) unsizedImageCount++;
    if (image.status === 'ACTIVE') standardBytes += image.sizeInBytes ?? 0;
    else archiveBytes += image.sizeInBytes ?? 0;
  }
  let expiringBytes = 0;
  let expiringArchiveBytes = 0;
  let transitioningImageCount = 0;
  let transitioningBytes = 0;
  for (const r of preview.previewResults) {
    const size = r.imageSizeInBytes ?? 0;
    if (r.action.type === 'TRANSITION') {
      transitioningImageCount++;
      transitioningBytes += size;
    } else {
      expiringBytes += size;
      if (r.storageClass === 'ARCHIVE') expiringArchiveBytes += size;
    }
  }
  return {
    imageCount: images.length,
    standardBytes,
    archiveBytes,
    expiringImageCount: preview.previewResults.length - transitioningImageCount,
    expiringBytes,
    expiringArchiveBytes,
    transitioningImageCount,
    transitioningBytes,
    unsizedImageCount,
  };
}

export function addTotals(a: StorageTotals, b: StorageTotals): StorageTotals {
  const sum = {} as Record<keyof StorageTotals, number>;
  for (const key of Object.keys(NO_STORAGE) as (keyof StorageTotals)[]) sum[key] = a[key] + b[key];
  return sum;
}

export const storedBytes = (t: StorageTotals) => t.standardBytes + t.archiveBytes;
export const remainingImageCount = (t: StorageTotals) => t.imageCount - t.expiringImageCount - t.transitioningImageCount;
export const remainingBytes = (t: StorageTotals) => storedBytes(t) - t.expiringBytes - t.transitioningBytes;

/** Bytes in each class once the policy has acted. */
function afterPolicy(t: StorageTotals): { standard: number; archive: number } {
  return {
    standard: t.standardBytes - (t.expiringBytes - t.expiringArchiveBytes) - t.transitioningBytes,
    archive: t.archiveBytes - t.expiringArchiveBytes + t.transitioningBytes,
  };
}

/** USD per byte-month of each class, before and after the policy. */
export interface StorageRates {
  readonly before: { readonly standard: number; readonly archive: number };
  readonly after: { readonly standard: number; readonly archive: number };
}

/**
 * The rates of a whole (a registry, a template, one repository): archive bands apply to everything archived in the
 * month, so a part of the whole pays the whole's average archive rate, and the parts' bills add up to the whole's.
 */
export function storageRates(prices: StoragePrices, whole: StorageTotals): StorageRates {
  const standard = prices.standardUsdPerGbMonth / BYTES_PER_GB;
  // An empty archive is priced at its first band, the rate its first byte would pay.
  const archive = (bytes: number) => (bytes > 0 ? archiveUsdPerMonth(prices, bytes) / bytes : prices.archiveTiers[0].usdPerGbMonth / BYTES_PER_GB);
  return { before: { standard, archive: archive(whole.archiveBytes) }, after: { standard, archive: archive(afterPolicy(whole).archive) } };
}

export interface MonthlyStorage {
  readonly beforeUsd: number;
  readonly afterUsd: number;
}

export function monthlyStorage(rates: StorageRates, t: StorageTotals): MonthlyStorage {
  const after = afterPolicy(t);
  return {
    beforeUsd: roundUsd(t.standardBytes * rates.before.standard + t.archiveBytes * rates.before.archive),
    afterUsd: roundUsd(after.standard * rates.after.standard + after.archive * rates.after.archive),
  };
}

/** `bytes` in binary units; AWS's GB is the GiB shown here. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/**
 * What the figures of a whole do not show by themselves. Archiving is the trap: below the archive band that is cheaper
 * than standard storage (150 TB at published prices) an archived byte costs as much as a standard one, and restoring
 * it costs extra, so a policy that archives saves nothing there.
 */
export function storageNotes(prices: StoragePrices, whole: StorageTotals): string[] {
  const notes: string[] = [];
  if (whole.transitioningBytes > 0) {
    const archivedAfter = afterPolicy(whole).archive;
    const archiveCost = archiveUsdPerMonth(prices, archivedAfter) - archiveUsdPerMonth(prices, archivedAfter - whole.transitioningBytes);
    // Compared in micro-dollars: equal prices must compare equal, whatever the binary fractions.
    if (roundUsd(archiveCost) >= roundUsd(standardUsdPerMonth(prices, whole.transitioningBytes))) {
      const [first, cheaper] = prices.archiveTiers;
      const band = cheaper !== undefined ? ` for the first ${(first.upToGb as number) / GB_PER_TB} TB a month` : '';
      const images = whole.transitioningImageCount === 1 ? '1 image' : `${whole.transitioningImageCount} images`;
      notes.push(`archiving ${images} (${formatBytes(whole.transitioningBytes)}) saves nothing: archive storage costs ${formatPrice(first.usdPerGbMonth)} per GB-month${band}, `
        + `no less than standard storage (${formatPrice(prices.standardUsdPerGbMonth)}), restoring an image costs ${formatPrice(prices.restoreUsdPerGb)} per GB, and archived images `
        + `are billed for at least ${ARCHIVE_MINIMUM_DAYS} days. Expire these images instead`
        + `${cheaper !== undefined ? `, or archive only once the archive holds over ${(first.upToGb as number) / GB_PER_TB} TB` : ''}.`);
    }
  }
  if (whole.unsizedImageCount > 0) {
    notes.push(`${whole.unsizedImageCount === 1 ? '1 image has' : `${whole.unsizedImageCount} images have`} no imageSizeInBytes; `
      + `${whole.unsizedImageCount === 1 ? 'it counts' : 'they count'} as 0 bytes.`);
  }
  return notes;
}
