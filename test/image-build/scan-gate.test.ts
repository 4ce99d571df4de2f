import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { Duration } from 'aws-cdk-lib';
import { SCAN_GATE_FILE } from '../../src/image-build/buildspec';
import { SEVERITY_ORDER } from '../../src/scanning/severity';
import { scratchDir } from '../support/clean-outdirs';
import { missingSystemDeps } from '../support/rehearsal';
import { describeNeeding } from '../support/system-deps';

interface AwsRun { status: number; stdout: string; stderr: string }
interface Deps { env: Record<string, string>; aws(args: string[]): AwsRun; now(): number; sleep(ms: number): Promise<void>; log(line: string): void }

// The very file the build runs (fetched by the buildspec, checked against its SHA-256).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const gate = require(SCAN_GATE_FILE) as {
  SEVERITIES: string[];
  NEVER_FINISHES: Record<string, string>;
  COVERAGE_SCANNED: Record<string, string>;
  COVERAGE_PENDING: Record<string, string>;
  COVERAGE_UNSUPPORTED: Record<string, string>;
  COVERAGE_NEVER: Record<string, string>;
  DEFAULT_TIMEOUT_SECONDS: number;
  imagesToGate(digest: string, manifest: unknown): Array<{ digest: string; platform: string }>;
  judge(results: unknown, threshold: string): { state: string; status?: string; blocking?: string[]; summary?: string };
  judgeCoverage(resource: unknown): { state: string; status?: string; reason?: string; meaning?: string };
  classifyError(stderr: string): { retry: boolean; code?: string; message: string };
  main(argv: string[], input: string, deps: Deps): Promise<{ status: number; stdout?: string; stderr?: string }>;
};
const fixture = (name: string) => JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', name), 'utf8'));
const digest = (c: string) => `sha256:${c.repeat(64)}`;
const status = (value: string, extra: Record<string, unknown> = {}) => ({ imageScanStatus: { status: value }, ...extra });

describe('scan gate: judging a scan result', () => {
  test('the gate ranks severities exactly as the library does (the file must stay standalone, so the order is checked)', () => {
    expect(gate.SEVERITIES).toEqual(SEVERITY_ORDER);
  });

  test.each<[string, string, string, string[], string]>([
    ['basic-clean.json', 'CRITICAL', 'passed', [], 'MEDIUM=2 LOW=5 INFORMATIONAL=1'],
    ['basic-clean.json', 'MEDIUM', 'blocked', ['MEDIUM'], 'MEDIUM=2 LOW=5 INFORMATIONAL=1'],
    ['basic-critical.json', 'CRITICAL', 'blocked', ['CRITICAL'], 'CRITICAL=1 HIGH=3 UNDEFINED=2'],
    ['basic-critical.json', 'HIGH', 'blocked', ['CRITICAL', 'HIGH'], 'CRITICAL=1 HIGH=3 UNDEFINED=2'],
    // Enhanced scanning without counts: only ACTIVE findings count (the suppressed CRITICAL does not), UNTRIAGED is UNDEFINED.
    ['enhanced-high.json', 'CRITICAL', 'passed', [], 'HIGH=1 UNDEFINED=1'],
    ['enhanced-high.json', 'HIGH', 'blocked', ['HIGH'], 'HIGH=1 UNDEFINED=1'],
    ['enhanced-high.json', 'UNDEFINED', 'blocked', ['HIGH', 'UNDEFINED'], 'HIGH=1 UNDEFINED=1'],
  ])('%s at threshold %s: %s', (file, threshold, state, blocking, summary) => {
    expect(gate.judge(fixture(file), threshold)).toEqual(expect.objectContaining({ state, blocking, summary }));
  });

  test.each(['IN_PROGRESS', 'PENDING'])('%s: the scan is still running, so the build waits', (value) => {
    expect(gate.judge(status(value), 'CRITICAL')).toEqual({ state: 'running', status: value });
  });

  test.each<[string, string]>([
    ['FAILED', 'the scan ended in FAILED: the scan failed'],
    ['UNSUPPORTED_IMAGE', 'the scan ended in UNSUPPORTED_IMAGE: ECR cannot scan this image (its operating system or media type is not supported)'],
    ['SCAN_ELIGIBILITY_EXPIRED', 'the scan ended in SCAN_ELIGIBILITY_EXPIRED: the image is past the enhanced-scanning duration of the registry, so Amazon Inspector no longer scans it'],
    ['FINDINGS_UNAVAILABLE', 'the scan ended in FINDINGS_UNAVAILABLE: Amazon Inspector has no findings for this image any more'],
    ['LIMIT_EXCEEDED', 'the scan ended in LIMIT_EXCEEDED: a scan limit of the registry was exceeded'],
    ['IMAGE_ARCHIVED', 'the scan ended in IMAGE_ARCHIVED: the image is archived, and archived images are not scanned'],
    ['SOMETHING_NEW', 'the scan ended in SOMETHING_NEW: a status the gate does not know'],
  ])('%s never finishes: the gate fails at once, saying why', (value, message) => {
    expect(() => gate.judge(status(value), 'CRITICAL')).toThrow(new Error(message));
  });

  test('every status ECR documents besides the running and finished ones has a meaning', () => {
    // ImageScanStatus.status in the ECR API reference.
    const documented = ['IN_PROGRESS', 'COMPLETE', 'FAILED', 'UNSUPPORTED_IMAGE', 'ACTIVE', 'PENDING', 'SCAN_ELIGIBILITY_EXPIRED', 'FINDINGS_UNAVAILABLE', 'LIMIT_EXCEEDED', 'IMAGE_ARCHIVED'];
    expect(Object.keys(gate.NEVER_FINISHES).sort()).toEqual(documented.filter((s) => !['IN_PROGRESS', 'PENDING', 'COMPLETE', 'ACTIVE'].includes(s)).sort());
  });

  test.each<[string, unknown, string]>([
    ['a result without a status', { imageScanFindings: {} }, 'the scan result has no imageScanStatus (expected the output of aws ecr describe-image-scan-findings)'],
    ['a finished scan must carry its findings', status('COMPLETE'), 'a COMPLETE scan without imageScanFindings'],
    ['a description is passed on', status('FAILED', { imageScanStatus: { status: 'FAILED', description: 'Internal error' } }), 'the scan ended in FAILED: the scan failed (Internal error)'],
  ])('%s', (_name, results, message) => {
    expect(() => gate.judge(results, 'CRITICAL')).toThrow(new Error(message));
  });

  test('an unknown threshold is refused', () => {
    expect(() => gate.judge(fixture('basic-clean.json'), 'SEVERE')).toThrow('unknown severity threshold "SEVERE"; use one of CRITICAL, HIGH, MEDIUM, LOW, INFORMATIONAL, UNDEFINED');
  });
});

