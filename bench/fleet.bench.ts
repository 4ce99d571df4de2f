/**
 * Benchmark (not a test): synthesizing a fleet of repositories with `RepositoryFleet`, beside the same repositories
 * written with aws-cdk-lib's `ecr.Repository` (same settings: immutable tags with exclusions, scan on push, a lifecycle
 * policy, retained), for 100 and 1,000 repositories. Each case runs in a child process of its own; the ratios compare
 * cases measured in this one run. Prints the largest template of each case against CloudFormation's limits.
 *
 * Run with `npm run bench` (after the lifecycle benchmark).
 */
import { fork } from 'child_process';
import * as fs from 'fs';
import { loadavg, tmpdir } from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { LifecyclePresets, RepositoryFleet } from '../src';

const SIZES = [100, 1000];
const RUNS = 3;
const ENVIRONMENTS = ['dev', 'staging', 'prod'];
const MAX_TEMPLATE_BYTES = 1024 * 1024;
const MAX_RESOURCES = 500;
const PLAIN_STACK_SIZE = 100;

interface Sample {
  readonly ms: number;
  readonly rssBytes: number;
  readonly largestTemplateBytes: number;
  readonly mostResources: number;
}

const names = (count: number) => Array.from({ length: count }, (_, i) => `team${Math.floor(i / 10)}/service${i % 10}`);

function fleetApp(count: number, outdir: string): App {
  const app = new App({ outdir });
  new RepositoryFleet(new Stack(app, 'Fleet'), 'Repositories', {
    repositoryNames: names(count),
    defaults: {
      mutableTagPatterns: ENVIRONMENTS,
      lifecyclePolicy: LifecyclePresets.recommended({ protectedTags: ENVIRONMENTS, untaggedMaxAge: Duration.days(14) }),
    },
  });
  return app;
}

function plainApp(count: number, outdir: string): App {
  const app = new App({ outdir });
  // The same settings as the fleet's, in aws-cdk-lib's own construct, split by hand into stacks of 100: CDK refuses a
  // stack of more than 500 resources, and 500 such repositories would also pass CloudFormation's 1 MB.
  const policy = LifecyclePresets.recommended({ protectedTags: ENVIRONMENTS, untaggedMaxAge: Duration.days(14) }).toDocument();
  const stacks: Stack[] = [];
  names(count).forEach((repositoryName, i) => {
    if (i % PLAIN_STACK_SIZE === 0) stacks.push(new Stack(app, `Fleet${stacks.length + 1}`));
    const repository = new ecr.Repository(stacks[stacks.length - 1], repositoryName, {
      repositoryName,
      imageTagMutability: ecr.TagMutability.IMMUTABLE_WITH_EXCLUSION,
      imageTagMutabilityExclusionFilters: ENVIRONMENTS.map((e) => ecr.ImageTagMutabilityExclusionFilter.wildcard(e)),
      imageScanOnPush: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    (repository.node.defaultChild as ecr.CfnRepository).lifecyclePolicy = { lifecyclePolicyText: JSON.stringify(policy) };
  });
  return app;
}

/** One synthesis in this (child) process. */
function measure(kind: string, count: number): Sample {
  const outdir = fs.mkdtempSync(path.join(tmpdir(), 'fleet-bench-'));
  try {
    const start = performance.now();
    (kind === 'fleet' ? fleetApp : plainApp)(count, outdir).synth();
    const ms = performance.now() - start;
    const templates = fs.readdirSync(outdir).filter((f) => f.endsWith('.template.json')).map((f) => fs.readFileSync(path.join(outdir, f), 'utf8'));
    return {
      ms,
      rssBytes: process.memoryUsage().rss,
      largestTemplateBytes: Math.max(...templates.map((t) => Buffer.byteLength(t))),
      mostResources: Math.max(...templates.map((t) => Object.keys(JSON.parse(t).Resources ?? {}).length)),
    };
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

function inChild(kind: string, count: number): Promise<Sample> {
  return new Promise((resolve, reject) => {
    const child = fork(__filename, ['--child', kind, String(count)], { execArgv: ['-r', 'ts-node/register/transpile-only'] });
    child.once('message', (sample) => resolve(sample as Sample));
    child.once('exit', (code) => (code === 0 ? undefined : reject(new Error(`${kind} ${count}: exit ${code}`))));
  });
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

async function main(): Promise<void> {
  console.log(`fleet synthesis: ${RUNS} runs per case, medians (load average ${loadavg()[0].toFixed(1)})`);
  for (const count of SIZES) {
    const results: Record<string, Sample[]> = { fleet: [], plain: [] };
    // Interleaved, so that the machine's load affects both kinds alike.
    for (let run = 0; run < RUNS; run++) {
      for (const kind of ['fleet', 'plain']) results[kind].push(await inChild(kind, count));
    }
    const [fleet, plain] = ['fleet', 'plain'].map((kind) => ({
      ms: median(results[kind].map((s) => s.ms)),
      rss: median(results[kind].map((s) => s.rssBytes)),
      bytes: results[kind][0].largestTemplateBytes,
      resources: results[kind][0].mostResources,
    }));
    const fits = (t: typeof fleet) => (t.bytes <= MAX_TEMPLATE_BYTES && t.resources <= MAX_RESOURCES ? 'within' : 'OVER');
    console.log(`  ${count} repositories:`);
    console.log(`    RepositoryFleet   ${fleet.ms.toFixed(0)} ms, RSS ${mib(fleet.rss)}, largest template ${(fleet.bytes / 1024).toFixed(0)} KiB / ${fleet.resources} resources (${fits(fleet)} CloudFormation's limits)`);
    console.log(`    ecr.Repository    ${plain.ms.toFixed(0)} ms, RSS ${mib(plain.rss)}, largest template ${(plain.bytes / 1024).toFixed(0)} KiB / ${plain.resources} resources (${fits(plain)} CloudFormation's limits)`);
    console.log(`    ratio fleet/plain time ${(fleet.ms / plain.ms).toFixed(2)}x, memory ${(fleet.rss / plain.rss).toFixed(2)}x`);
  }
}

if (process.argv[2] === '--child') {
  process.send!(measure(process.argv[3], Number(process.argv[4])), () => process.exit(0));
} else {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
