/**
 * What ECR storage costs: the one place that knows the prices. Pure arithmetic, no I/O.
 *
 * Published prices (https://aws.amazon.com/ecr/pricing/, checked March 2026 for us-east-1 and ap-northeast-1; other
 * regions and private contracts differ, hence the --price-* flags): standard storage 0.10 USD per GB-month; archive
 * storage 0.10 USD per GB-month for the first 150 TB a month and 0.07 above, plus 0.03 USD per GB restored and a
 * 90-day minimum storage duration. Below 150 TB archiving therefore saves nothing and adds restore fees.
 */

/**
 * AWS bills storage in GB of 2^30 bytes and TB of 1,024 GB: Amazon S3's pricing example converts "100GB
 * (107,374,182,400 bytes)" and divides byte-hours by "1 GB / 1,073,741,824 bytes"; its FAQ bills 10 TB as
 * 10,995,116,277,760 bytes (https://aws.amazon.com/s3/pricing/, https://aws.amazon.com/s3/faqs/). ECR's storage is
 * metered the same way (usage type TimedStorage-ByteHrs).
 */
export const BYTES_PER_GB = 2 ** 30;
export const GB_PER_TB = 1024;

/** One price band of archive storage: `usdPerGbMonth` for the GB of a month up to `upToGb` (the last band: all above). */
export interface PriceTier {
  readonly upToGb?: number;
  readonly usdPerGbMonth: number;
}

export interface StoragePrices {
  readonly standardUsdPerGbMonth: number;
  /** Ascending bands; a single band is a flat price. */
  readonly archiveTiers: readonly PriceTier[];
  readonly restoreUsdPerGb: number;
}

export const PUBLISHED_PRICES: StoragePrices = {
  standardUsdPerGbMonth: 0.10,
  archiveTiers: [{ upToGb: 150 * GB_PER_TB, usdPerGbMonth: 0.10 }, { usdPerGbMonth: 0.07 }],
  restoreUsdPerGb: 0.03,
};

/** An archived image is billed for at least this many days, even when deleted or restored sooner. */
export const ARCHIVE_MINIMUM_DAYS = 90;

/** Prices a user gave for their region or contract; an archive price replaces the bands with one flat price. */
export interface PriceOverrides {
  readonly standardUsdPerGbMonth?: number;
  readonly archiveUsdPerGbMonth?: number;
  readonly restoreUsdPerGb?: number;
}

export function withOverrides(prices: StoragePrices, overrides: PriceOverrides): StoragePrices {
  return {
    standardUsdPerGbMonth: overrides.standardUsdPerGbMonth ?? prices.standardUsdPerGbMonth,
    archiveTiers: overrides.archiveUsdPerGbMonth !== undefined ? [{ usdPerGbMonth: overrides.archiveUsdPerGbMonth }] : prices.archiveTiers,
    restoreUsdPerGb: overrides.restoreUsdPerGb ?? prices.restoreUsdPerGb,
  };
}

/** A month of `bytes` in the archive class, band by band. */
export function archiveUsdPerMonth(prices: StoragePrices, bytes: number): number {
  let gb = bytes / BYTES_PER_GB;
  let usd = 0;
  let floor = 0;
  for (const tier of prices.archiveTiers) {
    const inTier = tier.upToGb === undefined ? gb : Math.min(gb, tier.upToGb - floor);
    usd += inTier * tier.usdPerGbMonth;
    gb -= inTier;
    floor = tier.upToGb ?? floor;
    if (gb <= 0) break;
  }
  return usd;
}

export function standardUsdPerMonth(prices: StoragePrices, bytes: number): number {
  return (bytes / BYTES_PER_GB) * prices.standardUsdPerGbMonth;
}

/** A price as its table writes it: at least two decimals, all that it has (0.10, 0.023). */
export function formatPrice(usd: number): string {
  const decimals = (String(roundUsd(usd)).split('.')[1] ?? '').length;
  return `${usd.toFixed(Math.max(2, decimals))} USD`;
}

/** A USD amount as money is shown and compared: to the micro-dollar, without binary-fraction noise such as 0.30000000000000004. */
export function roundUsd(usd: number): number {
  return Math.round(usd * 1e6) / 1e6;
}
