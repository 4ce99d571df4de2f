/**
 * Every template a test synthesizes through `Template.fromStack` is kept, so that cfn-lint (the real CloudFormation
 * schema checker, from the machine image's Python) can check them all once the suite has run.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** Names the jest run's directory of templates: one per run, so that two runs at once (CI's lanes) keep their own. */
const TEMPLATE_DIR_VARIABLE = 'SYNTHESIZED_TEMPLATE_DIR';

/** Makes the run's directory (global setup: test workers inherit the variable). */
export function createTemplateDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'synthesized-templates-'));
  process.env[TEMPLATE_DIR_VARIABLE] = dir;
  return dir;
}

/** The run's directory; undefined in a process jest's global setup did not start (nothing to collect then). */
export function templateDir(): string | undefined {
  return process.env[TEMPLATE_DIR_VARIABLE];
}