describe('scan gate: which images of a digest to gate', () => {
  const platform = (system: string, architecture: string, extra: Record<string, unknown> = {}) => ({ os: system, architecture, ...extra });

  test('a single image is gated itself', () => {
    const manifest = { schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: {}, layers: [] };
    expect(gate.imagesToGate(digest('a'), manifest)).toEqual([{ digest: digest('a'), platform: 'image' }]);
  });

  test.each([
    'application/vnd.oci.image.index.v1+json',
    'application/vnd.docker.distribution.manifest.list.v2+json',
  ])('an index (%s) is never scanned: each platform\'s image is gated, attestations and unknown platforms are not', (mediaType) => {
    const manifest = {
      schemaVersion: 2,
      mediaType,
      manifests: [
        { digest: digest('1'), platform: platform('linux', 'amd64') },
        { digest: digest('2'), platform: platform('linux', 'arm64', { variant: 'v8' }) },
        { digest: digest('3'), platform: platform('unknown', 'unknown') },
        { digest: digest('4'), platform: platform('linux', 'amd64'), annotations: { 'vnd.docker.reference.type': 'attestation-manifest' } },
      ],
    };
    expect(gate.imagesToGate(digest('f'), manifest)).toEqual([
      { digest: digest('1'), platform: 'linux/amd64' },
      { digest: digest('2'), platform: 'linux/arm64/v8' },
    ]);
  });

  test('an index with nothing to gate is refused', () => {
    const manifest = { mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [{ digest: digest('3'), platform: platform('unknown', 'unknown') }] };
    expect(() => gate.imagesToGate(digest('f'), manifest)).toThrow(new Error(`the image index ${digest('f')} lists no image to gate`));
  });
});

describe('scan gate: errors of the AWS CLI', () => {
  const awsError = (code: string, operation: string, message: string) => `\nAn error occurred (${code}) when calling the ${operation} operation: ${message}\n`;

  test.each<[string, boolean, string, string | undefined]>([
    ['no scan yet', true, awsError('ScanNotFoundException', 'DescribeImageScanFindings', 'Image scan does not exist for the image'), 'ScanNotFoundException'],
    ['throttled', true, awsError('ThrottlingException', 'DescribeImageScanFindings', 'Rate exceeded'), 'ThrottlingException'],
    ['an ECR failure', true, awsError('ServerException', 'DescribeImageScanFindings', 'internal'), 'ServerException'],
    // ListCoverage's errors (Inspector2 API reference): ValidationException, ThrottlingException, InternalServerException.
    ['Inspector throttled', true, awsError('ThrottlingException', 'ListCoverage', 'Rate exceeded'), 'ThrottlingException'],
    ['an Inspector failure', true, awsError('InternalServerException', 'ListCoverage', 'internal'), 'InternalServerException'],
    ['an Inspector request refused', false, awsError('ValidationException', 'ListCoverage', 'invalid filter'), 'ValidationException'],
    ['no network', true, '\nCould not connect to the endpoint URL: "https://api.ecr.eu-west-1.amazonaws.com/"\n', undefined],
    ['denied', false, awsError('AccessDeniedException', 'DescribeImageScanFindings', 'User: arn:aws:sts::111111111111:assumed-role/build is not authorized to perform: inspector2:ListFindings'), 'AccessDeniedException'],
    ['no such repository', false, awsError('RepositoryNotFoundException', 'DescribeImageScanFindings', "The repository with name 'team/app' does not exist"), 'RepositoryNotFoundException'],
    ['no such image', false, awsError('ImageNotFoundException', 'DescribeImageScanFindings', 'The image requested does not exist'), 'ImageNotFoundException'],
    ['anything else', false, 'Traceback (most recent call last): ...', undefined],
  ])('%s: retry %s', (_name, retry, stderr, code) => {
    expect(gate.classifyError(stderr)).toEqual({ retry, code, message: stderr.trim().split('\n').pop() });
  });
});

