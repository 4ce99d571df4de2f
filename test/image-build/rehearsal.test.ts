// Rehearses assets/image-build/build-and-push.sh for real: the very script the buildspec fetches, run by dash with
// environment variables only, against an ECR-like registry (HTTPS, immutable tags) that accepts moto's login token,
// moto for the ECR and SSM APIs behind an `aws` stand-in that scripts scan results, and podman behind a `docker`
// command. No Docker engine and no AWS account. Needs the packages scripts/install-system-deps.sh installs.
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { resolveCfn } from '../../packages/ecr-access/src/resolve';
import { ImageBuildProject, ImageRepository, ScanGate } from '../../src';
import { WORK_DIR } from '../../src/image-build/buildspec';
import { registryCacheTags } from '../../src/image-build/tags';
import { MOTO_ACCOUNT } from '../support/moto';
import { BUSYBOX_IMAGE, missingRehearsalDeps, REGION, Rehearsal, RunResult, run, ScanResponse } from '../support/rehearsal';
import { describeNeeding } from '../support/system-deps';
import { withAssetStaging } from '../support/validation';

// These tests use the assets of the assemblies they synthesize.
withAssetStaging();

jest.setTimeout(10 * 60_000);

const FIXTURES = path.join(__dirname, 'rehearsal');
const SECRET_VALUE = 'rehearsal-secret-3f9c0d7e';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const DOCKER_MANIFEST_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';

/** ECR's answers while a scan runs and once it is done (describe-image-scan-findings). */
const inProgress: ScanResponse = { result: { imageScanStatus: { status: 'IN_PROGRESS', description: 'The scan is in progress.' } } };
const complete = (counts: Record<string, number>): ScanResponse => ({
  result: {
    imageScanStatus: { status: 'COMPLETE', description: 'The scan was completed successfully.' },
    imageScanFindings: { findingSeverityCounts: counts, findings: [] },
  },
});

let rehearsal: Rehearsal | undefined;


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

/** The digests the gate asked ECR about, in order. */
const scanCalls = () => r().awsCalls().filter((args) => args[1] === 'describe-image-scan-findings')
  .map((args) => args[args.indexOf('--image-id') + 1].replace('imageDigest=', ''));

/** The images an index lists, by architecture. */
async function indexEntries(reference: string): Promise<Record<string, string>> {
  const index = JSON.parse(await r().rawManifest(reference));
  expect([OCI_INDEX, DOCKER_MANIFEST_LIST]).toContain(index.mediaType);
  const manifests = index.manifests as Array<{ digest: string; platform: { architecture: string } }>;
  return Object.fromEntries(manifests.map((m) => [m.platform.architecture, m.digest]));
}

