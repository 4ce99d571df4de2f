// Every way build-and-push.sh gives up, with the exact message a CodeBuild log shows, driven through the same code
// CodeBuild runs: the rehearsal's ECR-like registry (with faults where the registry itself must misbehave), moto behind
// the `aws` stand-in, podman. The last test checks that each `die` of the script has a case here.
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { BUILD_SCRIPT_FILE } from '../../src/image-build/buildspec';
import { BUSYBOX_IMAGE, missingRehearsalDeps, REGION, Rehearsal, RunResult, run } from '../support/rehearsal';
import { describeNeeding } from '../support/system-deps';

jest.setTimeout(10 * 60_000);

const FIXTURES = path.join(__dirname, 'rehearsal');
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const ZEROS = `sha256:${'0'.repeat(64)}`;
const sha256 = (text: string) => `sha256:${createHash('sha256').update(text).digest('hex')}`;

let rehearsal: Rehearsal | undefined;
/** Two different images in team/errors: busybox (A) and a scratch image (B). */
let imageA = '';
let imageB = '';


function r(): Rehearsal {
  if (!rehearsal) throw new Error('the rehearsal did not start (see beforeAll)');
  return rehearsal;
}

/** The script ended with exactly `message` as its last line, and exit status 1. */
function expectDie(result: RunResult, message: string): void {
  const lines = result.output.split('\n').filter((l) => l !== '');
  if (result.status !== 1 || lines[lines.length - 1] !== `build-and-push: ${message}`) {
    throw new Error(`expected exit 1 with the last line\nbuild-and-push: ${message}\ngot exit ${result.status}, log:\n${result.output}`);
  }
}

const host = () => r().registryHost;
/** moto's account, whose registry the rehearsal's repositories are in. */
const MOTO_ACCOUNT = '123456789012';
/** Amazon Inspector's coverage record of an image of team/errors (Inspector2 API reference, CoveredResource). */
const inspectorCoverage = (image: string, reason: string) => ({
  resourceType: 'AWS_ECR_CONTAINER_IMAGE',
  resourceId: `arn:aws:ecr:${REGION}:${MOTO_ACCOUNT}:repository/team/errors/${image}`,
  accountId: MOTO_ACCOUNT,
  scanType: 'PACKAGE',
  scanStatus: { statusCode: 'ACTIVE', reason },
  lastScannedAt: '2026-11-27T10:02:30+00:00',
});
const build = (vars: Record<string, string>) => r().buildAndPush('build', { IMAGE_REPOSITORY_NAME: 'team/errors', BUILD_CONTEXT: path.join(FIXTURES, 'multiarch'), ...vars });
const promote = (vars: Record<string, string>) => r().buildAndPush('promote', { IMAGE_REPOSITORY_NAME: 'team/errors', ENVIRONMENT_TAGS: 'dev', ...vars });

