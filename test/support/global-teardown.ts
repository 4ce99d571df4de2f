// Runs cfn-lint over every template the suite synthesized; any error (not warning) fails the run.
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { realProgram } from './system-deps';
import { templateDir } from './templates';

interface Lint { readonly status: number | null; readonly output: string; readonly error?: Error }

function lint(files: readonly string[]): Promise<Lint> {
  return new Promise((resolve) => {
    const child = spawn(realProgram('cfn-lint') ?? 'cfn-lint', ['--format', 'parseable', '--', ...files], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => output += chunk);
    child.stderr.on('data', (chunk) => output += chunk);
    child.on('error', (error) => resolve({ status: null, output, error }));
    child.on('close', (status) => resolve({ status, output }));
  });
}

export default async function globalTeardown(): Promise<void> {
  const dir = templateDir();
  if (!dir) return;
  const files = fs.readdirSync(dir).map((f) => path.join(dir, f));
  // On errors the templates stay where the message names them.
  await lintAll(files);
  fs.rmSync(dir, { recursive: true, force: true });
}

async function lintAll(files: readonly string[]): Promise<void> {
  if (files.length === 0) return;
  // One cfn-lint per core: it lints one file at a time, and the suite leaves a hundred or more.
  const processes = Math.min(os.availableParallelism(), files.length);
  const results = await Promise.all(Array.from({ length: processes }, (_, i) => lint(files.filter((_f, j) => j % processes === i))));
  for (const result of results) {
    if (result.error || result.status === null) throw new Error(`cfn-lint could not run: ${result.error?.message ?? 'killed by a signal'}`);
    // cfn-lint's exit status is a bit mask of 2 (errors), 4 (warnings) and 8 (informational); 1 means it failed to lint.
    const errors = result.output.split('\n').filter((line) => /:E\d{4}:/.test(line));
    if (![0, 4, 8, 12].includes(result.status) || errors.length > 0) {
      throw new Error(`cfn-lint found errors in templates the tests synthesized:\n${errors.join('\n') || result.output}`);
    }
  }
  process.stdout.write(`\ncfn-lint: ${files.length} synthesized templates, no errors\n`);
}
