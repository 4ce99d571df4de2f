import type { ReportRow } from './report';
import { formatBytes, MonthlyStorage, remainingBytes, remainingImageCount, StorageTotals, storedBytes } from './savings';
import { printable } from '../lifecycle/show';
import type { PreviewRecord } from '../lifecycle/simulate';

/**
 * A time as AWS CLI v2 prints it, its default `cli_timestamp_format = iso8601`: Python's `datetime.isoformat()` with an
 * offset, microseconds only when there are any (`2024-05-20T10:00:00+00:00`, `2024-04-01T09:15:30.250000+00:00`; see
 * aws/aws-cli v2 tests/functional/test_timeformat.py, test_default, and "the AWS CLI version 2 converts all response
 * DateTime values to ISO 8601 format" in https://docs.aws.amazon.com/cli/latest/userguide/cli-usage-parameters-types.html).
 * The CLI writes the machine's time zone; this writes UTC, which is what it prints with TZ=UTC (CloudShell, CI runners).
 * AWS CLI v1 prints epoch seconds instead.
 */
export function awsCliTime(ms: number): string {
  const iso = new Date(ms).toISOString(); // 2024-04-01T09:15:30.250Z
  const fraction = iso.slice(20, 23);
  return `${iso.slice(0, 19)}${fraction === '000' ? '' : `.${fraction}000`}+00:00`;
}

/** What get-lifecycle-policy-preview says besides its results, as far as an offline preview can know it. */
export interface PreviewContext {
  readonly registryId?: string;
  readonly repositoryName?: string;
  /** The policy text previewed. */
  readonly lifecyclePolicyText: string;
}

/** The bytes and the bill of a preview, a repository or a total. */
export interface StorageFigures {
  readonly totals: StorageTotals;
  readonly monthly: MonthlyStorage;
}

/** Bytes in whole numbers and money in USD, the unit in every key. */
function storageJson({ totals, monthly }: StorageFigures): object {
  return {
    expiringBytes: totals.expiringBytes,
    transitioningBytes: totals.transitioningBytes,
    remainingImageCount: remainingImageCount(totals),
    remainingBytes: remainingBytes(totals),
    monthlyStorageUsdBefore: monthly.beforeUsd,
    monthlyStorageUsdAfter: monthly.afterUsd,
  };
}

/**
 * A preview as `aws ecr get-lifecycle-policy-preview` prints it, with the same fields in the same order: the registry
 * and repository when the input names them, the policy text, the status (an offline preview is always COMPLETE), the
 * results with push times as AWS CLI v2 prints them, and the summary, to which the bytes and the bill are added.
 */
export function previewJson(preview: PreviewRecord, context: PreviewContext, storage: StorageFigures): object {
  return {
    ...(context.registryId !== undefined ? { registryId: context.registryId } : {}),
    ...(context.repositoryName !== undefined ? { repositoryName: context.repositoryName } : {}),
    lifecyclePolicyText: context.lifecyclePolicyText,
    status: 'COMPLETE',
    previewResults: preview.previewResults.map((r) => ({
      imageDigest: r.imageDigest,
      imageTags: r.imageTags,
      imagePushedAt: awsCliTime(r.imagePushedAt),
      action: r.action,
      appliedRulePriority: r.appliedRulePriority,
      storageClass: r.storageClass,
    })),
    summary: { ...preview.summary, ...storageJson(storage) },
  };
}

/** Figures added up over several repositories, as the template total and the report print them. */
export function totalJson(storage: StorageFigures): object {
  const t = storage.totals;
  return {
    imageCount: t.imageCount,
    storedBytes: storedBytes(t),
    expiringImageCount: t.expiringImageCount,
    transitioningImageCount: t.transitioningImageCount,
    ...storageJson(storage),
  };
}

const HEADER = ['ACTION', 'RULE', 'PUSHED', 'STORAGE', 'DIGEST', 'TAGS'];