/** Each `die` of the script, by a fragment of its source line, with the cases that end in it. */
const CASES: Record<string, Array<[string, () => Promise<void>]>> = {
  'usage: build-and-push.sh': [['an unknown command', async () => {
    expectDie(await r().buildAndPush('deploy', {}), "usage: build-and-push.sh build|promote (got 'deploy')");
  }]],
  'is required"': [
    ...['AWS_REGION', 'ECR_REGISTRY', 'IMAGE_REPOSITORY_NAME', 'IMAGE_TAGS'].map((name): [string, () => Promise<void>] => [`build without ${name}`, async () => {
      expectDie(await build({ IMAGE_TAGS: 'sha-1a2b3c4', [name]: '' }), `${name} is required`);
    }]),
    ...['PROMOTE_DIGEST', 'ENVIRONMENT_TAGS'].map((name): [string, () => Promise<void>] => [`promote without ${name}`, async () => {
      expectDie(await promote({ PROMOTE_DIGEST: imageA, [name]: '' }), `${name} is required`);
    }]),
    ['a registry cache without CACHE_REF', async () => expectDie(await build({ IMAGE_TAGS: 'sha-1a2b3c4', CACHE_MODE: 'registry' }), 'CACHE_REF is required')],
    ['a gate without SCAN_GATE_JS', async () => expectDie(await build({ IMAGE_TAGS: 'sha-1a2b3c4', SCAN_GATE: 'basic', SCAN_GATE_JS: '' }), 'SCAN_GATE_JS is required')],
  ],
  'PROMOTE_DIGEST must be sha256': [['a malformed digest', async () => {
    expectDie(await promote({ PROMOTE_DIGEST: 'sha256:ABC' }), "PROMOTE_DIGEST must be sha256:<64 lower-case hex digits>, got 'sha256:ABC'");
  }]],
  "must not contain 'latest'": ['IMAGE_TAGS', 'ENVIRONMENT_TAGS'].map((name): [string, () => Promise<void>] => [`latest in ${name}`, async () => {
    const result = await build({ IMAGE_TAGS: 'sha-1a2b3c4', [name]: name === 'IMAGE_TAGS' ? 'sha-1a2b3c4 latest' : 'latest' });
    // Refused before anything else, not even a login.
    expect(result.output).toBe(`build-and-push: ${name} must not contain 'latest' (a moving tag that hides which image runs); set ALLOW_LATEST=true to allow it\n`);
    expect(result.status).toBe(1);
  }]),
  'is not a valid tag (letters': [['a tag starting with -', async () => {
    expectDie(await build({ IMAGE_TAGS: 'sha-1a2b3c4', ENVIRONMENT_TAGS: '-dev' }), "ENVIRONMENT_TAGS: '-dev' is not a valid tag (letters, digits, _ . -; not starting with . or -)");
  }]],
  'is longer than $MAX_TAG_LENGTH characters': [['a 129-character tag (Docker\'s limit is 128)', async () => {
    const tag = `sha-${'a'.repeat(125)}`;
    expectDie(await build({ IMAGE_TAGS: tag }), `IMAGE_TAGS: '${tag}' is longer than 128 characters`);
    // 128 characters pass the check.
    expect((await build({ IMAGE_TAGS: tag.slice(0, 128), DOCKERFILE: '/nonexistent/Dockerfile' })).output).toContain("DOCKERFILE: cannot read '/nonexistent/Dockerfile'");
  }]],
  'is in both IMAGE_TAGS': [['an environment tag among the immutable tags', async () => {
    expectDie(await build({ IMAGE_TAGS: 'sha-1a2b3c4 dev', ENVIRONMENT_TAGS: 'dev' }), "'dev' is in both IMAGE_TAGS (immutable) and ENVIRONMENT_TAGS (moving)");
  }]],
  'PULL_REGISTRIES:': [['a registry without its region', async () => {
    expectDie(await build({ IMAGE_TAGS: 'sha-1a2b3c4', PULL_REGISTRIES: '222222222222.dkr.ecr.us-east-1.amazonaws.com' }),
      "PULL_REGISTRIES: '222222222222.dkr.ecr.us-east-1.amazonaws.com' is not HOST@REGION (e.g. 123456789012.dkr.ecr.us-east-1.amazonaws.com@us-east-1)");
  }]],
  'CACHE_MODE must be': [['an unknown cache mode', async () => {
    expectDie(await build({ IMAGE_TAGS: 'sha-1a2b3c4', CACHE_MODE: 'inline' }), "CACHE_MODE must be none, local or registry, got 'inline'");
  }]],
  'SCAN_GATE_JS: cannot read': [['a gate program that is not there', async () => {
    expectDie(await build({ IMAGE_TAGS: 'sha-1a2b3c4', SCAN_GATE: 'basic', SCAN_GATE_JS: '/nonexistent/scan-gate.js' }), "SCAN_GATE_JS: cannot read '/nonexistent/scan-gate.js'");
  }]],
  'SCAN_GATE must be none': [['an unknown gate', async () => {
    expectDie(await build({ IMAGE_TAGS: 'sha-1a2b3c4', SCAN_GATE: 'strict' }), "SCAN_GATE must be none, basic or enhanced, got 'strict'");
  }]],
  'could not get a registry password': [['ECR\'s API unreachable', async () => {
    expectDie(await build({ IMAGE_TAGS: 'sha-1a2b3c4', STANDIN_MOTO_ENDPOINT: 'http://127.0.0.1:1' }),
      `could not get a registry password (aws ecr get-login-password --region ${REGION}): check credentials and ecr:GetAuthorizationToken`);
  }]],
  'returned an empty password': [['an empty password', async () => {
    expectDie(await build({ IMAGE_TAGS: 'sha-1a2b3c4', STANDIN_REAL_AWS: '["/bin/true"]' }), `aws ecr get-login-password --region ${REGION} returned an empty password`);
  }]],
  'docker login to $1 failed': [['a registry that refuses the password', async () => {
    const strict = await r().startRegistry('not-the-token-moto-hands-out');
    const result = await build({ IMAGE_TAGS: 'sha-1a2b3c4', ECR_REGISTRY: strict.host });
    expectDie(result, `docker login to ${strict.host} failed (user AWS, password from aws ecr get-login-password --region ${REGION}): check the registry host and its region`);
    expect(result.output).not.toContain('build-and-push: building');
    // The registry saw the attempt and refused it.
    expect(strict.log).toMatch(/authentication failure|invalid authorization credential/i);
  }]],
  'cannot reach the registry API at': [['a registry API whose certificate curl does not trust', async () => {
    expectDie(await build({ IMAGE_TAGS: 'sha-1a2b3c4', CURL_CA_BUNDLE: '/etc/ssl/certs/ca-certificates.crt' }),
      `cannot reach the registry API at https://${host()}/v2/team/errors/manifests/sha-1a2b3c4`);
  }]],
  'answered HTTP $head_status': [['a registry API failing', async () => {
    r().registryProxy.addFault({ method: 'HEAD', pathSuffix: '/manifests/sha-1a2b3c4', status: 503 });
    expectDie(await build({ IMAGE_TAGS: 'sha-1a2b3c4' }), `HEAD https://${host()}/v2/team/errors/manifests/sha-1a2b3c4 answered HTTP 503`);
  }]],
  'already points at $2': [
    ['a version tag another image holds, on a new commit', async () => {
      const result = await build({ IMAGE_TAGS: 'sha-5555555 sha-b000000' });
      expectDie(result, `${host()}/team/errors:sha-b000000 already points at ${imageB}, not at the image this build makes; an immutable tag never moves: release under a new version`);
      expect(result.output).not.toContain('build-and-push: building');
    }],
    ['a version tag another image holds, on a commit already built', async () => {
      expectDie(await build({ IMAGE_TAGS: 'sha-a000000 sha-b000000' }),
        `${host()}/team/errors:sha-b000000 already points at ${imageB}, not at ${imageA} (the image of sha-a000000); an immutable tag never moves: release under a new version`);
    }],
  ],
  'DOCKERFILE: cannot read': [['no Dockerfile', async () => {
    expectDie(await build({ IMAGE_TAGS: 'sha-1a2b3c4', DOCKERFILE: 'missing/Dockerfile' }), "DOCKERFILE: cannot read 'missing/Dockerfile'");
  }]],
  'is not a valid environment variable name': [['a secret id that is no variable name', async () => {
    expectDie(await build({ IMAGE_TAGS: 'sha-1a2b3c4', BUILD_SECRETS: 'npm-token' }), "BUILD_SECRETS: 'npm-token' is not a valid environment variable name");
  }]],
  'BUILD_SECRETS names': [['a secret CodeBuild did not inject', async () => {
    expectDie(await build({ IMAGE_TAGS: 'sha-1a2b3c4', BUILD_SECRETS: 'NPM_TOKEN' }), 'BUILD_SECRETS names NPM_TOKEN, but the environment variable NPM_TOKEN is not set');
  }]],
  'BUILD_ARGS: every line must be NAME=value': [['a build argument without a name', async () => {
    expectDie(await build({ IMAGE_TAGS: 'sha-1a2b3c4', BUILD_ARGS: 'VERSION=1\n=orphan value' }), "BUILD_ARGS: every line must be NAME=value, got a line starting '=orphan value'");
  }]],
  "PLATFORMS: '$platform' is not os/arch": [['a platform without its OS', async () => {
    expectDie(await build({ IMAGE_TAGS: 'sha-1a2b3c4', PLATFORMS: 'linux/amd64,arm64' }), "PLATFORMS: 'arm64' is not os/arch (e.g. linux/arm64)");
  }]],
  'is not in the registry after the push': [['a push the registry did not keep', async () => {
    r().registryProxy.addFault({ method: 'HEAD', pathSuffix: '/manifests/sha-6666666', status: 404 });
    expectDie(await build({ IMAGE_TAGS: 'sha-6666666' }), `${host()}/team/errors:sha-6666666 is not in the registry after the push`);
  }]],
  "points at '$tag_digest', not $PUSHED_DIGEST": [['a tag that resolves elsewhere after the push', async () => {
    // The check before the build sees no 7.0.0; after the push the registry claims it points elsewhere.
    r().registryProxy.addFault({ method: 'HEAD', pathSuffix: '/manifests/7.0.0', skip: 1, status: 200, headers: { 'Docker-Content-Digest': ZEROS } });
    const result = await build({ IMAGE_TAGS: 'sha-7777777 7.0.0' });
    expectDie(result, `${host()}/team/errors:7.0.0 points at '${ZEROS}', not ${await r().digestOf('team/errors:sha-7777777')}`);
  }]],
  'PROMOTE_DIGEST $digest is not in': [['a digest the repository does not hold', async () => {
    expectDie(await promote({ PROMOTE_DIGEST: ZEROS }), `PROMOTE_DIGEST ${ZEROS} is not in ${host()}/team/errors`);
  }]],
  'cannot reach the registry API to read': [['the manifest read fails', async () => {
    r().registryProxy.addFault({ method: 'GET', pathSuffix: `/manifests/${imageA}`, drop: true });
    expectDie(await promote({ PROMOTE_DIGEST: imageA }), `cannot reach the registry API to read ${imageA}`);
  }]],
  'GET manifest $1 answered HTTP': [['the manifest read is refused', async () => {
    r().registryProxy.addFault({ method: 'GET', pathSuffix: `/manifests/${imageA}`, status: 500 });
    expectDie(await promote({ PROMOTE_DIGEST: imageA }), `GET manifest ${imageA} answered HTTP 500`);
  }]],
  'hashes to $body_digest': [['a manifest that is not the digest\'s', async () => {
    const body = '{"schemaVersion":2,"tampered":true}';
    r().registryProxy.addFault({ method: 'GET', pathSuffix: `/manifests/${imageA}`, status: 200, body, headers: { 'Content-Type': 'application/vnd.oci.image.manifest.v1+json' } });
    expectDie(await promote({ PROMOTE_DIGEST: imageA }), `the manifest read for ${imageA} hashes to ${sha256(body)}; refusing to use it`);
  }]],
  'cannot reach the registry API to tag': [['the tag write fails', async () => {
    r().registryProxy.addFault({ method: 'PUT', pathSuffix: '/manifests/dev', drop: true });
    expectDie(await promote({ PROMOTE_DIGEST: imageA }), 'cannot reach the registry API to tag dev');
  }]],
  'PUT manifest for tag $2 answered HTTP': [['moving a tag the repository keeps immutable', async () => {
    expect((await promote({ PROMOTE_DIGEST: imageA, ENVIRONMENT_TAGS: 'qa' })).status).toBe(0);
    expectDie(await promote({ PROMOTE_DIGEST: imageB, ENVIRONMENT_TAGS: 'qa' }), 'PUT manifest for tag qa answered HTTP 400: '
      + '{"errors":[{"code":"TAG_INVALID","message":"The image tag \'qa\' already exists in the \'team/errors\' repository and cannot be overwritten because the repository is immutable."}]}');
  }]],
  "now points at '$put_digest'": [['a tag write the registry stores elsewhere', async () => {
    r().registryProxy.addFault({ method: 'PUT', pathSuffix: '/manifests/dev', status: 201, headers: { 'Docker-Content-Digest': ZEROS } });
    expectDie(await promote({ PROMOTE_DIGEST: imageA }), `tag dev now points at '${ZEROS}', not ${imageA}`);
  }]],
  'could not write SSM parameter': [['a parameter name SSM reserves', async () => {
    expectDie(await promote({ PROMOTE_DIGEST: imageA, DIGEST_PARAMETER_PREFIX: '/aws/images' }), 'could not write SSM parameter /aws/images/dev');
  }]],
  'cannot tell which images': [['an index listing no runnable image', async () => {
    const manifest = await r().rawManifest(`team/errors@${imageA}`);
    const index = JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: [{ mediaType: JSON.parse(manifest).mediaType, digest: imageA, size: Buffer.byteLength(manifest), platform: { os: 'unknown', architecture: 'unknown' } }],
    });
    const digest = await r().putManifest('team/errors', 'attestations-only', index, OCI_INDEX);
    expectDie(await promote({ PROMOTE_DIGEST: digest, SCAN_GATE: 'basic' }), `cannot tell which images of ${digest} to gate: the image index ${digest} lists no image to gate`);
  }]],
  // The scan gate's own reasons (scan-gate.js), as the script passes them on.
  'die "$(cat "$WORK_DIR/gate-error")"': [
    ['scan results denied', async () => {
      const message = 'User: arn:aws:sts::123456789012:assumed-role/build/1 is not authorized to perform: inspector2:ListFindings';
      r().scriptCoverage([{ result: { coveredResources: [inspectorCoverage(imageA, 'SUCCESSFUL')] } }]);
      r().scriptScan(imageA, [{ error: { code: 'AccessDeniedException', message } }]);
      const result = await promote({ PROMOTE_DIGEST: imageA, SCAN_GATE: 'enhanced' });
      // At once, with the AWS error: waiting cannot cure a missing permission.
      expectDie(result, `could not read the scan of image ${imageA}: An error occurred (AccessDeniedException) when calling the DescribeImageScanFindings operation: ${message}. `
        + 'Under enhanced scanning, DescribeImageScanFindings also needs inspector2:ListFindings and inspector2:ListCoverage (ScanGate.enhanced() grants them)');
      expect(result.output).not.toContain('waiting for');
    }],
    ['an enhanced scan Amazon Inspector never records, though ECR reads ACTIVE', async () => {
      r().scriptCoverage([{ result: { coveredResources: [] } }]);
      r().scriptScan(imageA, [{ result: { registryId: MOTO_ACCOUNT, imageScanStatus: { status: 'ACTIVE' }, imageScanFindings: { enhancedFindings: [] } } }]);
      const result = await promote({ PROMOTE_DIGEST: imageA, SCAN_GATE: 'enhanced', SCAN_TIMEOUT_SECONDS: '2', SCAN_POLL_SECONDS: '1' });
      expectDie(result, `no finished scan of image ${imageA} after 2s (last: no Amazon Inspector coverage of the image yet); is scan on push or enhanced scanning on?`);
      expect(result.output).toContain(`scan gate: waiting for the enhanced scan of image ${imageA} (no Amazon Inspector coverage of the image yet)`);
    }],
    ['a scan that will never finish', async () => {
      r().scriptScan(imageA, [{ result: { imageScanStatus: { status: 'UNSUPPORTED_IMAGE', description: 'The operating system and/or package manager are not supported.' } } }]);
      const result = await promote({ PROMOTE_DIGEST: imageA, SCAN_GATE: 'basic' });
      expectDie(result, `the scan gate cannot pass image ${imageA}: the scan ended in UNSUPPORTED_IMAGE: ECR cannot scan this image (its operating system or media type `
        + 'is not supported) (The operating system and/or package manager are not supported.)');
      expect(result.output).not.toContain('waiting for');
    }],
    ['a scan that does not finish in time', async () => {
      r().scriptScan(imageA, [{ result: { imageScanStatus: { status: 'IN_PROGRESS' } } }]);
      const result = await promote({ PROMOTE_DIGEST: imageA, SCAN_GATE: 'basic', SCAN_TIMEOUT_SECONDS: '2', SCAN_POLL_SECONDS: '1' });
      expectDie(result, `no finished scan of image ${imageA} after 2s (last: status IN_PROGRESS); is scan on push or enhanced scanning on?`);
      // How many looks fit in 2 s depends on this machine; test/image-build/scan-gate.test.ts counts them on a fake clock.
      expect(result.output).toContain(`scan gate: waiting for the basic scan of image ${imageA} (status IN_PROGRESS)`);
    }],
  ],
  'scan gate blocked': [['a finding at the threshold', async () => {
    r().scriptScan(imageA, [{ result: { imageScanStatus: { status: 'COMPLETE' }, imageScanFindings: { findingSeverityCounts: { CRITICAL: 2 } } } }]);
    expectDie(await promote({ PROMOTE_DIGEST: imageA, SCAN_GATE: 'basic' }), `scan gate blocked ${imageA} (findings in: image): no environment tag applied`);
  }]],
};