// ScanStatus.reason, every value the Inspector2 API reference lists (ScanStatusReason).
const DOCUMENTED_REASONS = [
  'PENDING_INITIAL_SCAN', 'ACCESS_DENIED', 'INTERNAL_ERROR', 'UNMANAGED_EC2_INSTANCE', 'UNSUPPORTED_OS', 'SCAN_ELIGIBILITY_EXPIRED',
  'RESOURCE_TERMINATED', 'SUCCESSFUL', 'NO_RESOURCES_FOUND', 'IMAGE_SIZE_EXCEEDED', 'SCAN_FREQUENCY_MANUAL', 'SCAN_FREQUENCY_SCAN_ON_PUSH',
  'EC2_INSTANCE_STOPPED', 'PENDING_DISABLE', 'NO_INVENTORY', 'STALE_INVENTORY', 'EXCLUDED_BY_TAG', 'UNSUPPORTED_RUNTIME', 'UNSUPPORTED_MEDIA_TYPE',
  'UNSUPPORTED_CONFIG_FILE', 'DEEP_INSPECTION_PACKAGE_COLLECTION_LIMIT_EXCEEDED', 'DEEP_INSPECTION_DAILY_SSM_INVENTORY_LIMIT_EXCEEDED',
  'DEEP_INSPECTION_COLLECTION_TIME_LIMIT_EXCEEDED', 'DEEP_INSPECTION_NO_INVENTORY', 'AGENTLESS_INSTANCE_STORAGE_LIMIT_EXCEEDED',
  'AGENTLESS_INSTANCE_COLLECTION_TIME_LIMIT_EXCEEDED', 'PENDING_REVIVAL_SCAN', 'INTEGRATION_CONNECTION_LOST', 'ACCESS_DENIED_TO_ENCRYPTION_KEY',
  'UNSUPPORTED_LANGUAGE', 'NO_SCAN_CONFIGURATION_ASSOCIATED', 'SCAN_IN_PROGRESS', 'IMAGE_ARCHIVED', 'UNSUPPORTED_CODE_ARTIFACTS',
];
const SCANNED_AT = '2026-11-27T10:02:30+00:00';
/** An Inspector CoveredResource of an image of team/app in account 111111111111 (Inspector2 API reference). */
const coverage = (image: string, statusCode: string, reason: string, extra: Record<string, unknown> = {}) => ({
  resourceType: 'AWS_ECR_CONTAINER_IMAGE',
  resourceId: `arn:aws:ecr:eu-west-1:111111111111:repository/team/app/${image}`,
  accountId: '111111111111',
  scanType: 'PACKAGE',
  scanStatus: { statusCode, reason },
  resourceMetadata: { ecrImage: { tags: ['sha-1a2b3c4'] }, ecrRepository: { name: 'team/app', scanFrequency: 'SCAN_ON_PUSH' } },
  ...extra,
});

describe('scan gate: what Amazon Inspector\'s coverage record of an image means', () => {
  test.each<[string, string, Record<string, unknown>, unknown]>([
    ['ACTIVE', 'SUCCESSFUL', { lastScannedAt: SCANNED_AT }, { state: 'scanned' }],
    ['ACTIVE', 'SCAN_FREQUENCY_SCAN_ON_PUSH', { lastScannedAt: SCANNED_AT }, { state: 'scanned' }],
    ['ACTIVE', 'SUCCESSFUL', {}, { state: 'pending', status: 'ACTIVE SUCCESSFUL, not scanned yet' }],
    ['ACTIVE', 'SCAN_FREQUENCY_SCAN_ON_PUSH', {}, { state: 'pending', status: 'ACTIVE SCAN_FREQUENCY_SCAN_ON_PUSH, not scanned yet' }],
    ['ACTIVE', 'PENDING_INITIAL_SCAN', {}, { state: 'pending', status: 'ACTIVE PENDING_INITIAL_SCAN' }],
    ['ACTIVE', 'SCAN_IN_PROGRESS', {}, { state: 'pending', status: 'ACTIVE SCAN_IN_PROGRESS' }],
    // ScanStatusReason (Inspector2 API model): a revival scan, of an image back in scanning (pulled again after its
    // scan duration lapsed), still to come.
    ['ACTIVE', 'PENDING_REVIVAL_SCAN', {}, { state: 'pending', status: 'ACTIVE PENDING_REVIVAL_SCAN' }],
    // "Amazon Inspector service will automatically resolve the issue and resume the scanning."
    ['ACTIVE', 'INTERNAL_ERROR', {}, { state: 'pending', status: 'ACTIVE INTERNAL_ERROR' }],
    ['INACTIVE', 'UNSUPPORTED_OS', {}, { state: 'unsupported', reason: 'UNSUPPORTED_OS', meaning: 'Amazon Inspector does not support its operating system, architecture or manifest type' }],
    ['INACTIVE', 'UNSUPPORTED_MEDIA_TYPE', {}, { state: 'unsupported', reason: 'UNSUPPORTED_MEDIA_TYPE', meaning: 'Amazon Inspector does not support its media type' }],
  ])('%s %s %j: %j', (statusCode, reason, extra, meaning) => {
    expect(gate.judgeCoverage(coverage(digest('a'), statusCode, reason, extra))).toEqual(meaning);
  });

  test.each<[string, string]>([
    ['ACCESS_DENIED', 'a resource policy keeps Amazon Inspector out'],
    ['ACCESS_DENIED_TO_ENCRYPTION_KEY', 'the KMS key policy does not let Amazon Inspector use the key'],
    ['SCAN_ELIGIBILITY_EXPIRED', 'the scan duration configured for the registry has lapsed for this image'],
    ['SCAN_FREQUENCY_MANUAL', 'the registry\'s scan frequency for the repository is manual, so Amazon Inspector does not cover it'],
    ['EXCLUDED_BY_TAG', 'a tag excludes it from scanning'],
    ['IMAGE_ARCHIVED', 'the image is archived in ECR, and Amazon Inspector no longer scans it'],
    ['RESOURCE_TERMINATED', 'the image is gone, and its coverage is being cleaned up'],
    ['PENDING_DISABLE', 'Amazon Inspector scanning is being turned off'],
    // Reserved for future use, undocumented, or for other resource types: never a reason to pass.
    ['IMAGE_SIZE_EXCEEDED', 'a reason the gate does not know'],
    ['UNMANAGED_EC2_INSTANCE', 'a reason the gate does not know'],
  ])('INACTIVE %s: the image will not be scanned, and the gate fails at once', (reason, meaning) => {
    expect(() => gate.judgeCoverage(coverage(digest('a'), 'INACTIVE', reason))).toThrow(new Error(`Amazon Inspector will not scan it (INACTIVE ${reason}): ${meaning}`));
  });

  test('every reason the gate acts on is one the API reference documents, and each is acted on once', () => {
    const tables = [gate.COVERAGE_SCANNED, gate.COVERAGE_PENDING, gate.COVERAGE_UNSUPPORTED, gate.COVERAGE_NEVER];
    const known = tables.flatMap((table) => Object.keys(table));
    expect(known.filter((reason) => !DOCUMENTED_REASONS.includes(reason))).toEqual([]);
    expect(new Set(known).size).toBe(known.length);
  });
});

