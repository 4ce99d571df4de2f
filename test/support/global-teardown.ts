// Runs cfn-lint over every template the suite synthesized; any error (not warning) fails the run.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { TEMPLATE_DIR } from './templates';

export default function globalTeardown(): void {
  const files = fs.existsSync(TEMPLATE_DIR) ? fs.readdirSync(TEMPLATE_DIR).map((f) => path.join(TEMPLATE_DIR, f)) : [];
  if (files.length === 0) return;
  const lint = spawnSync('cfn-lint', ['--format', 'parseable', '--', ...files], { encoding: 'utf8' });
  if (lint.error || lint.status === null) throw new Error(`cfn-lint could not run: ${lint.error?.message ?? lint.signal}`);
  // cfn-lint's exit status is a bit mask of 2 (errors), 4 (warnings) and 8 (informational); 1 means it failed to lint.
  const errors = lint.stdout.split('\n').filter((line) => /:E\d{4}:/.test(line));
  if (![0, 4, 8, 12].includes(lint.status) || errors.length > 0) {
    throw new Error(`cfn-lint found errors in templates the tests synthesized:\n${errors.join('\n') || lint.stdout + lint.stderr}`);
  }
  process.stdout.write(`\ncfn-lint: ${files.length} synthesized templates, no errors\n`);
}