describeNeeding(missingRehearsalDeps(), 'every way build-and-push.sh gives up, with its exact message', () => {
  beforeAll(async () => {
    rehearsal = await Rehearsal.start();
    const push = await run('skopeo', ['copy', '--dest-tls-verify=false', '--dest-creds', `AWS:${rehearsal.loginToken}`,
      `containers-storage:${BUSYBOX_IMAGE}`, `docker://${rehearsal.registryHost}/team/errors:sha-a000000`], { env: rehearsal.env(), logFile: rehearsal.logFile('skopeo-a') });
    if (push.status !== 0) throw new Error(push.output);
    imageA = await rehearsal.digestOf('team/errors:sha-a000000');
    const built = await rehearsal.buildAndPush('build', { IMAGE_REPOSITORY_NAME: 'team/errors', IMAGE_TAGS: 'sha-b000000', BUILD_CONTEXT: path.join(FIXTURES, 'multiarch') });
    if (built.status !== 0) throw new Error(built.output);
    imageB = await rehearsal.digestOf('team/errors:sha-b000000');
  });

  afterEach(() => rehearsal?.registryProxy.clearFaults());

  afterAll(async () => {
    await rehearsal?.stop();
  });

  const cases = Object.entries(CASES).flatMap(([fragment, list]) => list.map(([name, check]) => [fragment, name, check] as const));
  test.each(cases)('%s: %s', async (_fragment, _name, check) => {
    await check();
  });

  test('each die of the script has its cases above, and each case a die', () => {
    const dies = fs.readFileSync(BUILD_SCRIPT_FILE, 'utf8').split('\n').filter((line) => /\bdie "/.test(line));
    const fragments = Object.keys(CASES);
    expect(dies.map((line) => [line.trim(), fragments.filter((f) => line.includes(f))]).filter(([, found]) => found.length !== 1)).toEqual([]);
    expect(fragments.filter((f) => !dies.some((line) => line.includes(f)))).toEqual([]);
  });
});
