/**
 * Benchmark (not a test): `ecr-access matrix` over the reference app across accounts and over a fleet of 1,000
 * repositories (nested stacks) whose 50 consumer roles each pull 20 of them. Each case is synthesized, then its matrix
 * computed, in this one run: the ratio of the matrix's time to the synthesis's is what to watch, not the seconds.
 *
 * Run with `npm run bench`.
 */
import * as fs from 'fs';
import { loadavg, tmpdir } from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { KubectlV33Layer } from '@aws-cdk/lambda-layer-kubectl-v33';
import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { accessMatrix } from '../packages/ecr-access/src/matrix';
import { AccessModel } from '../packages/ecr-access/src/model';
import { ReferencePlatform, RepositoryFleet } from '../src';

const FLEET_SIZE = 1000;
const CONSUMERS = 50;
const PER_CONSUMER = FLEET_SIZE / CONSUMERS;

function referenceApp(outdir: string): App {
  const app = new App({ outdir });
  new ReferencePlatform(app, {
    registryEnv: { account: '111111111111', region: 'eu-west-1' },
    workloads: [{ name: 'dev', env: { account: '222222222222', region: 'eu-west-1' } }, { name: 'prod', env: { account: '333333333333', region: 'eu-west-1' } }],
    kubectlLayer: { createLayer: (scope) => new KubectlV33Layer(scope, 'KubectlLayer') },
  });
  return app;
}

function fleetApp(outdir: string): App {
  const app = new App({ outdir });
  const stack = new Stack(app, 'Fleet', { env: { account: '111111111111', region: 'eu-west-1' } });
  const names = Array.from({ length: FLEET_SIZE }, (_, i) => `team${Math.floor(i / 10)}/service${i % 10}`);
  const fleet = new RepositoryFleet(stack, 'Repositories', { repositoryNames: names });
  fleet.grantPullToAccounts(['222222222222']);
  for (let c = 0; c < CONSUMERS; c++) {
    const role = new iam.Role(stack, `Consumer${c}`, { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') });
    names.slice(c * PER_CONSUMER, (c + 1) * PER_CONSUMER).forEach((name) => fleet.repository(name).grantPull(role));
  }
  return app;
}

async function measure(name: string, build: (outdir: string) => App) {
  const outdir = fs.mkdtempSync(path.join(tmpdir(), 'access-bench-'));
  try {
    const synthStart = performance.now();
    build(outdir).synth();
    const synthMs = performance.now() - synthStart;
    const matrixStart = performance.now();
    const model = AccessModel.of(outdir);
    const matrix = await accessMatrix(model);
    const matrixMs = performance.now() - matrixStart;
    const pairs = matrix.repositories.reduce((n, r) => n + r.rows.length, 0);
    return { name, synthMs, matrixMs, principals: model.principals().length, repositories: matrix.repositories.length, pairs };
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

async function main() {
  console.log(`ecr-access matrix (load average ${loadavg()[0].toFixed(2)})`);
  const rows = [await measure('reference app, 3 accounts', referenceApp), await measure(`fleet of ${FLEET_SIZE}, ${CONSUMERS} consumers`, fleetApp)];
  console.log('| case | principals | repositories | principal-repository pairs with access | synth | matrix | matrix / synth |');
  console.log('|---|---|---|---|---|---|---|');
  for (const r of rows) {
    console.log(`| ${r.name} | ${r.principals} | ${r.repositories} | ${r.pairs} | ${(r.synthMs / 1000).toFixed(1)} s | ${(r.matrixMs / 1000).toFixed(1)} s | ${(r.matrixMs / r.synthMs).toFixed(2)}x |`);
  }
  const fleet = rows[1];
  // Every consumer pulls its 20 repositories, each build of the fleet nothing else: the matrix must show exactly that.
  if (fleet.repositories !== FLEET_SIZE || fleet.pairs !== FLEET_SIZE) {
    throw new Error(`the fleet's matrix has ${fleet.repositories} repositories and ${fleet.pairs} pairs with access; expected ${FLEET_SIZE} and ${FLEET_SIZE}`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
