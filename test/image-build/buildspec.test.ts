import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BUILD_SCRIPT_PATH, OUTPUT_FILE, renderBuildSpec, SCAN_GATE_PATH, WORK_DIR, writeFileCommand } from '../../src/image-build/buildspec';

const SCRIPT = "#!/bin/sh\nset -eu\necho \"it's $1\" 'single $quotes' `backticks` \\\\ back\\slash\n";
const GATE = "'use strict';\nconsole.log(`template ${1 + 1}`);\n";
const spec = (extra: Partial<Parameters<typeof renderBuildSpec>[0]> = {}) => renderBuildSpec({
  tagPrelude: 'IMAGE_TAGS=sha-1a2b3c4\nexport IMAGE_TAGS',
  buildScript: SCRIPT,
  scanGate: GATE,
  secretsManager: {},
  parameterStore: {},
  ...extra,
}) as { version: string; env: Record<string, unknown>; phases: Record<string, { commands: string[] }> };

describe('buildspec rendering', () => {
  test('version 0.2, exported variables, no secret sections when there are no secrets', () => {
    expect(spec().version).toBe('0.2');
    expect(spec().env).toEqual({ 'exported-variables': ['IMAGE_DIGEST', 'IMAGE_URI', 'IMAGE_TAGS'] });
  });

  test('secrets come from Secrets Manager and Parameter Store, never as plaintext variables', () => {
    const env = spec({ secretsManager: { NPM_TOKEN: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:npm:token' }, parameterStore: { PIP_INDEX: '/ci/pip' } }).env;
    expect(env).toEqual({
      'exported-variables': ['IMAGE_DIGEST', 'IMAGE_URI', 'IMAGE_TAGS'],
      'secrets-manager': { NPM_TOKEN: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:npm:token' },
      'parameter-store': { PIP_INDEX: '/ci/pip' },
    });
  });

  test('the pre_build commands write the script and the gate byte for byte, whatever they contain', () => {
    const commands = spec().phases.pre_build.commands;
    const sandbox = fs.mkdtempSync(path.join(os.tmpdir(), 'buildspec-'));
    try {
      // Run the very commands, with the work directory moved into the sandbox.
      const shell = commands.map((c) => c.split(WORK_DIR).join(sandbox)).join('\n');
      const result = spawnSync('dash', ['-eu', '-c', shell], { encoding: 'utf8' });
      expect(result.stderr).toBe('');
      expect(fs.readFileSync(path.join(sandbox, path.basename(BUILD_SCRIPT_PATH)), 'utf8')).toBe(SCRIPT);
      expect(fs.readFileSync(path.join(sandbox, path.basename(SCAN_GATE_PATH)), 'utf8')).toBe(GATE);
    } finally {
      fs.rmSync(sandbox, { recursive: true, force: true });
    }
  });

  test('the build command computes tags only for builds, runs the script, then exports its outputs', () => {
    expect(spec().phases.build.commands).toEqual([
      'if [ "${BUILD_COMMAND:-build}" = build ]; then\n  IMAGE_TAGS=sha-1a2b3c4\n  export IMAGE_TAGS\nfi\n'
      + `sh ${BUILD_SCRIPT_PATH} "\${BUILD_COMMAND:-build}"\n. ${OUTPUT_FILE}`,
    ]);
  });

  test('a here-document delimiter inside the content is refused', () => {
    expect(() => writeFileCommand('/tmp/x', 'a\nEOF\nb', 'EOF')).toThrow('here-document delimiter EOF occurs in the content of /tmp/x');
  });
});