const ENV = { AWS_REGION: 'eu-west-1', IMAGE_REPOSITORY_NAME: 'team/app', SCAN_TIMEOUT_SECONDS: '60', SCAN_POLL_SECONDS: '10' };
const IMAGE = digest('a');
/** What an AWS CLI call answers from some second on: a result, or an error as the CLI prints it. */
type Answer = { json: unknown } | { text: string } | { error: string };
type Timeline = Array<[number, Answer]>;
const listing = (...resources: unknown[]): Answer => ({ json: { coveredResources: resources } });
/** A DescribeImageScanFindings result for the image in team/app of registry 111111111111. */
const ecr = (scanStatus: string, findings?: Record<string, number>): Answer => ({
  json: {
    registryId: '111111111111',
    repositoryName: 'team/app',
    imageId: { imageDigest: IMAGE },
    ...status(scanStatus),
    imageScanFindings: findings ? { findingSeverityCounts: findings } : { findings: [] },
  },
});

/**
 * The gate's wait with a clock that moves only when it sleeps, and an AWS CLI that answers each call with what the
 * timeline says at that time: every run is exact, and takes no time.
 */
async function wait(env: Record<string, string>, timelines: { coverage?: Timeline; findings: Timeline }, input = `${IMAGE} image\n`) {
  let now = 0;
  const calls: string[] = [];
  const log: string[] = [];
  const aws = (args: string[]): AwsRun => {
    const kind = args[1] === 'list-coverage' ? 'coverage' : 'findings';
    calls.push(`${now / 1000}s ${kind}`);
    const timeline = timelines[kind];
    if (!timeline) throw new Error(`unexpected aws ${args.join(' ')}`);
    const answer = [...timeline].reverse().find(([from]) => from * 1000 <= now)![1];
    if ('error' in answer) return { status: 254, stdout: '', stderr: answer.error };
    return { status: 0, stdout: 'text' in answer ? answer.text : JSON.stringify(answer.json), stderr: '' };
  };
  const sleep = async (ms: number) => {
    now += ms;
  };
  const result = await gate.main(['wait'], input, { env: { ...ENV, ...env }, aws, now: () => now, sleep, log: (line) => log.push(line) })
    .catch((e: Error) => ({ status: 2, stderr: `${e.message}\n` }));
  return { status: result.status, stderr: result.stderr ?? '', log, calls };
}
const waiting = (kind: string, what: string, image = `image ${IMAGE}`) => `scan gate: waiting for the ${kind} scan of ${image} (${what})`;
const TIMEOUT_HINT = 'is scan on push or enhanced scanning on?';

