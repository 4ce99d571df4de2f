#!/usr/bin/env node
// The scan gate: which images of a pushed digest to gate, when each image's scan has ended, and what its result means.
// build-and-push.sh runs this very file in CodeBuild, and docs/github-actions/publish-image.yml runs it from the npm
// package (each with the Node.js at hand, so it has no dependencies); the unit tests require it directly and give it
// their own AWS CLI, clock and sleep.
'use strict';
const { spawnSync } = require('child_process');

const SEVERITIES = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFORMATIONAL', 'UNDEFINED'];
// Inspector calls a finding without a rating UNTRIAGED; basic scanning calls it UNDEFINED.
const ALIASES = { UNTRIAGED: 'UNDEFINED' };

// ImageScanStatus.status values (ECR API reference). Basic scanning ends in COMPLETE, which is authoritative for it;
// enhanced scanning reports ACTIVE (or COMPLETE) and keeps scanning, and its status is not the end of the first scan:
// see COVERAGE_SCANNED.
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

// Errors of `aws ecr describe-image-scan-findings` and `aws inspector2 list-coverage` that waiting can cure: no scan
// yet (scan on push starts shortly after the push), throttling, and failures of the services (ECR's ServerException,
// Inspector's InternalServerException) or of the network.
const RETRYABLE_CODES = ['ScanNotFoundException', 'ThrottlingException', 'ServerException', 'InternalServerException'];
const NETWORK_ERRORS = ['Could not connect to the endpoint URL', 'Read timeout on endpoint URL', 'Connection was closed before we received a valid response'];

// Under enhanced scanning ECR's status can read ACTIVE or COMPLETE before Amazon Inspector's findings exist
// (aws/aws-sdk#289, aws/aws-cli#6759), so the gate first waits for Inspector's own record of the image
// (ListCoverage: a CoveredResource of type AWS_ECR_CONTAINER_IMAGE), then reads ECR's findings. That findings are
// readable once the record reads scanned is observed, not documented: AWS documents no order between an image's
// "Inspector2 Finding" events and its "Inspector2 Scan" INITIAL_SCAN_COMPLETE (EventBridge delivers best effort).
// ScanStatus.reason values (Inspector2 API reference) that apply to container images, and what each means here.
// The first scan has ended once the record has lastScannedAt and one of these reasons:
const COVERAGE_SCANNED = {
  SUCCESSFUL: 'the scan was successful',
  SCAN_FREQUENCY_SCAN_ON_PUSH: 'the image is scanned one time, on push',
};
// Reasons a scan is still to come:
const COVERAGE_PENDING = {
  PENDING_INITIAL_SCAN: 'identified for scanning, results available soon',
  SCAN_IN_PROGRESS: 'being scanned',
  PENDING_REVIVAL_SCAN: 'to be scanned again (a revival scan), results available soon',
  INTERNAL_ERROR: 'an internal error, which Amazon Inspector resolves itself and resumes scanning',
};
// Reasons Inspector cannot scan the image at all: the gate fails unless told to pass such images unscanned.
const COVERAGE_UNSUPPORTED = {
  UNSUPPORTED_OS: 'Amazon Inspector does not support its operating system, architecture or manifest type',
  UNSUPPORTED_MEDIA_TYPE: 'Amazon Inspector does not support its media type',
};
// Reasons the image will not be scanned: the gate fails at once, saying why.
const COVERAGE_NEVER = {
  ACCESS_DENIED: 'a resource policy keeps Amazon Inspector out',
  ACCESS_DENIED_TO_ENCRYPTION_KEY: 'the KMS key policy does not let Amazon Inspector use the key',
  SCAN_ELIGIBILITY_EXPIRED: 'the scan duration configured for the registry has lapsed for this image',
  SCAN_FREQUENCY_MANUAL: 'the registry\'s scan frequency for the repository is manual, so Amazon Inspector does not cover it',
  EXCLUDED_BY_TAG: 'a tag excludes it from scanning',
  IMAGE_ARCHIVED: 'the image is archived in ECR, and Amazon Inspector no longer scans it',
  RESOURCE_TERMINATED: 'the image is gone, and its coverage is being cleaned up',
  PENDING_DISABLE: 'Amazon Inspector scanning is being turned off',
};

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

const has = (table, key) => Object.prototype.hasOwnProperty.call(table, key);

/**
 * What Inspector's coverage record of an image means for the gate: { state: 'scanned' } once the first scan has ended,
 * { state: 'pending', status } before, { state: 'unsupported', reason, meaning } when Inspector cannot scan it; throws
 * when the image will not be scanned.
 */
function judgeCoverage(resource) {
  const { statusCode, reason } = resource.scanStatus || {};
  const status = `${statusCode} ${reason}`;
  if (has(COVERAGE_SCANNED, reason)) return resource.lastScannedAt ? { state: 'scanned' } : { state: 'pending', status: `${status}, not scanned yet` };
  if (has(COVERAGE_PENDING, reason)) return { state: 'pending', status };
  if (has(COVERAGE_UNSUPPORTED, reason)) return { state: 'unsupported', reason, meaning: COVERAGE_UNSUPPORTED[reason] };
  throw new Error(`Amazon Inspector will not scan it (${status}): ${has(COVERAGE_NEVER, reason) ? COVERAGE_NEVER[reason] : 'a reason the gate does not know'}`);
}

