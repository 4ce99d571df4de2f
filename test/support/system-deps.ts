import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

/**
 * Rehearsals need programs npm does not install (a registry, podman, moto; scripts/install-system-deps.sh installs
 * them on Debian). Without them a rehearsal is skipped, its title naming what it needs, so the rest of the suite still
 * runs on any machine; under CI=true it fails instead, because a rehearsal that silently did not run proves nothing.
 */
export function describeNeeding(missing: string | undefined, name: string, body: () => void): void {
  if (missing === undefined) {
    describe(name, body);
  } else if (process.env.CI === 'true') {
    describe(name, () => {
      test('has what it needs', () => {
        throw new Error(`${name} cannot run: it needs ${missing}. CI=true fails rather than skips a rehearsal.`);
      });
    });
  } else {
    // Said where a developer looks: the run's output, not only the report of skipped tests.
    console.warn(`${name}: skipped, it needs ${missing}`);
    describe.skip(`${name} [skipped: needs ${missing}]`, body);
  }
}

/** The first executable `command` on PATH, or undefined. */
export function findOnPath(command: string): string | undefined {
  return (process.env.PATH ?? '').split(path.delimiter).map((dir) => path.join(dir, command)).find((file) => {
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/**
 * The program `command` runs, or undefined when it is not on PATH. A pyenv shim (the machine image's Python commands:
 * aws, moto_server, cfn-lint) is a shell script that runs pyenv to find the program on every start: 0.7 s of CPU per
 * `aws` call, as much again as the CLI itself, so the program it resolves to is run directly.
 */
export function realProgram(command: string): string | undefined {
  // Asking pyenv runs a few shell scripts: once per command in a test file, and again if anything the answer reads
  // changes (PATH, pyenv's root and version, and the directory, whose .python-version pyenv reads).
  const key = [command, process.env.PATH, process.env.PYENV_ROOT, process.env.PYENV_VERSION, process.cwd()].join('\0');
  if (!resolved.has(key)) resolved.set(key, resolveProgram(command));
  return resolved.get(key);
}
const resolved = new Map<string, string | undefined>();

function resolveProgram(command: string): string | undefined {
  const found = findOnPath(command);
  const shims = process.env.PYENV_ROOT ? path.join(process.env.PYENV_ROOT, 'shims') : undefined;
  if (!found || path.dirname(found) !== shims) return found;
  const which = spawnSync('pyenv', ['which', command], { encoding: 'utf8' });
  return which.status === 0 ? which.stdout.trim() : undefined;
}

/**
 * The Python AWS CLI (v1) that `aws` runs, or undefined. The rehearsals run it in a warm Python (warm-python.ts), which
 * runs the CLI's script: v2, as GitHub's runners have it, is a native program a Python cannot run.
 */
export function pythonAws(): string | undefined {
  const aws = realProgram('aws');
  return aws !== undefined && /^#!.*python/.test(firstLine(aws)) ? aws : undefined;
}

/** The first line of a file, at most 256 bytes of it. */
function firstLine(file: string): string {
  const fd = fs.openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(256);
    return buffer.subarray(0, fs.readSync(fd, buffer, 0, buffer.length, 0)).toString('latin1').split('\n')[0];
  } finally {
    fs.closeSync(fd);
  }
}