describe('scan gate: waiting for an enhanced scan ends with Amazon Inspector\'s first scan of the image', () => {
  test('findings after the status (aws/aws-sdk#289): ECR reads ACTIVE with no findings, the gate waits for Inspector and blocks', async () => {
    const findings: Timeline = [[0, ecr('ACTIVE')], [15, ecr('ACTIVE', { CRITICAL: 1 })]];
    // The old gate's judgement: ECR's status alone, at the push, passes the image.
    expect(gate.judge((findings[0][1] as { json: unknown }).json, 'CRITICAL')).toEqual(expect.objectContaining({ state: 'passed' }));
    const result = await wait({ SCAN_GATE: 'enhanced' }, {
      coverage: [[0, listing()], [5, listing(coverage(IMAGE, 'ACTIVE', 'PENDING_INITIAL_SCAN'))], [20, listing(coverage(IMAGE, 'ACTIVE', 'SUCCESSFUL', { lastScannedAt: SCANNED_AT }))]],
      findings,
    });
    expect(result).toEqual({
      status: 1,
      stderr: 'findings in: image\n',
      log: [
        waiting('enhanced', 'no Amazon Inspector coverage of the image yet'),
        waiting('enhanced', 'Amazon Inspector: ACTIVE PENDING_INITIAL_SCAN'),
        `scan gate (threshold CRITICAL): image ${IMAGE}: blocked by CRITICAL; findings: CRITICAL=1`,
      ],
      // Each look reads Inspector's record, then ECR's result, which counts only once the record says the scan has ended.
      calls: ['0s coverage', '0s findings', '10s coverage', '10s findings', '20s coverage', '20s findings'],
    });
  });

  test('findings before the status: Inspector is done, ECR still reads PENDING, the gate waits for ECR too', async () => {
    const result = await wait({ SCAN_GATE: 'enhanced' }, {
      coverage: [[0, listing(coverage(IMAGE, 'ACTIVE', 'SUCCESSFUL', { lastScannedAt: SCANNED_AT }))]],
      findings: [[0, ecr('PENDING')], [15, ecr('ACTIVE', { HIGH: 2, CRITICAL: 1 })]],
    });
    expect(result).toEqual({
      status: 1,
      stderr: 'findings in: image\n',
      log: [waiting('enhanced', 'status PENDING'), waiting('enhanced', 'status PENDING'), `scan gate (threshold CRITICAL): image ${IMAGE}: blocked by CRITICAL; findings: CRITICAL=1 HIGH=2`],
      calls: ['0s coverage', '0s findings', '10s coverage', '10s findings', '20s coverage', '20s findings'],
    });
  });

  test('a clean image passes once Inspector has scanned it (scan on push) and ECR has its result', async () => {
    const result = await wait({ SCAN_GATE: 'enhanced' }, {
      coverage: [[0, listing(coverage(IMAGE, 'ACTIVE', 'SCAN_FREQUENCY_SCAN_ON_PUSH', { lastScannedAt: SCANNED_AT }))]],
      findings: [[0, ecr('COMPLETE', { LOW: 3 })]],
    });
    expect(result).toEqual({ status: 0, stderr: '', log: [`scan gate (threshold CRITICAL): image ${IMAGE}: passed; findings: LOW=3`], calls: ['0s coverage', '0s findings'] });
  });

  test('the coverage of another image, repository or account is not this image\'s', async () => {
    const others = listing(
      coverage(digest('b'), 'ACTIVE', 'SUCCESSFUL', { lastScannedAt: SCANNED_AT }),
      { ...coverage(IMAGE, 'ACTIVE', 'SUCCESSFUL', { lastScannedAt: SCANNED_AT }), resourceId: `arn:aws:ecr:eu-west-1:111111111111:repository/team/app-old/${IMAGE}` },
      { ...coverage(IMAGE, 'ACTIVE', 'SUCCESSFUL', { lastScannedAt: SCANNED_AT }), resourceId: `arn:aws:ecr:eu-west-1:222222222222:repository/team/app/${IMAGE}`, accountId: '222222222222' },
      { ...coverage(IMAGE, 'ACTIVE', 'SUCCESSFUL', { lastScannedAt: SCANNED_AT }), resourceType: 'AWS_ECR_REPOSITORY' },
    );
    const result = await wait({ SCAN_GATE: 'enhanced', SCAN_TIMEOUT_SECONDS: '10' }, { coverage: [[0, others]], findings: [[0, ecr('ACTIVE')]] });
    expect([result.status, result.stderr]).toEqual([2, `no finished scan of image ${IMAGE} after 10s (last: no Amazon Inspector coverage of the image yet); ${TIMEOUT_HINT}\n`]);
  });

  test('coverage that never appears fails closed at the timeout, though ECR reads ACTIVE with no findings', async () => {
    const result = await wait({ SCAN_GATE: 'enhanced' }, { coverage: [[0, listing()]], findings: [[0, ecr('ACTIVE')]] });
    expect(result).toEqual({
      status: 2,
      stderr: `no finished scan of image ${IMAGE} after 60s (last: no Amazon Inspector coverage of the image yet); ${TIMEOUT_HINT}\n`,
      log: Array(6).fill(waiting('enhanced', 'no Amazon Inspector coverage of the image yet')),
      calls: [0, 10, 20, 30, 40, 50, 60].flatMap((t) => [`${t}s coverage`, `${t}s findings`]),
    });
  });

  test.each<[string, string]>([
    ['UNSUPPORTED_OS', 'Amazon Inspector does not support its operating system, architecture or manifest type'],
    ['UNSUPPORTED_MEDIA_TYPE', 'Amazon Inspector does not support its media type'],
  ])('%s: fails at once, unless told to pass such images unscanned', async (reason, meaning) => {
    const timelines = { coverage: [[0, listing(coverage(IMAGE, 'INACTIVE', reason))]] as Timeline, findings: [[0, ecr('UNSUPPORTED_IMAGE')]] as Timeline };
    expect(await wait({ SCAN_GATE: 'enhanced' }, timelines)).toEqual({
      status: 2,
      stderr: `the scan gate cannot pass image ${IMAGE}: ${meaning} (${reason}). To pass such images unscanned, set SCAN_GATE_PASS_UNSUPPORTED=true `
        + '(ScanGate.enhanced(threshold, { passUnsupportedImages: true }))\n',
      log: [],
      calls: ['0s coverage', '0s findings'],
    });
    expect(await wait({ SCAN_GATE: 'enhanced', SCAN_GATE_PASS_UNSUPPORTED: 'true' }, timelines)).toEqual({
      status: 0,
      stderr: '',
      log: [`scan gate (threshold CRITICAL): image ${IMAGE}: passed without a scan; ${meaning} (${reason}); SCAN_GATE_PASS_UNSUPPORTED=true passes it unscanned`],
      calls: ['0s coverage', '0s findings'],
    });
  });

  test('an image Inspector will not scan fails at once, whatever SCAN_GATE_PASS_UNSUPPORTED says', async () => {
    const result = await wait({ SCAN_GATE: 'enhanced', SCAN_GATE_PASS_UNSUPPORTED: 'true' }, {
      coverage: [[0, listing(coverage(IMAGE, 'INACTIVE', 'SCAN_ELIGIBILITY_EXPIRED'))]], findings: [[0, ecr('SCAN_ELIGIBILITY_EXPIRED')]],
    });
    expect([result.status, result.stderr, result.calls]).toEqual([2,
      `the scan gate cannot pass image ${IMAGE}: Amazon Inspector will not scan it (INACTIVE SCAN_ELIGIBILITY_EXPIRED): the scan duration configured for the registry has lapsed for this image\n`,
      ['0s coverage', '0s findings']]);
  });

  test('list-coverage denied: fails at once, naming the permission', async () => {
    const denied = '\nAn error occurred (AccessDeniedException) when calling the ListCoverage operation: User: arn:aws:sts::111111111111:assumed-role/build/1 '
      + 'is not authorized to perform: inspector2:ListCoverage\n';
    const result = await wait({ SCAN_GATE: 'enhanced' }, { coverage: [[0, { error: denied }]], findings: [[0, ecr('ACTIVE')]] });
    expect([result.status, result.stderr]).toEqual([2, `could not read the Amazon Inspector coverage of image ${IMAGE}: ${denied.trim()}. `
      + 'The enhanced gate reads the image\'s coverage with inspector2:ListCoverage (ScanGate.enhanced() grants it)\n']);
  });

  test('Inspector throttled: waited out', async () => {
    const throttled = '\nAn error occurred (ThrottlingException) when calling the ListCoverage operation: Rate exceeded\n';
    const result = await wait({ SCAN_GATE: 'enhanced' }, {
      coverage: [[0, { error: throttled }], [5, listing(coverage(IMAGE, 'ACTIVE', 'SUCCESSFUL', { lastScannedAt: SCANNED_AT }))]], findings: [[0, ecr('ACTIVE')]],
    });
    expect([result.status, result.log]).toEqual([0, [waiting('enhanced', 'ThrottlingException'), `scan gate (threshold CRITICAL): image ${IMAGE}: passed; findings: no findings`]]);
  });

  test('the images of an index share one deadline: the second gets what the first left', async () => {
    const [amd64, arm64] = [digest('1'), digest('2')];
    const scanned = (image: string) => coverage(image, 'ACTIVE', 'SUCCESSFUL', { lastScannedAt: SCANNED_AT });
    const result = await wait({ SCAN_GATE: 'enhanced', SCAN_TIMEOUT_SECONDS: '45' }, {
      coverage: [[0, listing()], [30, listing(scanned(amd64))]],
      findings: [[0, ecr('ACTIVE')]],
    }, `${amd64} linux/amd64\n${arm64} linux/arm64\n`);
    expect(result).toEqual({
      status: 2,
      stderr: `no finished scan of linux/arm64 ${arm64} after 45s (last: no Amazon Inspector coverage of the image yet); ${TIMEOUT_HINT}\n`,
      log: [
        ...Array(3).fill(waiting('enhanced', 'no Amazon Inspector coverage of the image yet', `linux/amd64 ${amd64}`)),
        `scan gate (threshold CRITICAL): linux/amd64 ${amd64}: passed; findings: no findings`,
        // 30 s gone, 15 s left: one more look at 40 s, the last at the deadline.
        ...Array(2).fill(waiting('enhanced', 'no Amazon Inspector coverage of the image yet', `linux/arm64 ${arm64}`)),
      ],
      calls: [0, 10, 20, 30, 30, 40, 45].flatMap((t) => [`${t}s coverage`, `${t}s findings`]),
    });
  });
});