/** A preview as aligned columns, one acted-on image a line, then what it expires, archives and leaves, and the bill. */
export function previewTable(preview: PreviewRecord, storage: StorageFigures): string {
  const rows = preview.previewResults.map((r) => [
    r.action.type === 'TRANSITION' ? 'ARCHIVE' : 'EXPIRE',
    String(r.appliedRulePriority),
    new Date(r.imagePushedAt).toISOString().slice(0, 10),
    r.storageClass,
    // Digests and tags are copied from the input: a binary one must not reach the terminal raw.
    printable(shortDigest(r.imageDigest)),
    r.imageTags.length > 0 ? printable(r.imageTags.join(', ')) : '<untagged>',
  ]);
  const lines = rows.length > 0 ? alignColumns([HEADER, ...rows]) : [];
  return [...lines, ...summaryLines(storage)].join('\n') + '\n';
}

/** Three lines: images, bytes, the monthly bill. */
function summaryLines({ totals: t, monthly }: StorageFigures): string[] {
  return [
    `${count(t.expiringImageCount)} would expire, ${t.transitioningImageCount} would be archived, ${remainingImageCount(t)} would stay (of ${count(t.imageCount)})`,
    `${formatBytes(t.expiringBytes)} would expire, ${formatBytes(t.transitioningBytes)} would be archived, ${formatBytes(remainingBytes(t))} would stay`
      + ` (of ${formatBytes(storedBytes(t))})`,
    `storage: ${money(monthly.beforeUsd)} a month now, ${money(monthly.afterUsd)} after the policy`,
  ];
}

/** One line for each note, each ending in a newline. */
export const noteText = (notes: readonly string[]) => notes.map((n) => `note: ${printable(n)}\n`).join('');

/** The figures of several repositories added up, under a title that counts them. */
export function totalText(storage: StorageFigures, repositoryCount: number): string {
  return [`total of ${repositoryCount} repositor${repositoryCount === 1 ? 'y' : 'ies'}:`, ...summaryLines(storage)].map((l) => `${l}\n`).join('');
}

const REPORT_HEADER = ['REPOSITORY', 'IMAGES', 'STORED', 'EXPIRING', 'ARCHIVING', 'USD/MONTH NOW', 'AFTER', 'FLAGS'];

/** The ranked repositories, one a line, then the registry's total. */
export function reportTable(
  rows: readonly { row: ReportRow; monthly: MonthlyStorage }[], omitted: number, total: StorageFigures, repositoryCount: number): string {
  const lines = alignColumns([REPORT_HEADER, ...rows.map(({ row, monthly }) => [
    printable(row.repositoryName),
    String(row.storage.imageCount),
    formatBytes(storedBytes(row.storage)),
    formatBytes(row.storage.expiringBytes),
    formatBytes(row.storage.transitioningBytes),
    monthly.beforeUsd.toFixed(2),
    monthly.afterUsd.toFixed(2),
    row.flags.join(', '),
  ])]);
  if (omitted > 0) lines.push(`... ${omitted} more repositor${omitted === 1 ? 'y' : 'ies'}`);
  return lines.map((l) => `${l}\n`).join('') + totalText(total, repositoryCount);
}

/** `sha256:` and the first 12 hex digits, as `docker images` shows digests: enough to tell images apart. */
function shortDigest(digest: string): string {
  const colon = digest.indexOf(':');
  return digest.slice(0, colon + 13);
}

function count(n: number): string {
  return `${n} image${n === 1 ? '' : 's'}`;
}

const money = (usd: number) => `${usd.toFixed(2)} USD`;

/** Pads every column but the last to its widest cell. */
function alignColumns(rows: readonly string[][]): string[] {
  // A loop, not Math.max(...column): spreading 100,000 cells overflows the call stack.
  const widths = rows[0].map(() => 0);
  for (const row of rows) row.forEach((cell, col) => { widths[col] = Math.max(widths[col], cell.length); });
  return rows.map((row) => row.map((cell, col) => (col < row.length - 1 ? cell.padEnd(widths[col]) : cell)).join('  ').trimEnd());
}
