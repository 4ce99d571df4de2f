// Rehearses src/image-build/assets/build-and-push.sh for real: the very script ImageBuildProject embeds in its
// buildspec, run by dash with environment variables only, against moto (ECR and SSM APIs), a Distribution registry
// that accepts moto's login token, and podman behind a `docker` command. No Docker engine and no AWS account.
// Needs the packages scripts/install-system-deps.sh installs; without them the suite fails and says so.
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { assertSystemDeps, Rehearsal, RunResult, run } from '../support/rehearsal';

jest.setTimeout(10 * 60_000);

const FIXTURES = path.join(__dirname, 'rehearsal');
const CLEAN_FINDINGS = path.join(FIXTURES, 'scan-findings-clean.json');
const CRITICAL_FINDINGS = path.join(FIXTURES, 'scan-findings-critical.json');
const SECRET_VALUE = 'rehearsal-secret-3f9c0d7e';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const DOCKER_MANIFEST_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';

let rehearsal: Rehearsal | undefined;

beforeAll(async () => {
  assertSystemDeps();
  rehearsal = await Rehearsal.start();
});

afterAll(async () => {
  await rehearsal?.stop();
});

function r(): Rehearsal {
  if (!rehearsal) throw new Error('the rehearsal did not start (see beforeAll)');
  return rehearsal;
}

/** Fails with the script's whole log, which says more than "expected 0, received 1". */
function expectSuccess(result: RunResult): void {
  if (result.status !== 0) throw new Error(`build-and-push.sh exited ${result.status ?? result.signal}; its log:\n${result.output}`);
}

function expectFailure(result: RunResult): void {
  if (result.status === 0) throw new Error(`build-and-push.sh succeeded but should have failed; its log:\n${result.output}`);
}

/** The outputs file as a shell sees it after `. FILE`, which is how the buildspec reads it. */
async function sourceOutputs(file: string): Promise<Record<string, string>> {
  const result = await run('dash', ['-c', '. "$1" && printf "%s\\n" "$IMAGE_DIGEST" "$IMAGE_URI" "$IMAGE_TAGS" "$ENVIRONMENT_TAGS"', 'sh', file], {
    env: { PATH: process.env.PATH }, logFile: `${file}.sourced`,
  });
  if (result.status !== 0) throw new Error(`sourcing ${file} failed: ${result.output}`);
  const [IMAGE_DIGEST, IMAGE_URI, IMAGE_TAGS, ENVIRONMENT_TAGS] = result.output.split('\n');
  return { IMAGE_DIGEST, IMAGE_URI, IMAGE_TAGS, ENVIRONMENT_TAGS };
}

async function ssmParameter(name: string): Promise<string> {
  return (await r().aws(['ssm', 'get-parameter', '--name', name])).Parameter.Value;
}