describeNeeding(missingRehearsalDeps(), 'build-and-push.sh rehearsal (podman, ECR-like registry, moto)', () => {
  beforeAll(async () => {
    rehearsal = await Rehearsal.start();
  });

  afterAll(async () => {
    await rehearsal?.stop();
  });

  // Shared with later tests: the digest the single-platform build pushed.
  let appDigest = '';
  let multiDigest = '';

  test('builds and pushes immutable tags to one digest, waits for the scan, then tags dev and records the digest', async () => {
    r().scriptScan('team/app:sha-1a2b3c4', [inProgress, inProgress, complete({ MEDIUM: 2 })]);
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
      SCAN_GATE: 'basic',
      SCAN_POLL_SECONDS: '1',
      DIGEST_PARAMETER_PREFIX: '/images/team/app',
      BUILD_OUTPUT_FILE: outputs,
    });

    expectSuccess(result);
    expect(result.output).toContain('Login Succeeded');
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

    // The gate asked ECR until the scan was done (two IN_PROGRESS answers), judged it, and only then tagged dev.
    expect(scanCalls()).toEqual([digest, digest, digest]);
    expect(result.output.split('\n').filter((l) => l === `scan gate: waiting for the basic scan of image ${digest} (status IN_PROGRESS)`)).toHaveLength(2);
    const gateLine = result.output.indexOf(`scan gate (threshold CRITICAL): image ${digest}: passed; findings: MEDIUM=2`);
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

  test('the registry refuses to move an immutable tag, as ECR does', async () => {
    expect(appDigest).toMatch(/^sha256:/);
    const copy = await run('skopeo', ['copy', '--dest-tls-verify=false', '--dest-creds', `AWS:${r().loginToken}`,
      `containers-storage:${BUSYBOX_IMAGE}`, `docker://${r().registryHost}/team/app:sha-1a2b3c4`], { env: r().env(), logFile: r().logFile('skopeo-overwrite') });

    expect(copy.status).not.toBe(0);
    expect(copy.output).toContain("tag invalid: The image tag 'sha-1a2b3c4' already exists in the 'team/app' repository and cannot be overwritten because the repository is immutable.");
    expect(await r().digestOf('team/app:sha-1a2b3c4')).toBe(appDigest);
  });

  test('a release tag on a commit already built tags that image: no rebuild, no push of the immutable commit tag', async () => {
    expect(appDigest).toMatch(/^sha256:/);
    const refusedBefore = [...r().registryProxy.refused];
    const imagesBefore = await r().localImages();
    // Another build argument: a rebuild would make another image, whose push ECR would refuse.
    const result = await r().buildAndPush('build', {
      IMAGE_REPOSITORY_NAME: 'team/app',
      IMAGE_TAGS: 'sha-1a2b3c4 1.3.0',
      ENVIRONMENT_TAGS: 'dev',
      BUILD_CONTEXT: path.join(FIXTURES, 'app'),
      BUILD_ARGS: 'GREETING=a different build',
      SCAN_GATE: 'basic',
      BUILD_OUTPUT_FILE: path.join(r().root, 'release.env'),
    });

    expectSuccess(result);
    expect(result.output).toContain(`build-and-push: ${r().registryHost}/team/app:sha-1a2b3c4 exists (${appDigest}): not rebuilding this commit; tagging that image`);
    expect(result.output).toContain(`build-and-push: tagged ${r().registryHost}/team/app:1.3.0 -> ${appDigest}`);
    expect(result.output).not.toMatch(/build-and-push: building|^STEP \d/m);
    expect(await r().localImages()).toEqual(imagesBefore);
    expect(await r().digestOf('team/app:1.3.0')).toBe(appDigest);
    expect(await r().digestOf('team/app:sha-1a2b3c4')).toBe(appDigest);
    expect(r().registryProxy.refused).toEqual(refusedBefore);
    expect((await sourceOutputs(path.join(r().root, 'release.env'))).IMAGE_TAGS).toBe('sha-1a2b3c4 1.3.0');
  });

  test('a version tag another commit holds is refused before building', async () => {
    const result = await r().buildAndPush('build', {
      IMAGE_REPOSITORY_NAME: 'team/app',
      IMAGE_TAGS: 'sha-2b3c4d5 1.3.0',
      BUILD_CONTEXT: path.join(FIXTURES, 'app'),
    });

    expectFailure(result);
    expect(result.output).toContain(`build-and-push: ${r().registryHost}/team/app:1.3.0 already points at ${appDigest}, not at the image this build makes; `
      + 'an immutable tag never moves: release under a new version');
    expect(result.output).not.toContain('build-and-push: building');
    expect(await r().listTags('team/app')).not.toContain('sha-2b3c4d5');
  });

  test('a CRITICAL finding blocks the image: the script fails and applies no environment tag', async () => {
    r().scriptScan('team/blocked:sha-0badc0d', [complete({ CRITICAL: 1, HIGH: 1 })]);
    const outputs = path.join(r().root, 'blocked.env');
    const result = await r().buildAndPush('build', {
      IMAGE_REPOSITORY_NAME: 'team/blocked',
      IMAGE_TAGS: 'sha-0badc0d',
      ENVIRONMENT_TAGS: 'dev',
      BUILD_CONTEXT: path.join(FIXTURES, 'multiarch'),
      SCAN_GATE: 'basic',
      DIGEST_PARAMETER_PREFIX: '/images/team/blocked',
      BUILD_OUTPUT_FILE: outputs,
    });

    expectFailure(result);
    const digest = await r().digestOf('team/blocked:sha-0badc0d');
    expect(result.output).toContain(`scan gate (threshold CRITICAL): image ${digest}: blocked by CRITICAL; findings: CRITICAL=1 HIGH=1`);
    expect(result.output).toContain(`build-and-push: scan gate blocked ${digest} (findings in: image): no environment tag applied`);
    // The immutable tag was pushed (the scan needs the image in ECR); the environment tag was not.
    expect(await r().listTags('team/blocked')).toEqual(['sha-0badc0d']);
    await expect(ssmParameter('/images/team/blocked/dev')).rejects.toThrow(/ParameterNotFound/);
    expect(fs.existsSync(outputs)).toBe(false);
  });

  test('multi-arch: an index of linux/amd64 and linux/arm64 is gated image by image, and a retry after a block builds nothing', async () => {
    // ECR never scans the index; it scans each image pushed, and here the arm64 image has a HIGH finding.
    r().scriptScan('team/multi:sha-9f8e7d6-amd64', [inProgress, complete({ LOW: 1 })]);
    r().scriptScan('team/multi:sha-9f8e7d6-arm64', [complete({ HIGH: 1 })]);
    const vars = {
      IMAGE_REPOSITORY_NAME: 'team/multi',
      IMAGE_TAGS: 'sha-9f8e7d6 2.0.0',
      ENVIRONMENT_TAGS: 'dev',
      PLATFORMS: 'linux/amd64,linux/arm64',
      BUILD_CONTEXT: path.join(FIXTURES, 'multiarch'),
      CACHE_MODE: 'registry',
      CACHE_REF: `${r().registryHost}/team/multi:buildcache`,
      SCAN_GATE: 'basic',
      SCAN_POLL_SECONDS: '1',
      BUILD_OUTPUT_FILE: path.join(r().root, 'multi.env'),
    };
    const blocked = await r().buildAndPush('build', { ...vars, SCAN_GATE_THRESHOLD: 'HIGH' });

    expectFailure(blocked);
    const entries = await indexEntries('team/multi:sha-9f8e7d6');
    expect(Object.keys(entries).sort()).toEqual(['amd64', 'arm64']);
    const index = await r().digestOf('team/multi:sha-9f8e7d6');
    // Each entry is the per-arch image pushed as <first tag>-<arch>, and its configuration says the same architecture.
    for (const [arch, digest] of Object.entries(entries)) {
      expect(await r().digestOf(`team/multi:sha-9f8e7d6-${arch}`)).toBe(digest);
      const config = await r().imageConfig(`team/multi@${digest}`);
      expect(`${config.os}/${config.architecture}`).toBe(`linux/${arch}`);
    }
    // The registry cache of each platform under the tags ImageBuildProject makes mutable (podman skips the cache).
    for (const tag of registryCacheTags('buildcache', ['linux/amd64', 'linux/arm64'])) {
      expect(blocked.output).toContain(`podman, which has no buildx registry cache; building without ${r().registryHost}/team/multi:${tag}`);
    }
    expect(blocked.output).toContain(`scan gate (threshold HIGH): linux/amd64 ${entries.amd64}: passed; findings: LOW=1`);
    expect(blocked.output).toContain(`scan gate (threshold HIGH): linux/arm64 ${entries.arm64}: blocked by HIGH; findings: HIGH=1`);
    expect(blocked.output).toContain(`build-and-push: scan gate blocked ${index} (findings in: linux/arm64): no environment tag applied`);
    expect(await r().listTags('team/multi')).not.toContain('dev');
    // Every image was asked about, the index never.
    expect(scanCalls().filter((d) => Object.values(entries).includes(d) || d === index)).toEqual([entries.amd64, entries.amd64, entries.arm64]);

    // "Retry build" once the finding is accepted (threshold CRITICAL): the commit exists, so nothing is rebuilt.
    const retried = await r().buildAndPush('build', vars);

    expectSuccess(retried);
    expect(retried.output).toContain(`build-and-push: ${r().registryHost}/team/multi:sha-9f8e7d6 exists (${index}): not rebuilding this commit; tagging that image`);
    expect(retried.output).not.toContain('build-and-push: building');
    expect(retried.output).toContain(`scan gate (threshold CRITICAL): linux/arm64 ${entries.arm64}: passed; findings: HIGH=1`);
    expect(await r().digestOf('team/multi:2.0.0')).toBe(index);
    expect(await r().digestOf('team/multi:dev')).toBe(index);
    expect((await sourceOutputs(path.join(r().root, 'multi.env'))).IMAGE_DIGEST).toBe(index);
    multiDigest = index;
  });

  test('multi-arch: a platform pushed before an interrupted build is reused, not pushed again', async () => {
    const context = fs.mkdtempSync(path.join(r().root, 'partial-'));
    fs.writeFileSync(path.join(context, 'Dockerfile'), 'FROM scratch\nARG TARGETARCH\nCOPY ${TARGETARCH}.txt /platform.txt\n');
    fs.writeFileSync(path.join(context, 'amd64.txt'), 'amd64\n');
    const vars = { IMAGE_REPOSITORY_NAME: 'team/partial', IMAGE_TAGS: 'sha-7a6b5c4', PLATFORMS: 'linux/amd64,linux/arm64', BUILD_CONTEXT: context };

    // The arm64 build fails (its file is missing) after the amd64 image was pushed.
    const interrupted = await r().buildAndPush('build', vars);
    expectFailure(interrupted);
    expect(await r().listTags('team/partial')).toEqual(['sha-7a6b5c4-amd64']);
    const amd64 = await r().digestOf('team/partial:sha-7a6b5c4-amd64');

    fs.writeFileSync(path.join(context, 'arm64.txt'), 'arm64\n');
    const retried = await r().buildAndPush('build', vars);

    expectSuccess(retried);
    expect(retried.output).toContain(`build-and-push: ${r().registryHost}/team/partial:sha-7a6b5c4-amd64 exists (${amd64}): not rebuilding linux/amd64`);
    expect(retried.output).not.toContain('for linux/amd64 as');
    expect(retried.output).toContain(`build-and-push: building ${context} for linux/arm64 as sha-7a6b5c4-arm64`);
    expect((await indexEntries('team/partial:sha-7a6b5c4')).amd64).toBe(amd64);
  });

  test('promote points prod at an existing digest without a rebuild, behind the gate', async () => {
    expect(appDigest).toMatch(/^sha256:/);
    const imagesBefore = await r().localImages();
    const tagsBefore = await r().listTags('team/app');

    const result = await r().buildAndPush('promote', {
      IMAGE_REPOSITORY_NAME: 'team/app',
      PROMOTE_DIGEST: appDigest,
      ENVIRONMENT_TAGS: 'prod',
      SCAN_GATE: 'basic',
      DIGEST_PARAMETER_PREFIX: '/images/team/app',
      BUILD_OUTPUT_FILE: path.join(r().root, 'promote.env'),
    });

    expectSuccess(result);
    expect(result.output).toContain(`build-and-push: promoting ${r().registryHost}/team/app@${appDigest} to prod (no rebuild)`);
    expect(result.output).toContain(`scan gate (threshold CRITICAL): image ${appDigest}: passed; findings: MEDIUM=2`);
    expect(result.output).not.toMatch(/build-and-push: building|^STEP \d|Copying blob/m);
    expect(await r().localImages()).toEqual(imagesBefore);
    expect(await r().digestOf('team/app:prod')).toBe(appDigest);
    expect(await r().listTags('team/app')).toEqual([...tagsBefore, 'prod'].sort());
    expect(await ssmParameter('/images/team/app/prod')).toBe(`${r().registryHost}/team/app@${appDigest}`);
    expect(await sourceOutputs(path.join(r().root, 'promote.env'))).toMatchObject({ IMAGE_DIGEST: appDigest, IMAGE_TAGS: '', ENVIRONMENT_TAGS: 'prod' });
  });

  test('promoting a multi-arch digest gates each of its images', async () => {
    expect(multiDigest).toMatch(/^sha256:/);
    const entries = await indexEntries(`team/multi@${multiDigest}`);
    const result = await r().buildAndPush('promote', {
      IMAGE_REPOSITORY_NAME: 'team/multi', PROMOTE_DIGEST: multiDigest, ENVIRONMENT_TAGS: 'prod', SCAN_GATE: 'basic', SCAN_GATE_THRESHOLD: 'HIGH',
    });

    expectFailure(result);
    expect(result.output).toContain(`scan gate (threshold HIGH): linux/amd64 ${entries.amd64}: passed; findings: LOW=1`);
    expect(result.output).toContain(`build-and-push: scan gate blocked ${multiDigest} (findings in: linux/arm64): no environment tag applied`);
    expect(await r().listTags('team/multi')).not.toContain('prod');
  });

  test('base images from another registry: the build logs in there with a password of that registry\'s region', async () => {
    // A central registry (another account, another region) holding the base image.
    const central = await r().startRegistry(r().loginToken);
    const push = await run('skopeo', ['copy', '--dest-tls-verify=false', '--dest-creds', `AWS:${r().loginToken}`,
      `containers-storage:${BUSYBOX_IMAGE}`, `docker://${central.host}/shared/busybox:1`], { env: r().env(), logFile: r().logFile('skopeo-base') });
    expect(push.status).toBe(0);
    const vars = {
      IMAGE_REPOSITORY_NAME: 'team/based',
      IMAGE_TAGS: 'sha-3c4d5e6',
      BUILD_CONTEXT: path.join(FIXTURES, 'base'),
      BUILD_ARGS: `BASE_IMAGE=${central.host}/shared/busybox:1`,
    };
    const callsBefore = r().awsCalls().length;

    const withoutLogin = await r().buildAndPush('build', vars);
    expectFailure(withoutLogin);
    expect(withoutLogin.output).toMatch(/authentication required|unauthorized/i);

    const result = await r().buildAndPush('build', { ...vars, PULL_REGISTRIES: `${central.host}@us-east-1` });
    expectSuccess(result);
    expect(r().awsCalls().slice(callsBefore).filter((args) => args[1] === 'get-login-password')).toEqual([
      ['ecr', 'get-login-password', '--region', REGION],
      ['ecr', 'get-login-password', '--region', REGION],
      ['ecr', 'get-login-password', '--region', 'us-east-1'],
    ]);
    expect((await r().imageConfig('team/based:sha-3c4d5e6')).architecture).toBe('amd64');
  });

  test('without a script, the gate waits for and reads the ECR scan (moto)', async () => {
    expect(appDigest).toMatch(/^sha256:/);
    // moto's ECR has no registry behind it: register the pushed manifest under its real digest.
    const manifestFile = path.join(r().root, 'app-manifest.json');
    fs.writeFileSync(manifestFile, await r().rawManifest(`team/app@${appDigest}`));
    await r().aws(['ecr', 'create-repository', '--repository-name', 'team/moto']);
    await r().aws(['ecr', 'put-image', '--repository-name', 'team/moto', '--image-tag', 'sha-1a2b3c4',
      '--image-digest', appDigest, '--image-manifest', `file://${manifestFile}`]);
    const copy = await run('skopeo', ['copy', '--src-tls-verify=false', '--dest-tls-verify=false', '--src-creds', `AWS:${r().loginToken}`,
      '--dest-creds', `AWS:${r().loginToken}`, `docker://${r().registryHost}/team/app@${appDigest}`, `docker://${r().registryHost}/team/moto:sha-1a2b3c4`],
    { env: r().env(), logFile: r().logFile('skopeo-moto') });
    expect(copy.status).toBe(0);
    const promote = (vars: Record<string, string>) => r().buildAndPush('promote', {
      IMAGE_REPOSITORY_NAME: 'team/moto',
      PROMOTE_DIGEST: appDigest,
      ENVIRONMENT_TAGS: 'staging',
      SCAN_GATE: 'basic',
      SCAN_POLL_SECONDS: '1',
      ...vars,
    });

    // No scan yet: moto answers ScanNotFoundException, which the gate waits out (an error it would not wait out ends the
    // build at once, as 'could not read the scan'), then gives up at the deadline naming the cause. How many looks fit
    // before it depends on how fast the real CLI answers here; test/image-build/scan-gate.test.ts counts them.
    const noScan = await promote({ SCAN_TIMEOUT_SECONDS: '1' });
    expectFailure(noScan);
    expect(noScan.output).toContain(`build-and-push: no finished scan of image ${appDigest} after 1s (last: ScanNotFoundException); is scan on push or enhanced scanning on?`);

    // moto's scan reports one HIGH finding: blocked at HIGH, passed at the default CRITICAL.
    await r().aws(['ecr', 'start-image-scan', '--repository-name', 'team/moto', '--image-id', `imageDigest=${appDigest}`]);
    const blocked = await promote({ SCAN_GATE_THRESHOLD: 'HIGH' });
    expectFailure(blocked);
    expect(blocked.output).toContain(`scan gate (threshold HIGH): image ${appDigest}: blocked by HIGH; findings: HIGH=1`);
    expect(await r().listTags('team/moto')).not.toContain('staging');

    const passed = await promote({});
    expectSuccess(passed);
    expect(passed.output).toContain(`scan gate (threshold CRITICAL): image ${appDigest}: passed; findings: HIGH=1`);
    expect(await r().digestOf('team/moto:staging')).toBe(appDigest);
  });

  test('the synthesized project, run as CodeBuild runs it: the buildspec fetches the stack\'s assets, tags from the git tag, builds, exports', async () => {
    // The project as a user writes it, in moto's account; its assets published as `cdk deploy` publishes them.
    const app = new App();
    const stack = new Stack(app, 'Registry', { env: { account: MOTO_ACCOUNT, region: REGION } });
    const repository = new ImageRepository(stack, 'Repo', { repositoryName: 'team/codebuild', mutableTagPatterns: ['dev'] });
    new ImageBuildProject(stack, 'Build', {
      repository,
      source: codebuild.Source.gitHub({ owner: 'acme', repo: 'app' }),
      buildContext: 'multiarch',
      environmentTags: ['dev'],
      scanGate: ScanGate.none(),
    });
    const assembly = app.synth();
    const manifest = assembly.artifacts.find((a): a is cxapi.AssetManifestArtifact => a instanceof cxapi.AssetManifestArtifact)!;
    for (const file of Object.values(JSON.parse(fs.readFileSync(manifest.file, 'utf8')).files) as Array<{ source: { path: string }; destinations: Record<string, { bucketName: string; objectKey: string }> }>) {
      const { bucketName, objectKey } = Object.values(file.destinations)[0];
      await r().aws(['s3api', 'create-bucket', '--bucket', bucketName, '--create-bucket-configuration', `LocationConstraint=${REGION}`]).catch(() => undefined);
      await r().aws(['s3api', 'put-object', '--bucket', bucketName, '--key', objectKey, '--body', path.join(assembly.directory, file.source.path)]);
    }
    const template = assembly.getStackByName('Registry').template;
    const project = Object.values(template.Resources as Record<string, { Type: string; Properties: any }>).find((res) => res.Type === 'AWS::CodeBuild::Project')!.Properties;
    const repositoryId = Object.keys(template.Resources).find((id) => template.Resources[id].Type === 'AWS::ECR::Repository')!;
    const refs = {
      'AWS::AccountId': MOTO_ACCOUNT,
      'AWS::Region': REGION,
      'AWS::Partition': 'aws',
      'AWS::URLSuffix': 'amazonaws.com',
      [repositoryId]: 'team/codebuild',
      [`${repositoryId}.Arn`]: `arn:aws:ecr:${REGION}:${MOTO_ACCOUNT}:repository/team/codebuild`,
    };
    const buildSpec = JSON.parse(resolveCfn(project.Source.BuildSpec, refs));
    const declared = project.Environment.EnvironmentVariables as Array<{ Name: string; Value: unknown }>;
    const variables = Object.fromEntries(declared.map((v) => [v.Name, String(resolveCfn(v.Value, refs))]));
    expect(variables.ECR_REGISTRY).toBe(`${MOTO_ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com`);
    // What CodeBuild provides: the source checked out, the commit and the webhook's git tag; the registry is the rehearsal's.
    const source = fs.mkdtempSync(path.join(r().root, 'source-'));
    fs.cpSync(path.join(FIXTURES, 'multiarch'), path.join(source, 'multiarch'), { recursive: true });
    const work = path.join(fs.mkdtempSync(path.join(r().root, 'codebuild-')), 'image-build');
    const env = {
      // The work directory moves into the rehearsal's (the buildspec's commands below move with it).
      ...Object.fromEntries(Object.entries(variables).map(([k, v]) => [k, v.split(WORK_DIR).join(work)])),
      ECR_REGISTRY: r().registryHost,
      AWS_REGION: REGION,
      CODEBUILD_RESOLVED_SOURCE_VERSION: '4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e',
      CODEBUILD_WEBHOOK_TRIGGER: 'tag/v1.4.0',
    };
    // Each phase runs in one shell, as CodeBuild runs it.
    const phase = async (name: string, extra = '') => {
      const commands = (buildSpec.phases[name].commands as string[]).map((c) => c.split(WORK_DIR).join(work)).join('\n');
      return run('sh', ['-c', `set -e\n${commands}${extra}`], { env: r().env(env), cwd: source, logFile: r().logFile(`codebuild-${name}`) });
    };

    const preBuild = await phase('pre_build');
    expect(preBuild).toMatchObject({ status: 0 });
    // The build runs the very files of this package.
    expect(fs.readFileSync(path.join(work, 'build-and-push.sh'))).toEqual(fs.readFileSync(path.join(__dirname, '../../assets/image-build/build-and-push.sh')));
    const exported = await phase('build', '\nprintf "exported %s|%s|%s\\n" "$IMAGE_DIGEST" "$IMAGE_URI" "$IMAGE_TAGS"');

    expectSuccess(exported);
    const digest = await r().digestOf('team/codebuild:sha-4d5e6f7');
    expect(await r().listTags('team/codebuild')).toEqual(['1.4.0', 'dev', 'sha-4d5e6f7']);
    expect(exported.output).toContain(`exported ${digest}|${r().registryHost}/team/codebuild@${digest}|sha-4d5e6f7 1.4.0\n`);
    expect(await ssmParameter('/image-build/team/codebuild/dev')).toBe(`${r().registryHost}/team/codebuild@${digest}`);
  });
});
