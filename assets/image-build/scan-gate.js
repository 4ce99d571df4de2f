#!/usr/bin/env node
// The scan gate's judgements: which images of a pushed digest to gate, what a scan result means, and whether an
// error of the AWS CLI is worth waiting out. build-and-push.sh runs this very file in CodeBuild (with the build
// image's Node.js, so it has no dependencies); the unit tests require it directly.
'use strict';

const SEVERITIES = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFORMATIONAL', 'UNDEFINED'];
// Inspector calls a finding without a rating UNTRIAGED; basic scanning calls it UNDEFINED.
const ALIASES = { UNTRIAGED: 'UNDEFINED' };

// ImageScanStatus.status values (ECR API reference). Basic scanning ends in COMPLETE; enhanced scanning reports ACTIVE
// once the first scan is done, and keeps scanning.
const FINISHED = ['COMPLETE', 'ACTIVE'];
const RUNNING = ['IN_PROGRESS', 'PENDING'];
// Statuses a scan never leaves by waiting: the gate fails at once, saying why.
const NEVER_FINISHES = {
  FAILED: 'the scan failed',
  UNSUPPORTED_IMAGE: 'ECR cannot scan this image (its operating system or media type is not supported)',
  SCAN_ELIGIBILITY_EXPIRED: 'the image is past the enhanced-scanning duration of the registry, so Amazon Inspector no longer scans it',
  FINDINGS_UNAVAILABLE: 'Amazon Inspector has no findings for this image any more',
  LIMIT_EXCEEDED: 'a scan limit of the registry was exceeded',
  IMAGE_ARCHIVED: 'the image is archived, and archived images are not scanned',
};

// Errors of `aws ecr describe-image-scan-findings` that waiting can cure: the scan has not started yet (scan on push
// and Inspector start shortly after the push), throttling, and failures of the service or the network.
const RETRYABLE_CODES = ['ScanNotFoundException', 'ThrottlingException', 'ServerException'];
const NETWORK_ERRORS = ['Could not connect to the endpoint URL', 'Read timeout on endpoint URL', 'Connection was closed before we received a valid response'];

// An image index (multi-architecture image) is never scanned by ECR ("An artifact with media type
// 'application/vnd.oci.image.index.v1+json' cannot be scanned"); only the images it lists are.
const INDEX_TYPES = ['application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json'];

function normalize(severity) {
  const upper = String(severity).toUpperCase();
  return ALIASES[upper] || (SEVERITIES.includes(upper) ? upper : 'UNDEFINED');
}

/**
 * The images to gate for a pushed digest, as { digest, platform }: the images an index lists (attestation manifests
 * and unknown platforms aside, which are metadata, not runnable images), or the image itself.
 */
function imagesToGate(digest, manifest) {
  if (!manifest || typeof manifest !== 'object') throw new Error('the manifest is not a JSON object');
  const isIndex = INDEX_TYPES.includes(manifest.mediaType) || Array.isArray(manifest.manifests);
  if (!isIndex) return [{ digest, platform: 'image' }];
  const images = (manifest.manifests || []).filter((m) => {
    const annotations = m.annotations || {};
    const platform = m.platform || {};
    return annotations['vnd.docker.reference.type'] !== 'attestation-manifest' && !(platform.os === 'unknown' && platform.architecture === 'unknown');
  }).map((m) => ({
    digest: m.digest,
    platform: m.platform ? [m.platform.os, m.platform.architecture, m.platform.variant].filter(Boolean).join('/') : 'image',
  }));
  if (images.length === 0) throw new Error(`the image index ${digest} lists no image to gate`);
  return images;
}

/** Counts findings by severity in `aws ecr describe-image-scan-findings` output (basic or enhanced scanning). */
function countFindings(scan) {
  const counts = Object.fromEntries(SEVERITIES.map((s) => [s, 0]));
  // Severity counts cover every finding, while the finding list is paginated; enhanced scanning may send only the list.
  const totals = scan.findingSeverityCounts || {};
  if (Object.keys(totals).length > 0) {
    for (const [severity, n] of Object.entries(totals)) counts[normalize(severity)] += Number(n);
  } else {
    for (const f of scan.enhancedFindings || []) if ((f.status || 'ACTIVE') === 'ACTIVE') counts[normalize(f.severity)]++;
  }
  return counts;
}

