import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { SCAN_GATE_FILE } from '../../src/image-build/buildspec';
import { SEVERITY_ORDER } from '../../src/scanning/severity';

// The very file the build runs (fetched by the buildspec, checked against its SHA-256).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const gate = require(SCAN_GATE_FILE) as {
  SEVERITIES: string[];
  NEVER_FINISHES: Record<string, string>;
  imagesToGate(digest: string, manifest: unknown): Array<{ digest: string; platform: string }>;
  judge(results: unknown, threshold: string): { state: string; status?: string; blocking?: string[]; summary?: string };
  classifyError(stderr: string): { retry: boolean; code?: string; message: string };
};
const fixture = (name: string) => JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', name), 'utf8'));
const digest = (c: string) => `sha256:${c.repeat(64)}`;
const status = (value: string, extra: Record<string, unknown> = {}) => ({ imageScanStatus: { status: value }, ...extra });

/** The gate as the build runs it: `node scan-gate.js MODE ARGS < input`. */
function command(args: string[], input: string) {
  const run = spawnSync(process.execPath, [SCAN_GATE_FILE, ...args], { input, encoding: 'utf8' });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

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
  const platform = (os: string, architecture: string, extra: Record<string, unknown> = {}) => ({ os, architecture, ...extra });

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

describe('scan gate: errors of aws ecr describe-image-scan-findings', () => {
  const awsError = (code: string, message: string) => `\nAn error occurred (${code}) when calling the DescribeImageScanFindings operation: ${message}\n`;

  test.each<[string, boolean, string, string | undefined]>([
    ['no scan yet', true, awsError('ScanNotFoundException', 'Image scan does not exist for the image'), 'ScanNotFoundException'],
    ['throttled', true, awsError('ThrottlingException', 'Rate exceeded'), 'ThrottlingException'],
    ['a service failure', true, awsError('ServerException', 'internal'), 'ServerException'],
    ['no network', true, '\nCould not connect to the endpoint URL: "https://api.ecr.eu-west-1.amazonaws.com/"\n', undefined],
    ['denied', false, awsError('AccessDeniedException', 'User: arn:aws:sts::111111111111:assumed-role/build is not authorized to perform: inspector2:ListFindings'), 'AccessDeniedException'],
    ['no such repository', false, awsError('RepositoryNotFoundException', "The repository with name 'team/app' does not exist"), 'RepositoryNotFoundException'],
    ['no such image', false, awsError('ImageNotFoundException', 'The image requested does not exist'), 'ImageNotFoundException'],
    ['anything else', false, 'Traceback (most recent call last): ...', undefined],
  ])('%s: retry %s', (_name, retry, stderr, code) => {
    expect(gate.classifyError(stderr)).toEqual({ retry, code, message: stderr.trim().split('\n').pop() });
  });
});

describe('scan gate as the build runs it', () => {
  test.each<[string, string[], string, number, string, string]>([
    ['passed', ['judge', 'CRITICAL', `image ${digest('a')}`], JSON.stringify(fixture('basic-clean.json')), 0,
      `scan gate (threshold CRITICAL): image ${digest('a')}: passed; findings: MEDIUM=2 LOW=5 INFORMATIONAL=1\n`, ''],
    ['blocked', ['judge', 'HIGH', `linux/arm64 ${digest('b')}`], JSON.stringify(fixture('basic-critical.json')), 1,
      `scan gate (threshold HIGH): linux/arm64 ${digest('b')}: blocked by CRITICAL, HIGH; findings: CRITICAL=1 HIGH=3 UNDEFINED=2\n`, ''],
    ['running', ['judge', 'CRITICAL', 'image'], JSON.stringify(fixture('basic-in-progress.json')), 3, 'IN_PROGRESS\n', ''],
    ['never finishes', ['judge', 'CRITICAL', 'image'], JSON.stringify(status('UNSUPPORTED_IMAGE')), 2, '',
      'the scan ended in UNSUPPORTED_IMAGE: ECR cannot scan this image (its operating system or media type is not supported)\n'],
    ['not JSON', ['judge', 'CRITICAL', 'image'], 'Service Unavailable', 2, '', expect.stringMatching(/^Unexpected token/) as unknown as string],
    ['retryable error', ['error'], '\nAn error occurred (ScanNotFoundException) when calling the DescribeImageScanFindings operation: no scan\n', 3, 'ScanNotFoundException\n', ''],
    ['denied', ['error'], '\nAn error occurred (AccessDeniedException) when calling the DescribeImageScanFindings operation: User: x is not authorized\n', 2, '',
      'An error occurred (AccessDeniedException) when calling the DescribeImageScanFindings operation: User: x is not authorized. Under enhanced scanning, '
      + 'DescribeImageScanFindings also needs inspector2:ListFindings and inspector2:ListCoverage (ScanGate.enhanced() grants them)\n'],
    ['images', ['images', digest('a')], JSON.stringify({ mediaType: 'application/vnd.oci.image.manifest.v1+json' }), 0, `${digest('a')} image\n`, ''],
    ['unknown mode', ['decide'], '', 2, '', 'unknown mode "decide"; use images, judge or error\n'],
  ])('%s', (_name, args, input, exitStatus, stdout, stderr) => {
    expect(command(args, input)).toEqual({ status: exitStatus, stdout, stderr });
  });
});
