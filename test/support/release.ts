// Runs assets/pipeline/release-stack.sh as the release action's CodeBuild project does (sh, the AWS CLI on PATH),
// against a local moto server.
import * as fs from 'fs';
import * as path from 'path';
import { Moto } from './moto';
import { run, RunResult } from './rehearsal';

export const RELEASE_SCRIPT = path.join(__dirname, '..', '..', 'assets', 'pipeline', 'release-stack.sh');

/** Runs the script with `vars` in `dir`; `aws` there is the real CLI pointed at moto. */
export function runRelease(moto: Moto, dir: string, vars: Record<string, string>): Promise<RunResult> {
  const bin = path.join(dir, 'bin');
  if (!fs.existsSync(bin)) moto.writeAwsCommand(bin);
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('AWS_')));
  return run('sh', [RELEASE_SCRIPT], {
    logFile: path.join(dir, 'release.log'),
    env: {
      ...env,
      PATH: `${bin}:${process.env.PATH}`,
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_DEFAULT_REGION: moto.region,
      AWS_EC2_METADATA_DISABLED: 'true',
      ...vars,
    },
  });
}
