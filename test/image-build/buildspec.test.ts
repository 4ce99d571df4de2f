import { spawnSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BUILD_SCRIPT_PATH, FetchedFile, OUTPUT_FILE, renderBuildSpec, SCAN_GATE_PATH, WORK_DIR } from '../../src/image-build/buildspec';

const SCRIPT = "#!/bin/sh\nset -eu\necho \"it's $1\" 'single $quotes' `backticks` \\\\ back\\slash\n";
const GATE = "'use strict';\nconsole.log(`template ${1 + 1}`);\n";
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const FILES: FetchedFile[] = [
  { path: BUILD_SCRIPT_PATH, s3Url: 's3://assets-bucket/0a1b.sh', sha256: sha256(SCRIPT) },
  { path: SCAN_GATE_PATH, s3Url: 's3://assets-bucket/2c3d.js', sha256: sha256(GATE) },
];
const spec = (files = FILES) => renderBuildSpec({ tagPrelude: 'IMAGE_TAGS=sha-1a2b3c4\nexport IMAGE_TAGS', files }) as {
  version: string; env: Record<string, unknown>; phases: Record<string, { commands: string[] }>;
};

/**
 * Runs the pre_build commands in dash, with the work directory moved into a sandbox and an `aws` on PATH that serves
 * `aws s3 cp s3://bucket/key DEST` from `objects` (the real CLI would ask S3).
 */
function runPreBuild(objects: Record<string, string>, files = FILES) {
  const sandbox = fs.mkdtempSync(path.join(os.tmpdir(), 'buildspec-'));
  try {
    const bucket = path.join(sandbox, 's3');
    for (const [url, content] of Object.entries(objects)) {
      const file = path.join(bucket, url.replace('s3://', ''));
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, content);
    }
    fs.mkdirSync(path.join(sandbox, 'bin'));
    fs.writeFileSync(path.join(sandbox, 'bin', 'aws'), [
      '#!/bin/sh',
      '[ "$1 $2 $3" = "s3 cp --only-show-errors" ] || { echo "unexpected: $*" >&2; exit 2; }',
      `src="${bucket}/\${4#s3://}"`,
      '[ -f "$src" ] || { echo "fatal error: An error occurred (404) when calling the HeadObject operation: Key not found" >&2; exit 1; }',
      'cp "$src" "$5"',
      '',
    ].join('\n'), { mode: 0o755 });
    const shell = spec(files).phases.pre_build.commands.map((c) => c.split(WORK_DIR).join(path.join(sandbox, 'work'))).join('\n');
    const result = spawnSync('dash', ['-c', shell], { encoding: 'utf8', env: { PATH: `${path.join(sandbox, 'bin')}:${process.env.PATH}` } });
    const read = (file: string) => fs.readFileSync(path.join(sandbox, 'work', path.basename(file)), 'utf8');
    return { status: result.status, stderr: result.stderr.split(path.join(sandbox, 'work')).join(WORK_DIR), script: result.status === 0 ? read(BUILD_SCRIPT_PATH) : '', gate: result.status === 0 ? read(SCAN_GATE_PATH) : '' };
  } finally {
    fs.rmSync(sandbox, { recursive: true, force: true });
  }
}

describe('buildspec rendering', () => {
  test('version 0.2 and the exported variables; no secrets (they are project variables)', () => {
    expect(spec().version).toBe('0.2');
    expect(spec().env).toEqual({ 'exported-variables': ['IMAGE_DIGEST', 'IMAGE_URI', 'IMAGE_TAGS'] });
  });

  test('pre_build fetches the script and the gate, byte for byte, whatever they contain', () => {
    const result = runPreBuild({ 's3://assets-bucket/0a1b.sh': SCRIPT, 's3://assets-bucket/2c3d.js': GATE });
    expect(result).toEqual({ status: 0, stderr: '', script: SCRIPT, gate: GATE });
  });

  test('a file whose bytes are not the pinned ones fails the build, naming the file, the hash and the object', () => {
    const result = runPreBuild({ 's3://assets-bucket/0a1b.sh': `${SCRIPT}echo injected\n`, 's3://assets-bucket/2c3d.js': GATE });
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(`image build: could not fetch ${BUILD_SCRIPT_PATH} with SHA-256 ${sha256(SCRIPT)} from s3://assets-bucket/0a1b.sh\n`);
  });

  test('a missing object fails the build with the CLI\'s error and the same message', () => {
    const result = runPreBuild({ 's3://assets-bucket/0a1b.sh': SCRIPT });
    expect(result.status).toBe(1);
    expect(result.stderr).toBe('fatal error: An error occurred (404) when calling the HeadObject operation: Key not found\n'
      + `image build: could not fetch ${SCAN_GATE_PATH} with SHA-256 ${sha256(GATE)} from s3://assets-bucket/2c3d.js\n`);
  });

  test('the build command computes tags only for builds, runs the script, then exports its outputs', () => {
    expect(spec().phases.build.commands).toEqual([
      'if [ "${BUILD_COMMAND:-build}" = build ]; then\n  IMAGE_TAGS=sha-1a2b3c4\n  export IMAGE_TAGS\nfi\n'
      + `sh ${BUILD_SCRIPT_PATH} "\${BUILD_COMMAND:-build}"\n. ${OUTPUT_FILE}`,
    ]);
  });
});