/**
 * What a describe-image-scan-findings result means for the gate at `threshold`:
 * - { state: 'running', status } while the scan is not finished;
 * - { state: 'passed' | 'blocked', counts, blocking, summary } once it is;
 * - throws when the scan will never finish or the result is not a scan result, so such an image can never pass.
 */
function judge(results, threshold) {
  const limit = SEVERITIES.indexOf(String(threshold).toUpperCase());
  if (limit < 0) throw new Error(`unknown severity threshold ${JSON.stringify(threshold)}; use one of ${SEVERITIES.join(', ')}`);
  const scanStatus = results && results.imageScanStatus;
  if (!scanStatus) throw new Error('the scan result has no imageScanStatus (expected the output of aws ecr describe-image-scan-findings)');
  const status = scanStatus.status;
  if (RUNNING.includes(status)) return { state: 'running', status };
  if (!FINISHED.includes(status)) {
    const meaning = NEVER_FINISHES[status] || 'a status the gate does not know';
    const description = scanStatus.description ? ` (${scanStatus.description})` : '';
    throw new Error(`the scan ended in ${status}: ${meaning}${description}`);
  }
  if (!results.imageScanFindings) throw new Error(`a ${status} scan without imageScanFindings`);
  const counts = countFindings(results.imageScanFindings);
  const blocking = SEVERITIES.slice(0, limit + 1).filter((s) => counts[s] > 0);
  const summary = SEVERITIES.filter((s) => counts[s] > 0).map((s) => `${s}=${counts[s]}`).join(' ') || 'no findings';
  return { state: blocking.length === 0 ? 'passed' : 'blocked', counts, blocking, summary };
}

/** Whether an error printed by the AWS CLI is worth waiting out: { retry, code, message }. */
function classifyError(stderr) {
  const text = String(stderr).trim();
  const match = /An error occurred \(([A-Za-z]+)\)/.exec(text);
  const code = match ? match[1] : undefined;
  const retry = (code !== undefined && RETRYABLE_CODES.includes(code)) || NETWORK_ERRORS.some((e) => text.includes(e));
  return { retry, code, message: text.split('\n').filter((l) => l.trim() !== '').pop() || '(no error text)' };
}

module.exports = { SEVERITIES, NEVER_FINISHES, imagesToGate, judge, classifyError };

// The command line build-and-push.sh uses; every mode reads its input on stdin.
//   scan-gate.js images DIGEST              < manifest            prints "digest platform" per image to gate
//   scan-gate.js judge THRESHOLD IMAGE      < scan findings       exit 0 passed, 1 blocked, 3 still running;
//                                                                 2 (reason on stderr) never finishes or unusable
//   scan-gate.js error                      < aws CLI stderr      exit 3 worth waiting out, 2 not (reason on stderr)
function main(argv, input) {
  const [mode, ...args] = argv;
  if (mode === 'images') {
    return { status: 0, stdout: imagesToGate(args[0], JSON.parse(input)).map((i) => `${i.digest} ${i.platform}\n`).join('') };
  }
  if (mode === 'judge') {
    const [threshold, image] = args;
    const verdict = judge(JSON.parse(input), threshold);
    if (verdict.state === 'running') return { status: 3, stdout: `${verdict.status}\n` };
    const outcome = verdict.state === 'passed' ? 'passed' : `blocked by ${verdict.blocking.join(', ')}`;
    return { status: verdict.state === 'passed' ? 0 : 1, stdout: `scan gate (threshold ${threshold}): ${image}: ${outcome}; findings: ${verdict.summary}\n` };
  }
  if (mode === 'error') {
    const error = classifyError(input);
    if (error.retry) return { status: 3, stdout: `${error.code || 'network error'}\n` };
    const hint = error.code === 'AccessDeniedException'
      ? '. Under enhanced scanning, DescribeImageScanFindings also needs inspector2:ListFindings and inspector2:ListCoverage (ScanGate.enhanced() grants them)'
      : '';
    return { status: 2, stderr: `${error.message}${hint}\n` };
  }
  throw new Error(`unknown mode ${JSON.stringify(mode)}; use images, judge or error`);
}

if (require.main === module) {
  let input = '';
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (chunk) => { input += chunk; });
  process.stdin.on('end', () => {
    try {
      const result = main(process.argv.slice(2), input);
      if (result.stdout) process.stdout.write(result.stdout);
      if (result.stderr) process.stderr.write(result.stderr);
      process.exitCode = result.status;
    } catch (e) {
      process.stderr.write(`${e.message}\n`);
      process.exitCode = 2;
    }
  });
}