describe('scan gate: waiting for a basic scan (ECR\'s COMPLETE is authoritative)', () => {
  test('waits while ECR scans, then judges; Inspector is never asked', async () => {
    const result = await wait({ SCAN_GATE: 'basic', SCAN_GATE_THRESHOLD: 'HIGH' }, {
      findings: [[0, { error: '\nAn error occurred (ScanNotFoundException) when calling the DescribeImageScanFindings operation: no scan\n' }], [5, ecr('IN_PROGRESS')], [15, { json: fixture('basic-critical.json') }]],
    });
    expect(result).toEqual({
      status: 1,
      stderr: 'findings in: image\n',
      log: [waiting('basic', 'ScanNotFoundException'), waiting('basic', 'status IN_PROGRESS'), `scan gate (threshold HIGH): image ${IMAGE}: blocked by CRITICAL, HIGH; findings: CRITICAL=1 HIGH=3 UNDEFINED=2`],
      calls: ['0s findings', '10s findings', '20s findings'],
    });
  });

  test.each<[string, Answer, string]>([
    ['a scan that will never finish', ecr('UNSUPPORTED_IMAGE'), `the scan gate cannot pass image ${IMAGE}: the scan ended in UNSUPPORTED_IMAGE: ECR cannot scan this image (its operating system or media type is not supported)`],
    ['denied', { error: '\nAn error occurred (AccessDeniedException) when calling the DescribeImageScanFindings operation: User: x is not authorized\n' },
      `could not read the scan of image ${IMAGE}: An error occurred (AccessDeniedException) when calling the DescribeImageScanFindings operation: User: x is not authorized. `
      + 'Under enhanced scanning, DescribeImageScanFindings also needs inspector2:ListFindings and inspector2:ListCoverage (ScanGate.enhanced() grants them)'],
    ['an answer that is not JSON', { text: 'Service Unavailable' }, expect.stringMatching(`^the scan gate cannot pass image ${IMAGE}: Unexpected token`) as unknown as string],
  ])('%s: fails at once', async (_name, answer, message) => {
    const result = await wait({ SCAN_GATE: 'basic' }, { findings: [[0, answer]] });
    expect({ ...result, stderr: result.stderr.trimEnd() }).toEqual({ status: 2, stderr: message, log: [], calls: ['0s findings'] });
  });

  test('a scan that does not finish fails at the timeout, with the last status', async () => {
    const result = await wait({ SCAN_GATE: 'basic', SCAN_TIMEOUT_SECONDS: '25' }, { findings: [[0, ecr('IN_PROGRESS')]] });
    expect(result).toEqual({
      status: 2,
      stderr: `no finished scan of image ${IMAGE} after 25s (last: status IN_PROGRESS); ${TIMEOUT_HINT}\n`,
      log: Array(3).fill(waiting('basic', 'status IN_PROGRESS')),
      calls: ['0s findings', '10s findings', '20s findings', '25s findings'],
    });
  });
});

