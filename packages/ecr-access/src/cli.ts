#!/usr/bin/env node
// SPDX-License-Identifier: AGPL-3.0-or-later
/**
 * ecr-access: who can pull, push, delete and administer the ECR repositories of a synthesized CDK app.
 *
 *   ecr-access matrix --assembly cdk.out [--format table|markdown|json]
 *   ecr-access why --assembly cdk.out --principal <construct path | role ARN> --repository <name> --action <pull|push|login|delete|admin|ecr:Action>
 *
 * Exit codes: 0 answered (why: allowed), 1 why: denied, 2 bad input (one line on stderr), 3 an internal error.
 */
import { InputError } from './errors';
import { accessMatrix, formatMatrix } from './matrix';
import { AccessModel, STAND_IN_ACCOUNT } from './model';
import { printable } from './terminal';
import { explain } from './why';

const USAGE = `usage:
  ecr-access matrix --assembly <cdk.out> [--format table|markdown|json] [--account <id>]
  ecr-access why --assembly <cdk.out> --principal <construct path or ARN> --repository <name> --action <pull|push|login|delete|admin|ecr:Action> [--account <id>]

--account: the account of stacks synthesized without one (default ${STAND_IN_ACCOUNT}); they are taken to share it.
exit codes: 0 answered (why: allowed), 1 why: denied, 2 bad input, 3 an internal error.
`;

const FORMATS = ['table', 'markdown', 'json'] as const;

/**
 * Runs the command and returns its exit code; it never throws. All it prints goes to `writeOut` and `writeErr` with
 * control bytes escaped; bad input is one line on `writeErr`, an error of the tool itself its stack trace.
 */
export async function main(argv: readonly string[], writeOut: (s: string) => void, writeErr: (s: string) => void): Promise<number> {
  const escaped = (write: (s: string) => void) => (s: string) => write(s.split('\n').map(printable).join('\n'));
  const [out, err] = [escaped(writeOut), escaped(writeErr)];
  try {
    const [command, ...rest] = argv;
    if (command === undefined || command === '--help' || command === '-h') {
      (command === undefined ? err : out)(USAGE);
      return command === undefined ? 2 : 0;
    }
    if (command !== 'matrix' && command !== 'why') throw new InputError(`unknown command '${command}': give matrix or why (--help for usage).`);
    const options = parseOptions(rest, command === 'matrix' ? ['assembly', 'format', 'account'] : ['assembly', 'principal', 'repository', 'action', 'account']);
    const assembly = required(options, 'assembly');
    const account = options.account;
    if (account !== undefined && !/^\d{12}$/.test(account)) throw new InputError(`--account: got '${account}'; an AWS account id is 12 digits.`);
    const format = (options.format ?? 'table') as typeof FORMATS[number];
    if (!FORMATS.includes(format)) throw new InputError(`--format: got '${format}'; give ${FORMATS.join(', ')}.`);
    const model = AccessModel.of(assembly, { standInAccount: account });
    if (command === 'matrix') {
      out(formatMatrix(await accessMatrix(model), format));
      return 0;
    }
    const answer = await explain(model, required(options, 'principal'), required(options, 'repository'), required(options, 'action'));
    out(answer.text);
    return answer.allowed ? 0 : 1;
  } catch (e) {
    if (e instanceof InputError) {
      // A newline a value brings stays escaped: the message is one line.
      writeErr(`ecr-access: ${printable(e.message)}\n`);
      return 2;
    }
    err(`ecr-access: internal error: ${(e as Error).stack ?? e}\n`);
    return 3;
  }
}

function parseOptions(args: readonly string[], allowed: readonly string[]): Record<string, string> {
  const options: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(args[i]);
    if (!match) throw new InputError(`unexpected argument '${args[i]}' (--help for usage).`);
    const [, name, inline] = match;
    if (!allowed.includes(name)) throw new InputError(`unknown option --${name}: this command takes ${allowed.map((a) => `--${a}`).join(', ')}.`);
    // Each option takes one value: a second one is a mistake, never silently the one that counts.
    if (name in options) throw new InputError(`--${name} is given twice: give it once.`);
    const value = inline ?? args[++i];
    if (value === undefined || value === '' || value.startsWith('--')) throw new InputError(`--${name} needs a value.`);
    options[name] = value;
  }
  return options;
}

function required(options: Record<string, string>, name: string): string {
  const value = options[name];
  if (value === undefined) throw new InputError(`--${name} is required (--help for usage).`);
  return value;
}

if (require.main === module) {
  void main(process.argv.slice(2), (s) => process.stdout.write(s), (s) => process.stderr.write(s)).then((code) => { process.exitCode = code; });
}