/**
 * The coverage record of one image among `aws inspector2 list-coverage` results, if there is one yet. An image's
 * resourceId is its repository's ARN and its digest; a delegated administrator also sees its member accounts' images.
 */
function coverageOf(listing, account, repository, digest) {
  const suffix = `:${account}:repository/${repository}/${digest}`;
  return (listing.coveredResources || []).find((r) => r.resourceType === 'AWS_ECR_CONTAINER_IMAGE' && String(r.resourceId).endsWith(suffix));
}

const equals = (value) => [{ comparison: 'EQUALS', value }];

/** The AWS CLI calls of one poll. The CLI pages through list-coverage itself. */
function coverageArgs(config) {
  const filter = { resourceType: equals('AWS_ECR_CONTAINER_IMAGE'), ecrRepositoryName: equals(config.repository) };
  return ['inspector2', 'list-coverage', '--region', config.region, '--filter-criteria', JSON.stringify(filter), '--output', 'json'];
}
function findingsArgs(config, digest) {
  return ['ecr', 'describe-image-scan-findings', '--region', config.region, '--repository-name', config.repository,
    '--image-id', `imageDigest=${digest}`, '--output', 'json'];
}

const DENIED_HINTS = {
  findings: '. Under enhanced scanning, DescribeImageScanFindings also needs inspector2:ListFindings and inspector2:ListCoverage (ScanGate.enhanced() grants them)',
  coverage: '. The enhanced gate reads the image\'s coverage with inspector2:ListCoverage (ScanGate.enhanced() grants it)',
};

/** Runs one AWS CLI call: { result } parsed, or { waiting } for an error worth waiting out; throws for any other. */
function callAws(deps, args, what, hint, image) {
  const run = deps.aws(args);
  if (run.status !== 0) {
    const error = classifyError(run.stderr);
    if (error.retry) return { waiting: error.code || 'network error' };
    throw new Error(`could not read ${what} of ${image}: ${error.message}${error.code === 'AccessDeniedException' ? DENIED_HINTS[hint] : ''}`);
  }
  return { result: cannotPass(image, () => JSON.parse(run.stdout)) };
}

function cannotPass(image, decide) {
  try {
    return decide();
  } catch (e) {
    throw new Error(`the scan gate cannot pass ${image}: ${e.message}`);
  }
}

/** One look at an image's scan: { verdict } once it is judged, { waiting: what it waits for } before. */
function poll(config, deps, image) {
  const label = `${image.platform} ${image.digest}`;
  // Inspector's record first: findings read after it says the scan has ended are all there.
  const listing = config.mode === 'enhanced' ? callAws(deps, coverageArgs(config), 'the Amazon Inspector coverage', 'coverage', label) : undefined;
  if (listing && listing.waiting) return listing;
  const findings = callAws(deps, findingsArgs(config, image.digest), 'the scan', 'findings', label);
  if (findings.waiting) return findings;
  if (listing) {
    const resource = coverageOf(listing.result, findings.result.registryId, config.repository, image.digest);
    if (!resource) return { waiting: 'no Amazon Inspector coverage of the image yet' };
    const coverage = cannotPass(label, () => judgeCoverage(resource));
    if (coverage.state === 'pending') return { waiting: `Amazon Inspector: ${coverage.status}` };
    if (coverage.state === 'unsupported') {
      if (!config.passUnsupported) {
        throw new Error(`the scan gate cannot pass ${label}: ${coverage.meaning} (${coverage.reason}). To pass such images unscanned, set `
          + 'SCAN_GATE_PASS_UNSUPPORTED=true (ScanGate.enhanced(threshold, { passUnsupportedImages: true }))');
      }
      return { verdict: { state: 'unscanned', summary: `${coverage.meaning} (${coverage.reason}); SCAN_GATE_PASS_UNSUPPORTED=true passes it unscanned` } };
    }
  }
  const verdict = cannotPass(label, () => judge(findings.result, config.threshold));
  return verdict.state === 'running' ? { waiting: `status ${verdict.status}` } : { verdict };
}

/**
 * Waits for the scan of every image and judges it, all within one deadline: returns the platforms whose findings
 * block; throws when an image cannot pass (no scan by the deadline, a scan that never ends, an error waiting cannot cure).
 */