describe('scan gate: its settings', () => {
  test.each<[string, Record<string, string>, string]>([
    ['no gate', { SCAN_GATE: 'none' }, 'SCAN_GATE must be basic or enhanced, got "none"'],
    ['an unknown threshold', { SCAN_GATE: 'basic', SCAN_GATE_THRESHOLD: 'SEVERE' }, 'SCAN_GATE_THRESHOLD must be one of CRITICAL, HIGH, MEDIUM, LOW, INFORMATIONAL, UNDEFINED, got "SEVERE"'],
    ['a timeout that is not a number', { SCAN_GATE: 'basic', SCAN_TIMEOUT_SECONDS: '30m' }, 'SCAN_TIMEOUT_SECONDS must be a positive number of seconds, got "30m"'],
    ['a poll interval of zero', { SCAN_GATE: 'basic', SCAN_POLL_SECONDS: '0' }, 'SCAN_POLL_SECONDS must be a positive number of seconds, got "0"'],
    ['no repository', { SCAN_GATE: 'basic', IMAGE_REPOSITORY_NAME: '' }, 'IMAGE_REPOSITORY_NAME is required'],
    ['several at once', { SCAN_GATE: 'basic', AWS_REGION: '', SCAN_POLL_SECONDS: '-1' }, 'SCAN_POLL_SECONDS must be a positive number of seconds, got "-1"; AWS_REGION is required'],
  ])('%s is refused before any call', async (_name, env, message) => {
    expect(await wait(env, { findings: [] })).toEqual({ status: 2, stderr: `${message}\n`, log: [], calls: [] });
  });

  test('the default wait is ImageBuildProject\'s default with a build timeout of 1 hour', () => {
    expect(gate.DEFAULT_TIMEOUT_SECONDS).toBe(Duration.minutes(30).toSeconds());
  });
});