describe('build-and-push.sh rehearsal (podman, docker-registry, moto)', () => {
  // Shared with the promotion test: the digest the single-platform build pushed.
  let appDigest = '';

  test.each([
    ['IMAGE_TAGS', { IMAGE_TAGS: 'sha-1a2b3c4 latest' }],
    ['ENVIRONMENT_TAGS', { IMAGE_TAGS: 'sha-1a2b3c4', ENVIRONMENT_TAGS: 'latest' }],
  ])('refuses latest in %s without ALLOW_LATEST, before logging in', async (variable, vars) => {
    const result = await r().buildAndPush('build', { IMAGE_REPOSITORY_NAME: 'team/app', ...vars });

    expectFailure(result);
    expect(result.output).toContain(`build-and-push: ${variable} must not contain 'latest' (a moving tag that hides which image runs); set ALLOW_LATEST=true to allow it`);
    expect(result.output).not.toContain('Login Succeeded');
  });

  test.each(['AWS_REGION', 'ECR_REGISTRY', 'IMAGE_REPOSITORY_NAME', 'IMAGE_TAGS'])('fails fast when %s is missing', async (variable) => {
    const result = await r().buildAndPush('build', { IMAGE_REPOSITORY_NAME: 'team/app', IMAGE_TAGS: 'sha-1a2b3c4', [variable]: '' });

    expectFailure(result);
    expect(result.output.trim()).toBe(`build-and-push: ${variable} is required`);
  });

  test('login with a password the registry does not accept fails with a clear message', async () => {
    const strict = await r().startRegistry('not-the-token-moto-hands-out');
    const host = `127.0.0.1:${strict.port}`;

    const result = await r().buildAndPush('build', {
      ECR_REGISTRY: host,
      IMAGE_REPOSITORY_NAME: 'team/app',
      IMAGE_TAGS: 'sha-1a2b3c4',
      BUILD_CONTEXT: path.join(FIXTURES, 'multiarch'),
    });

    expectFailure(result);
    expect(result.output).toContain(`build-and-push: docker login to ${host} failed (user AWS, password from aws ecr get-login-password): check ECR_REGISTRY and AWS_REGION`);
    expect(result.output).not.toContain('build-and-push: building');
    // The registry saw the attempt and refused it.
    expect(strict.log).toMatch(/authentication failure|invalid authorization credential/i);
  });

  test('builds and pushes immutable tags to one digest, gates it, then tags dev and records the digest', async () => {
    const outputs = path.join(r().root, 'app.env');
    const result = await r().buildAndPush('build', {
      IMAGE_REPOSITORY_NAME: 'team/app',
      IMAGE_TAGS: 'sha-1a2b3c4 1.2.3',
      ENVIRONMENT_TAGS: 'dev',
      BUILD_CONTEXT: path.join(FIXTURES, 'app'),
      BUILD_TARGET: 'release',
      BUILD_ARGS: `GREETING=hello rehearsal\nTOKEN_SHA256=${createHash('sha256').update(SECRET_VALUE).digest('hex')}`,
      BUILD_SECRETS: 'REHEARSAL_TOKEN',
      REHEARSAL_TOKEN: SECRET_VALUE,
      CACHE_MODE: 'registry',
      CACHE_REF: `${r().registryHost}/team/app:buildcache`,
      SCAN_GATE: 'basic',
      SCAN_FINDINGS_FILE: CLEAN_FINDINGS,
      DIGEST_PARAMETER_PREFIX: '/images/team/app',
      BUILD_OUTPUT_FILE: outputs,
    });

    expectSuccess(result);
    expect(result.output).toContain('Login Succeeded');
    expect(result.output).toContain('build-and-push: CACHE_MODE=registry: the docker client is podman, which has no buildx registry cache; building without it');
    // The RUN step verified the secret's hash inside the build; the value itself never reaches the log.
    expect(result.output).toContain('/run/secrets/REHEARSAL_TOKEN: OK');
    expect(result.output).not.toContain(SECRET_VALUE);

    // Every tag resolves to one manifest, whose hash is the digest the script reported.
    const digest = await r().digestOf('team/app:sha-1a2b3c4');
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(await r().digestOf('team/app:1.2.3')).toBe(digest);
    expect(await r().digestOf('team/app:dev')).toBe(digest);
    expect(await r().listTags('team/app')).toEqual(['1.2.3', 'dev', 'sha-1a2b3c4']);

    // --target and --build-arg reached the build.
    const config = await r().imageConfig('team/app:sha-1a2b3c4');
    expect(config.config?.Labels).toMatchObject({ 'org.example.stage': 'release', 'org.example.greeting': 'hello rehearsal' });

    // The gate ran, and passed, before the environment tag was applied.
    const gateLine = result.output.indexOf('scan gate (threshold CRITICAL): passed; findings: no findings');
    const tagLine = result.output.indexOf(`build-and-push: tagged ${r().registryHost}/team/app:dev -> ${digest}`);
    expect(gateLine).toBeGreaterThan(-1);
    expect(tagLine).toBeGreaterThan(gateLine);

    const imageUri = `${r().registryHost}/team/app@${digest}`;
    expect(await ssmParameter('/images/team/app/dev')).toBe(imageUri);
    expect(await sourceOutputs(outputs)).toEqual({
      IMAGE_DIGEST: digest, IMAGE_URI: imageUri, IMAGE_TAGS: 'sha-1a2b3c4 1.2.3', ENVIRONMENT_TAGS: 'dev',
    });
    appDigest = digest;
  });

  test('a CRITICAL finding blocks the image: the script fails and applies no environment tag', async () => {
    const outputs = path.join(r().root, 'blocked.env');
    const result = await r().buildAndPush('build', {
      IMAGE_REPOSITORY_NAME: 'team/blocked',
      IMAGE_TAGS: 'sha-0badc0d',
      ENVIRONMENT_TAGS: 'dev',
      BUILD_CONTEXT: path.join(FIXTURES, 'multiarch'),
      SCAN_GATE: 'basic',
      SCAN_FINDINGS_FILE: CRITICAL_FINDINGS,
      DIGEST_PARAMETER_PREFIX: '/images/team/blocked',
      BUILD_OUTPUT_FILE: outputs,
    });

    expectFailure(result);
    expect(result.output).toContain('scan gate (threshold CRITICAL): blocked by CRITICAL; findings: CRITICAL=1 HIGH=1');
    const digest = await r().digestOf('team/blocked:sha-0badc0d');
    expect(result.output).toContain(`build-and-push: scan gate blocked ${digest}: no environment tag applied`);
    // The immutable tag was pushed (the scan needs the image in ECR); the environment tag was not.
    expect(await r().listTags('team/blocked')).toEqual(['sha-0badc0d']);
    await expect(ssmParameter('/images/team/blocked/dev')).rejects.toThrow(/ParameterNotFound/);
    expect(fs.existsSync(outputs)).toBe(false);
  });

  test('multi-arch: one build per platform, joined by a manifest into an index with linux/amd64 and linux/arm64', async () => {
    const result = await r().buildAndPush('build', {
      IMAGE_REPOSITORY_NAME: 'team/multi',
      IMAGE_TAGS: 'sha-9f8e7d6 2.0.0',
      ENVIRONMENT_TAGS: 'dev',
      PLATFORMS: 'linux/amd64,linux/arm64',
      BUILD_CONTEXT: path.join(FIXTURES, 'multiarch'),
      SCAN_GATE: 'basic',
      SCAN_FINDINGS_FILE: CLEAN_FINDINGS,
      BUILD_OUTPUT_FILE: path.join(r().root, 'multi.env'),
    });

    expectSuccess(result);
    expect(result.output).toContain('build-and-push: building ' + path.join(FIXTURES, 'multiarch') + ' for linux/amd64 as sha-9f8e7d6-amd64');
    expect(result.output).toContain('build-and-push: building ' + path.join(FIXTURES, 'multiarch') + ' for linux/arm64 as sha-9f8e7d6-arm64');

    const index = JSON.parse(await r().rawManifest('team/multi:sha-9f8e7d6'));
    expect([OCI_INDEX, DOCKER_MANIFEST_LIST]).toContain(index.mediaType);
    const entries = (index.manifests as Array<{ digest: string; platform: { os: string; architecture: string } }>);
    expect(entries.map((m) => `${m.platform.os}/${m.platform.architecture}`).sort()).toEqual(['linux/amd64', 'linux/arm64']);
    // Each entry is the per-arch image pushed as <first tag>-<arch>, and its configuration says the same architecture.
    for (const entry of entries) {
      expect(await r().digestOf(`team/multi:sha-9f8e7d6-${entry.platform.architecture}`)).toBe(entry.digest);
      const config = await r().imageConfig(`team/multi@${entry.digest}`);
      expect(`${config.os}/${config.architecture}`).toBe(`linux/${entry.platform.architecture}`);
    }

    const digest = await r().digestOf('team/multi:sha-9f8e7d6');
    expect(await r().digestOf('team/multi:2.0.0')).toBe(digest);
    expect(await r().digestOf('team/multi:dev')).toBe(digest);
    expect((await sourceOutputs(path.join(r().root, 'multi.env'))).IMAGE_DIGEST).toBe(digest);
  });

  test('promote points prod at an existing digest without a rebuild', async () => {
    expect(appDigest).toMatch(/^sha256:/); // set by the single-platform build test above
    const imagesBefore = await r().localImages();
    const tagsBefore = await r().listTags('team/app');

    const result = await r().buildAndPush('promote', {
      IMAGE_REPOSITORY_NAME: 'team/app',
      PROMOTE_DIGEST: appDigest,
      ENVIRONMENT_TAGS: 'prod',
      SCAN_GATE: 'basic',
      SCAN_FINDINGS_FILE: CLEAN_FINDINGS,
      DIGEST_PARAMETER_PREFIX: '/images/team/app',
      BUILD_OUTPUT_FILE: path.join(r().root, 'promote.env'),
    });

    expectSuccess(result);
    expect(result.output).toContain(`build-and-push: promoting ${r().registryHost}/team/app@${appDigest} to prod (no rebuild)`);
    expect(result.output).not.toMatch(/build-and-push: building|^STEP \d|Copying blob/m);
    expect(await r().localImages()).toEqual(imagesBefore);
    expect(await r().digestOf('team/app:prod')).toBe(appDigest);
    expect(await r().listTags('team/app')).toEqual([...tagsBefore, 'prod'].sort());
    expect(await ssmParameter('/images/team/app/prod')).toBe(`${r().registryHost}/team/app@${appDigest}`);
    expect(await sourceOutputs(path.join(r().root, 'promote.env'))).toMatchObject({ IMAGE_DIGEST: appDigest, IMAGE_TAGS: '', ENVIRONMENT_TAGS: 'prod' });
  });

  test('promote refuses a digest the repository does not hold', async () => {
    const missing = `sha256:${'0'.repeat(64)}`;
    const result = await r().buildAndPush('promote', {
      IMAGE_REPOSITORY_NAME: 'team/app', PROMOTE_DIGEST: missing, ENVIRONMENT_TAGS: 'prod',
    });

    expectFailure(result);
    expect(result.output).toContain(`build-and-push: PROMOTE_DIGEST ${missing} is not in ${r().registryHost}/team/app`);
    expect(await r().digestOf('team/app:prod')).toBe(appDigest);
  });

  test('without a recording, the gate waits for and reads the ECR scan (moto)', async () => {
    expect(appDigest).toMatch(/^sha256:/);
    // moto's ECR has no registry behind it: register the pushed manifest under its real digest.
    const manifestFile = path.join(r().root, 'app-manifest.json');
    fs.writeFileSync(manifestFile, await r().rawManifest(`team/app@${appDigest}`));
    await r().aws(['ecr', 'create-repository', '--repository-name', 'team/app']);
    await r().aws(['ecr', 'put-image', '--repository-name', 'team/app', '--image-tag', 'sha-1a2b3c4',
      '--image-digest', appDigest, '--image-manifest', `file://${manifestFile}`]);
    const promote = (vars: Record<string, string>) => r().buildAndPush('promote', {
      IMAGE_REPOSITORY_NAME: 'team/app',
      PROMOTE_DIGEST: appDigest,
      ENVIRONMENT_TAGS: 'staging',
      SCAN_GATE: 'basic',
      SCAN_POLL_SECONDS: '1',
      ...vars,
    });

    // No scan yet: the script polls, then gives up and names the cause.
    const noScan = await promote({ SCAN_TIMEOUT_SECONDS: '1' });
    expectFailure(noScan);
    expect(noScan.output).toContain(`build-and-push: waiting for the basic scan of ${appDigest} (status: not found`);
    expect(noScan.output).toContain(`build-and-push: no finished scan of ${appDigest} after 1s`);

    // moto's scan reports one HIGH finding: blocked at HIGH, passed at the default CRITICAL.
    await r().aws(['ecr', 'start-image-scan', '--repository-name', 'team/app', '--image-id', `imageDigest=${appDigest}`]);
    const blocked = await promote({ SCAN_GATE_THRESHOLD: 'HIGH' });
    expectFailure(blocked);
    expect(blocked.output).toContain('scan gate (threshold HIGH): blocked by HIGH; findings: HIGH=1');
    expect(await r().listTags('team/app')).not.toContain('staging');

    const passed = await promote({});
    expectSuccess(passed);
    expect(passed.output).toContain('scan gate (threshold CRITICAL): passed; findings: HIGH=1');
    expect(await r().digestOf('team/app:staging')).toBe(appDigest);
  });
});