async function waitForScans(config, deps, images) {
  const deadline = deps.now() + config.timeoutSeconds * 1000;
  const blocked = [];
  for (const image of images) {
    const label = `${image.platform} ${image.digest}`;
    let step = poll(config, deps, image);
    while (!step.verdict) {
      const left = deadline - deps.now();
      if (left <= 0) {
        throw new Error(`no finished scan of ${label} after ${config.timeoutSeconds}s (last: ${step.waiting}); is scan on push or enhanced scanning on?`);
      }
      deps.log(`scan gate: waiting for the ${config.mode} scan of ${label} (${step.waiting})`);
      await deps.sleep(Math.min(config.pollSeconds * 1000, left));
      step = poll(config, deps, image);
    }
    const { verdict } = step;
    const outcome = { passed: 'passed', unscanned: 'passed without a scan' }[verdict.state] || `blocked by ${verdict.blocking.join(', ')}`;
    deps.log(`scan gate (threshold ${config.threshold}): ${label}: ${outcome}; ${verdict.state === 'unscanned' ? '' : 'findings: '}${verdict.summary}`);
    if (verdict.state === 'blocked') blocked.push(image.platform);
  }
  return blocked;
}

/** How long the gate waits by default: ImageBuildProject's scanGateTimeout with the build's default timeout of 1 hour. */
const DEFAULT_TIMEOUT_SECONDS = 1800;

/** The wait's settings, from the variables build-and-push.sh and the sample workflow set; throws naming every problem. */
function gateConfig(env) {
  const problems = [];
  const seconds = (name, fallback) => {
    const value = env[name] === undefined || env[name] === '' ? fallback : Number(env[name]);
    if (!(Number.isFinite(value) && value > 0)) problems.push(`${name} must be a positive number of seconds, got ${JSON.stringify(env[name])}`);
    return value;
  };
  const config = {
    mode: env.SCAN_GATE,
    threshold: String(env.SCAN_GATE_THRESHOLD || 'CRITICAL').toUpperCase(),
    region: env.AWS_REGION,
    repository: env.IMAGE_REPOSITORY_NAME,
    timeoutSeconds: seconds('SCAN_TIMEOUT_SECONDS', DEFAULT_TIMEOUT_SECONDS),
    pollSeconds: seconds('SCAN_POLL_SECONDS', 10),
    passUnsupported: env.SCAN_GATE_PASS_UNSUPPORTED === 'true',
  };
  if (!['basic', 'enhanced'].includes(config.mode)) problems.push(`SCAN_GATE must be basic or enhanced, got ${JSON.stringify(env.SCAN_GATE)}`);
  if (!SEVERITIES.includes(config.threshold)) problems.push(`SCAN_GATE_THRESHOLD must be one of ${SEVERITIES.join(', ')}, got ${JSON.stringify(env.SCAN_GATE_THRESHOLD)}`);
  for (const name of ['AWS_REGION', 'IMAGE_REPOSITORY_NAME']) if (!env[name]) problems.push(`${name} is required`);
  if (problems.length > 0) throw new Error(problems.join('; '));
  return config;
}

module.exports = {
  SEVERITIES, NEVER_FINISHES, COVERAGE_SCANNED, COVERAGE_PENDING, COVERAGE_UNSUPPORTED, COVERAGE_NEVER, DEFAULT_TIMEOUT_SECONDS,
  imagesToGate, judge, judgeCoverage, classifyError, gateConfig, waitForScans, main,
};

// The command line; every mode reads its input on stdin.
//   scan-gate.js images DIGEST   < manifest               prints "digest platform" per image to gate
//   scan-gate.js wait            < "digest platform" lines  waits for and judges each image's scan (settings: gateConfig);
//                                                            exit 0 passed, 1 blocked ("findings in: PLATFORMS" on
//                                                            stderr), 2 cannot pass (the reason on stderr)
async function main(argv, input, deps) {
  const [mode, ...args] = argv;
  if (mode === 'images') {
    return { status: 0, stdout: imagesToGate(args[0], JSON.parse(input)).map((i) => `${i.digest} ${i.platform}\n`).join('') };
  }
  if (mode === 'wait') {
    const images = input.split('\n').filter((l) => l.trim() !== '').map((l) => {
      const [digest, platform] = l.trim().split(/\s+/);
      return { digest, platform: platform || 'image' };
    });
    if (images.length === 0) throw new Error('no image to wait for: give "digest platform" lines on stdin');
    const blocked = await waitForScans(gateConfig(deps.env), deps, images);
    return blocked.length === 0 ? { status: 0 } : { status: 1, stderr: `findings in: ${blocked.join(' ')}\n` };
  }
  throw new Error(`unknown mode ${JSON.stringify(mode)}; use images or wait`);
}

if (require.main === module) {
  const deps = {
    env: process.env,
    aws: (args) => {
      // Findings of a large image run to megabytes.
      const run = spawnSync('aws', args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
      if (run.error) throw new Error(`cannot run the AWS CLI (aws ${args.slice(0, 2).join(' ')}): ${run.error.message}`);
      return run;
    },
    now: () => Date.now(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    log: (line) => process.stdout.write(`${line}\n`),
  };
  let input = '';
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (chunk) => { input += chunk; });
  process.stdin.on('end', () => {
    main(process.argv.slice(2), input, deps).then((result) => {
      if (result.stdout) process.stdout.write(result.stdout);
      if (result.stderr) process.stderr.write(result.stderr);
      process.exitCode = result.status;
    }, (e) => {
      process.stderr.write(`${e.message}\n`);
      process.exitCode = 2;
    });
  });
}