describe('scan gate as the build runs it: node scan-gate.js MODE < input', () => {
  const bin = scratchDir('scan-gate-bin-');
  // An aws stand-in: list-coverage says the image was scanned, describe-image-scan-findings answers FIRST_FINDINGS the
  // first time if given, FINDINGS after; each call's arguments are logged, one JSON line each.
  fs.writeFileSync(path.join(bin, 'aws'), [
    '#!/usr/bin/env node',
    'const fs = require("fs");',
    'const args = process.argv.slice(2);',
    'fs.appendFileSync(process.env.CALLS, JSON.stringify(args) + "\\n");',
    'const image = process.env.IMAGE;',
    'if (args[1] === "list-coverage") {',
    `  console.log(JSON.stringify({ coveredResources: [${JSON.stringify(coverage('IMAGE', 'ACTIVE', 'SUCCESSFUL', { lastScannedAt: SCANNED_AT }))}].map((c) => ({ ...c, resourceId: c.resourceId.replace("IMAGE", image) })) }));`,
    '} else {',
    '  const first = process.env.FIRST_FINDINGS && fs.readFileSync(process.env.CALLS, "utf8").split("describe-image-scan-findings").length === 2 ? process.env.FIRST_FINDINGS : undefined;',
    '  process.stdout.write(fs.readFileSync(first || process.env.FINDINGS, "utf8"));',
    '}',
  ].join('\n'), { mode: 0o755 });
  const command = (args: string[], input: string, env: Record<string, string> = {}) => {
    const calls = path.join(bin, `calls-${Math.random()}`);
    const run = spawnSync(process.execPath, [SCAN_GATE_FILE, ...args], {
      input,
      encoding: 'utf8',
      env: { PATH: `${bin}:${process.env.PATH}`, CALLS: calls, IMAGE, FINDINGS: path.join(__dirname, 'fixtures', 'enhanced-high.json'), ...ENV, ...env },
    });
    const argv = fs.existsSync(calls) ? fs.readFileSync(calls, 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l)) : [];
    return { status: run.status, stdout: run.stdout, stderr: run.stderr, argv };
  };

  test('wait: the AWS CLI calls of an enhanced gate, as the CLI reference spells them, and the verdict on stdout', () => {
    expect(command(['wait'], `${IMAGE} linux/amd64\n`, { SCAN_GATE: 'enhanced', SCAN_GATE_THRESHOLD: 'HIGH' })).toEqual({
      status: 1,
      stdout: `scan gate (threshold HIGH): linux/amd64 ${IMAGE}: blocked by HIGH; findings: HIGH=1 UNDEFINED=1\n`,
      stderr: 'findings in: linux/amd64\n',
      argv: [
        ['inspector2', 'list-coverage', '--region', 'eu-west-1', '--filter-criteria',
          '{"resourceType":[{"comparison":"EQUALS","value":"AWS_ECR_CONTAINER_IMAGE"}],"ecrRepositoryName":[{"comparison":"EQUALS","value":"team/app"}]}', '--output', 'json'],
        ['ecr', 'describe-image-scan-findings', '--region', 'eu-west-1', '--repository-name', 'team/app', '--image-id', `imageDigest=${IMAGE}`, '--output', 'json'],
      ],
    });
  });

  test('wait: progress on stdout while the scan runs, and a real (short) sleep', () => {
    const result = command(['wait'], `${IMAGE} image\n`, {
      SCAN_GATE: 'basic', FIRST_FINDINGS: path.join(__dirname, 'fixtures', 'basic-in-progress.json'), FINDINGS: path.join(__dirname, 'fixtures', 'basic-clean.json'), SCAN_POLL_SECONDS: '0.01',
    });
    expect([result.status, result.stdout, result.stderr, result.argv.length]).toEqual([0,
      `${waiting('basic', 'status IN_PROGRESS')}\nscan gate (threshold CRITICAL): image ${IMAGE}: passed; findings: MEDIUM=2 LOW=5 INFORMATIONAL=1\n`, '', 2]);
  });

  test.each<[string, string[], string, number, string, string]>([
    ['images', ['images', digest('a')], JSON.stringify({ mediaType: 'application/vnd.oci.image.manifest.v1+json' }), 0, `${digest('a')} image\n`, ''],
    ['images of a manifest that is not JSON', ['images', digest('a')], 'Service Unavailable', 2, '', expect.stringMatching(/^Unexpected token/) as unknown as string],
    ['wait for nothing', ['wait'], '\n', 2, '', 'no image to wait for: give "digest platform" lines on stdin\n'],
    ['unknown mode', ['judge'], '', 2, '', 'unknown mode "judge"; use images or wait\n'],
  ])('%s', (_name, args, input, exitStatus, stdout, stderr) => {
    expect(command(args, input, { SCAN_GATE: 'basic' })).toEqual({ status: exitStatus, stdout, stderr, argv: [] });
  });
});

describeNeeding(missingSystemDeps().python.includes('awscli') ? 'the AWS CLI (aws on PATH)' : undefined, 'scan gate: its list-coverage call, checked by the AWS CLI', () => {
  // The CLI validates a request against the service model (botocore's Inspector2 ListCoverage) before it sends it;
  // pointed at a closed port, a valid request fails only to connect.
  const cli = (filter: string) => spawnSync('aws', ['inspector2', 'list-coverage', '--region', 'eu-west-1', '--filter-criteria', filter,
    '--output', 'json', '--endpoint-url', 'http://127.0.0.1:9'], {
    encoding: 'utf8',
    env: { ...process.env, AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret', AWS_SESSION_TOKEN: '', AWS_MAX_ATTEMPTS: '1', AWS_CONFIG_FILE: '/dev/null' },
  }).stderr.trim();

  test('the gate\'s filter is a valid CoverageFilterCriteria; a misspelt one is not', async () => {
    const calls = { argv: [] as string[][] };
    await gate.main(['wait'], `${IMAGE} image\n`, {
      env: { ...ENV, SCAN_GATE: 'enhanced' },
      // The first call is all this test needs: it is denied, which ends the wait.
      aws: (args) => {
        calls.argv.push(args);
        return { status: 254, stdout: '', stderr: 'An error occurred (AccessDeniedException) when calling the ListCoverage operation: denied' };
      },
      now: () => 0,
      sleep: async () => undefined,
      log: () => undefined,
    }).catch(() => undefined);
    const filter = calls.argv[0][calls.argv[0].indexOf('--filter-criteria') + 1];
    expect(cli(filter)).toBe('Could not connect to the endpoint URL: "http://127.0.0.1:9/coverage/list"');
    expect(cli(filter.replace('ecrRepositoryName', 'repositoryName'))).toMatch(/^Parameter validation failed:\nUnknown parameter in filterCriteria: "repositoryName"/);
  });
});
