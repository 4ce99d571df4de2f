/**
 * Benchmark (not a test): `simulatePolicy` and the `ecr-lifecycle preview` CLI, each beside a simple reference doing
 * the same job on the same input, how validation grows with inputs far beyond what ECR accepts, and `ecr-lifecycle
 * report` on a whole registry beside `preview`. Targets are printed as PASS/MISS and never fail the run; the failures
 * are a correctness disagreement between the simulator and the reference, validation growing faster than linearly,
 * and `report` taking longer per image than `preview` (or holding more memory, which means it did not stream).
 *
 * Run with `npm run bench` (node --expose-gc -r ts-node/register/transpile-only bench/lifecycle.bench.ts).
 * Each in-process case runs in its own child process, so heap, JIT state and RSS of one case do not leak into the next.
 */
import { fork, spawnSync } from 'child_process';
import { createHash } from 'crypto';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { cpus, loadavg, tmpdir } from 'os';
import { dirname, join, relative } from 'path';
import { performance } from 'perf_hooks';
import { Worker } from 'worker_threads';
import * as ts from 'typescript';
import { repositoryFiles } from '../src/cli/report';
import { ImageRecord, ImageStatusName, simulatePolicy } from '../src/lifecycle/simulate';
import { ActionType, CountType, DAY_MS, LifecyclePolicyDocument, StorageClass, TagStatus } from '../src/lifecycle/types';
import { checkPolicy, validatePolicyDocument } from '../src/lifecycle/validate';
import { referenceSimulate } from '../test/lifecycle/reference-simulator';

const ROOT = join(__dirname, '..');
const SEED = 20240601;
const NOW = Date.UTC(2026, 0, 1);
const FULL = 1_000_000;
const SLICE = 100_000;
const CLI_IMAGES = 100_000;
const RUNS = 3;
const TARGET_SIM_MS = 2000;
const TARGET_SIM_BYTES = 1024 ** 3;
const TARGET_CLI_MS = 3000;
const CLI = join(ROOT, 'lib', 'cli', 'ecr-lifecycle.js');

// ---------------------------------------------------------------------------------------------------------------------
// Input: a 10-rule policy and a deterministic inventory

const days = (n: number) => ({ countUnit: 'days', countNumber: n });
const archive = { type: ActionType.TRANSITION, targetStorageClass: StorageClass.ARCHIVE };
const expire = { type: ActionType.EXPIRE };

/** A realistic mix: every count type, prefix and pattern lists (one with two patterns), untagged, `any` last per class. */
export const BENCH_POLICY: LifecyclePolicyDocument = {
  rules: [
    { rulePriority: 1, description: 'keep 200 releases active', selection: { tagStatus: TagStatus.TAGGED, tagPatternList: ['v*.*.*'], countType: CountType.IMAGE_COUNT_MORE_THAN, countNumber: 200 }, action: archive },
    { rulePriority: 2, description: 'archive prod after a year', selection: { tagStatus: TagStatus.TAGGED, tagPrefixList: ['prod'], countType: CountType.SINCE_IMAGE_PUSHED, ...days(365) }, action: archive },
    { rulePriority: 3, description: 'release candidates', selection: { tagStatus: TagStatus.TAGGED, tagPatternList: ['*-rc*'], countType: CountType.SINCE_IMAGE_PUSHED, ...days(30) }, action: expire },
    { rulePriority: 4, description: 'keep 500 dev builds', selection: { tagStatus: TagStatus.TAGGED, tagPrefixList: ['dev-'], countType: CountType.IMAGE_COUNT_MORE_THAN, countNumber: 500 }, action: expire },
    { rulePriority: 5, description: 'feature snapshots', selection: { tagStatus: TagStatus.TAGGED, tagPatternList: ['feature-*', '*-snapshot'], countType: CountType.SINCE_IMAGE_PUSHED, ...days(14) }, action: expire },
    { rulePriority: 6, description: 'untagged', selection: { tagStatus: TagStatus.UNTAGGED, countType: CountType.SINCE_IMAGE_PUSHED, ...days(3) }, action: expire },
    { rulePriority: 7, description: 'commit builds not pulled', selection: { tagStatus: TagStatus.TAGGED, tagPrefixList: ['sha-'], countType: CountType.SINCE_IMAGE_PULLED, ...days(90) }, action: archive },
    { rulePriority: 8, description: 'anything not pulled', selection: { tagStatus: TagStatus.ANY, countType: CountType.SINCE_IMAGE_PULLED, ...days(180) }, action: archive },
    { rulePriority: 9, description: 'archived PR builds', selection: { tagStatus: TagStatus.TAGGED, tagPrefixList: ['pr-'], storageClass: StorageClass.ARCHIVE, countType: CountType.SINCE_IMAGE_TRANSITIONED, ...days(90) }, action: expire },
    { rulePriority: 10, description: 'archived anything', selection: { tagStatus: TagStatus.ANY, storageClass: StorageClass.ARCHIVE, countType: CountType.SINCE_IMAGE_TRANSITIONED, ...days(365) }, action: expire },
  ],
};

/** Park-Miller MINSTD: exact in doubles, so no bitwise operations; plenty for benchmark data. */
class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = (seed % 2147483646) + 1;
  }
  /** Uniform in [0, 1). */
  public next(): number {
    this.state = (this.state * 48271) % 2147483647;
    return (this.state - 1) / 2147483646;
  }
  public int(n: number): number {
    return Math.floor(this.next() * n);
  }
  public hex8(): string {
    return this.int(0x100000000).toString(16).padStart(8, '0');
  }
}

/**
 * Builds a flat string. Template literals make V8 cons-strings (trees of pieces); JSON.parse, which produces real
 * inventories, makes flat ones, and the two differ in memory and comparison speed.
 */
const cat = (...parts: (string | number)[]): string => parts.join('');

/** Tag kinds, each embedding the image index so a tag names one image, as in a real repository. */
const TAG_KINDS: readonly ((r: Rng, i: number) => string)[] = [
  (r, i) => cat('v', r.int(4), '.', r.int(30), '.', i),
  (r, i) => cat('v', r.int(4), '.', r.int(30), '.', i, '-rc', 1 + r.int(4)),
  (_r, i) => cat('prod-', i),
  (_r, i) => cat('dev-', i),
  (r, i) => cat('feature-', ['login', 'search', 'cart', 'billing'][r.int(4)], '-', i, r.int(3) === 0 ? '-snapshot' : ''),
  (_r, i) => cat('pr-', i),
  (r) => cat('sha-', r.hex8(), r.hex8().slice(0, 4)),
  (_r, i) => cat('build-', i),
];
const TAG_WEIGHTS = [15, 5, 8, 15, 10, 10, 30, 7];

/**
 * `count` images: 78% ACTIVE (some restored from the archive), 19% ARCHIVED, 3% ACTIVATING; 0-3 tags; push, pull and
 * archive times spread over 2 years before NOW. Sequential draws, so `generateInventory(n)` is a prefix of any longer one.
 */
export function generateInventory(count: number, seed = SEED): ImageRecord[] {
  const r = new Rng(seed);
  const span = 730 * DAY_MS;
  const weightTotal = TAG_WEIGHTS.reduce((a, b) => a + b, 0);
  const images: ImageRecord[] = []; // pushed, so packed like the arrays JSON.parse and map() produce
  for (let i = 0; i < count; i++) {
    const digest = cat('sha256:', r.hex8(), r.hex8(), r.hex8(), r.hex8(), r.hex8(), r.hex8(), r.hex8(), r.hex8());
    const n = [0, 1, 1, 1, 2, 2, 3, 0][r.int(8)];
    const kinds = new Set<number>();
    while (kinds.size < n) {
      let w = r.int(weightTotal);
      let k = 0;
      while (w >= TAG_WEIGHTS[k]) w -= TAG_WEIGHTS[k++];
      kinds.add(k);
    }
    const tags = [...kinds].map((k) => TAG_KINDS[k](r, i));
    const pushedAt = NOW - Math.round(r.next() * span);
    const between = (from: number) => from + Math.round(r.next() * (NOW - from));
    const pulledAt = r.next() < 0.7 ? between(pushedAt) : undefined;
    const s = r.next();
    const status: ImageStatusName = s < 0.78 ? 'ACTIVE' : s < 0.97 ? 'ARCHIVED' : 'ACTIVATING';
    let archivedAt: number | undefined;
    let activatedAt: number | undefined;
    if (status !== 'ACTIVE') {
      archivedAt = between(pushedAt);
    } else if (r.next() < 0.08) {
      archivedAt = between(pushedAt);
      activatedAt = between(archivedAt);
    }
    images.push({ imageDigest: digest, imageTags: tags, pushedAt, pulledAt, archivedAt, activatedAt, status });
  }
  return images;
}

// ---------------------------------------------------------------------------------------------------------------------
// Measurement (runs in a child process per case)

type Impl = 'simulatePolicy' | 'referenceSimulate';

interface CaseResult {
  readonly impl: Impl;
  readonly images: number;
  readonly timesMs: number[];
  /** CPU time of the whole process per run (GC helper threads included): far below the wall time means a busy machine. */
  readonly cpuMs: number[];
  /** Largest growth of process RSS during a call over RSS just before it (after gc), across runs. */
  readonly peakRssDelta: number;
  /** Largest process RSS seen during a call (inventory included). */
  readonly peakRss: number;
  /** Largest growth of V8 heap-used at return over just before the call (live result plus uncollected garbage). */
  readonly heapDelta: number;
  readonly acted: number;
  /** sha256 of the sorted action lines (digest, rule priority, action), to compare implementations across processes. */
  readonly actionsHash: string;
}

const gc = (): void => {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (!collect) throw new Error('run with node --expose-gc');
  collect();
  collect();
};

/**
 * A worker thread samples process RSS every millisecond while the main thread is busy in a synchronous call:
 * RSS is process-wide, so this catches the peak the call itself cannot report.
 */
async function startRssSampler(): Promise<{ reset(): void; peak(): number; stop(): Promise<number> }> {
  const cell = new Int32Array(new SharedArrayBuffer(4)); // peak RSS in KiB
  const worker = new Worker(`
    const { workerData } = require('worker_threads');
    const cell = new Int32Array(workerData);
    setInterval(() => {
      const kib = Math.round(process.memoryUsage.rss() / 1024);
      if (kib > Atomics.load(cell, 0)) Atomics.store(cell, 0, kib);
    }, 1);`, { eval: true, workerData: cell.buffer });
  await new Promise((resolve) => worker.once('online', resolve));
  return {
    reset: () => Atomics.store(cell, 0, Math.round(process.memoryUsage.rss() / 1024)),
    peak: () => Math.max(Atomics.load(cell, 0) * 1024, process.memoryUsage.rss()),
    stop: () => worker.terminate(),
  };
}

async function runCase(impl: Impl, count: number, runs: number): Promise<CaseResult> {
  const images = generateInventory(count);
  const sampler = await startRssSampler();
  const timesMs: number[] = [];
  const cpuMs: number[] = [];
  let peakRssDelta = 0;
  let peakRss = 0;
  let heapDelta = 0;
  let acted = 0;
  let actionsHash = '';
  for (let run = 0; run < runs; run++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 20)); // let the sampler settle on the post-gc RSS
    const rssBefore = process.memoryUsage.rss();
    const heapBefore = process.memoryUsage().heapUsed;
    sampler.reset();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const result = impl === 'simulatePolicy' ? simulatePolicy(BENCH_POLICY, images, NOW) : referenceSimulate(BENCH_POLICY, images, NOW);
    timesMs.push(performance.now() - t0);
    const cpu = process.cpuUsage(cpu0);
    cpuMs.push((cpu.user + cpu.system) / 1000);
    heapDelta = Math.max(heapDelta, process.memoryUsage().heapUsed - heapBefore);
    const peak = sampler.peak();
    peakRssDelta = Math.max(peakRssDelta, peak - rssBefore);
    peakRss = Math.max(peakRss, peak);
    if (run === 0) { // hashed at once, so later runs do not share the heap with 700,000 action lines
      const actions = Array.isArray(result) ? normalize(result) : fromPreview(result.previewResults);
      acted = actions.length;
      actionsHash = createHash('sha256').update(actions.join('\n')).digest('hex');
    }
  }
  await sampler.stop();
  return { impl, images: count, timesMs, cpuMs, peakRssDelta, peakRss, heapDelta, acted, actionsHash };
}

function runCaseInChild(impl: Impl, count: number, runs: number): Promise<CaseResult> {
  return new Promise((resolve, reject) => {
    const child = fork(__filename, ['--case', impl, String(count), String(runs)], { execArgv: process.execArgv, stdio: 'inherit' });
    let result: CaseResult | undefined;
    child.on('message', (m) => { result = m as CaseResult; });
    child.on('error', reject);
    child.on('exit', (code) => (result ? resolve(result) : reject(new Error(`${impl} on ${count} images: child exited with ${code}`))));
  });
}

// ---------------------------------------------------------------------------------------------------------------------
// CLI inputs and jobs

/** describe-images output (`{"imageDetails": [...]}`); even images carry ISO-string times, odd ones epoch seconds. */
export function describeImagesJson(images: readonly ImageRecord[], repositoryName = 'bench/app'): string {
  const details = images.map((img, i) => {
    const time = (ms: number | undefined) => (ms === undefined ? undefined : i % 2 === 0 ? new Date(ms).toISOString() : ms / 1000);
    return {
      registryId: '123456789012',
      repositoryName,
      imageDigest: img.imageDigest,
      ...(img.imageTags.length > 0 ? { imageTags: img.imageTags } : {}),
      imageSizeInBytes: 30_000_000 + (i % 1000) * 4096,
      imagePushedAt: time(img.pushedAt),
      imageManifestMediaType: 'application/vnd.oci.image.manifest.v1+json',
      artifactMediaType: 'application/vnd.oci.image.config.v1+json',
      lastRecordedPullTime: time(img.pulledAt),
      imageStatus: img.status,
      lastArchivedAt: time(img.archivedAt),
      lastActivatedAt: time(img.activatedAt),
    };
  });
  return JSON.stringify({ imageDetails: details }); // JSON.stringify drops the undefined times
}

/** Transpiles a repository .ts file to CommonJS under `outRoot`, keeping its relative path so relative imports resolve. */
function transpileTo(outRoot: string, file: string): string {
  const source = readFileSync(join(ROOT, file), 'utf8');
  const out = join(outRoot, file.replace(/\.ts$/, '.js'));
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText);
  return out;
}

interface JobResult {
  readonly timesMs: number[];
  readonly cpuMs: number[];
  readonly peakRss: number;
  readonly stdout: string;
  readonly error?: string;
}

/** Runs `node <args>` `runs` times with stdout to a file; a preload reports the child's own CPU time and peak RSS (getrusage). */
function runJob(dir: string, name: string, args: string[], runs = RUNS): JobResult {
  const preload = join(dir, 'usage.js');
  writeFileSync(preload, `process.on('exit', () => {
  const u = process.resourceUsage();
  require('fs').writeFileSync(process.env.BENCH_USAGE_FILE, JSON.stringify({ cpuMs: (u.userCPUTime + u.systemCPUTime) / 1000, maxRss: u.maxRSS * 1024 }));
});
`);
  const outFile = join(dir, `${name}.out`);
  const usageFile = join(dir, `${name}.usage.json`);
  const timesMs: number[] = [];
  const cpuMs: number[] = [];
  let peakRss = 0;
  for (let run = 0; run < runs; run++) {
    const fd = openSync(outFile, 'w');
    const t0 = performance.now();
    const p = spawnSync(process.execPath, ['-r', preload, ...args], {
      cwd: dir, stdio: ['ignore', fd, 'pipe'], env: { ...process.env, BENCH_USAGE_FILE: usageFile }, maxBuffer: 64 * 1024 * 1024,
    });
    timesMs.push(performance.now() - t0);
    closeSync(fd);
    if (p.status !== 0) return { timesMs, cpuMs, peakRss, stdout: '', error: `exit ${p.status ?? p.signal}: ${p.stderr.toString().trim().slice(0, 2000)}` };
    const usage = JSON.parse(readFileSync(usageFile, 'utf8')) as { cpuMs: number; maxRss: number };
    cpuMs.push(usage.cpuMs);
    peakRss = Math.max(peakRss, usage.maxRss);
  }
  return { timesMs, cpuMs, peakRss, stdout: readFileSync(outFile, 'utf8') };
}

// ---------------------------------------------------------------------------------------------------------------------
// Validation growth: input far beyond anything ECR accepts is refused in time linear in its size

const GROWTH_RUNS = 7;
/** Linear growth makes a 10x input take about 10x as long; quadratic growth, which this guards against, about 100x. */
const MAX_GROWTH_RATIO = 20;

/** `n` rules of one storage class, all untagged and of priority 1: the cross-rule checks group every rule together. */
function rulesPolicy(n: number): unknown {
  const selection = { tagStatus: TagStatus.UNTAGGED, countType: CountType.IMAGE_COUNT_MORE_THAN, countNumber: 1 };
  return { rules: Array.from({ length: n }, () => ({ rulePriority: 1, selection: { ...selection }, action: expire })) };
}

/** One rule whose tag pattern has `n` characters. */
function patternPolicy(n: number): unknown {
  const selection = { tagStatus: TagStatus.TAGGED, tagPatternList: [`${'a'.repeat(n - 1)}*`], countType: CountType.IMAGE_COUNT_MORE_THAN, countNumber: 1 };
  return { rules: [{ rulePriority: 1, selection, action: expire }] };
}

interface GrowthCase {
  readonly label: string;
  readonly sizes: readonly [number, number];
  /** The input of one size, built before timing. */
  readonly input: (size: number) => unknown;
  readonly check: (input: unknown) => string[];
  /** How many problems each size must give, so that the timing is of the right work. */
  readonly problems: number;
}

const PROTECTED_128K = ['*'.repeat(128 * 1024)];

const GROWTH_CASES: readonly GrowthCase[] = [
  {
    label: 'validatePolicyDocument, rules of one priority and storage class',
    sizes: [10_000, 100_000],
    input: rulesPolicy,
    check: (policy) => validatePolicyDocument(policy),
    problems: 3, // too many rules, one duplicate priority, one storage class with several untagged rules
  },
  {
    label: 'checkPolicy, one tag pattern of N characters, protectedTags [128 KiB of *]',
    sizes: [100_000, 1_000_000],
    input: patternPolicy,
    check: (policy) => checkPolicy(policy, { protectedTags: PROTECTED_128K }),
    problems: 2, // the pattern no tag can match, the protected pattern no tag can match
  },
];

/**
 * Each case on its two sizes, the runs interleaved (small, large, small, ...) so that both see the same machine load;
 * the ratio of the medians must stay under MAX_GROWTH_RATIO. Inputs are built before timing.
 */
export function validationSection(): boolean {
  console.log(`\n0. validation growth: the same check on a 10x larger input, runs interleaved (median of ${GROWTH_RUNS} each)`);
  const rows: string[][] = [];
  let ok = true;
  for (const c of GROWTH_CASES) {
    const inputs = c.sizes.map(c.input);
    const times: [number[], number[]] = [[], []];
    for (let run = 0; run < GROWTH_RUNS; run++) {
      inputs.forEach((input, i) => {
        const t0 = performance.now();
        const problems = c.check(input);
        times[i].push(performance.now() - t0);
        if (problems.length !== c.problems) throw new Error(`${c.label} on ${c.sizes[i]}: expected ${c.problems} problems, got ${problems.length}`);
      });
    }
    const [small, large] = times.map(median);
    const growth = large / Math.max(small, 1e-3);
    ok = ok && growth <= MAX_GROWTH_RATIO;
    rows.push([c.label, `${int(c.sizes[0])} -> ${int(c.sizes[1])}`, `${small.toFixed(1)} ms`, `${large.toFixed(1)} ms`, `${growth.toFixed(1)}x`,
      `${verdict(growth <= MAX_GROWTH_RATIO)} (<= ${MAX_GROWTH_RATIO}x)`]);
  }
  table(['case', 'size', 'small', 'large', 'large / small', 'linear'], rows);
  return ok;
}

// ---------------------------------------------------------------------------------------------------------------------
// Reporting

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const int = (n: number) => n.toLocaleString('en-US');
const ms = (n: number) => (n >= 10_000 ? `${(n / 1000).toFixed(1)} s` : `${Math.round(n)} ms`);
const mib = (bytes: number) => `${Math.round(bytes / 1024 ** 2)} MiB`;
/** "3.2x faster" when `ours` is the smaller number, "1.5x slower" otherwise (words given for the two cases). */
const ratio = (ours: number, theirs: number, better = 'faster', worse = 'slower') =>
  (ours <= theirs ? `${(theirs / Math.max(ours, 1e-9)).toFixed(1)}x ${better}` : `${(ours / Math.max(theirs, 1e-9)).toFixed(1)}x ${worse}`);
const verdict = (ok: boolean) => (ok ? 'PASS' : 'MISS');

function table(header: string[], rows: string[][]): void {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (cells: string[]) => `  ${cells.map((v, c) => (c === 0 ? v.padEnd(widths[c]) : v.padStart(widths[c]))).join('   ')}`;
  console.log(line(header));
  console.log(`  ${widths.map((w) => '-'.repeat(w)).join('   ')}`);
  rows.forEach((r) => console.log(line(r)));
}

/** One line per acted-on image: digest, rule priority, action (lower case), sorted like the reference's output. */
type ActionLine = string;

function normalize(actions: readonly { digest: string; priority: number; type: string }[]): ActionLine[] {
  return actions.map((a) => `${a.digest} ${a.priority} ${a.type.toLowerCase()}`).sort();
}

function fromPreview(results: readonly { imageDigest: string; appliedRulePriority: number; action: { type: string } }[]): ActionLine[] {
  return normalize(results.map((r) => ({ digest: r.imageDigest, priority: r.appliedRulePriority, type: r.action.type })));
}

function compare(label: string, ours: ActionLine[], reference: ActionLine[]): boolean {
  const theirs = new Set(reference);
  const mine = new Set(ours);
  const missing = reference.filter((a) => !mine.has(a));
  const extra = ours.filter((a) => !theirs.has(a));
  if (missing.length === 0 && extra.length === 0 && ours.length === reference.length) {
    console.log(`  ${label}: agree on all ${int(ours.length)} actions (digest, rule priority, action)`);
    return true;
  }
  console.log(`  ${label}: DISAGREE (${int(ours.length)} vs ${int(reference.length)} actions)`);
  missing.slice(0, 10).forEach((a) => console.log(`    only in reference: ${a}`));
  extra.slice(0, 10).forEach((a) => console.log(`    only in ours:      ${a}`));
  return false;
}

// ---------------------------------------------------------------------------------------------------------------------

async function simulatorSection(slice: readonly ImageRecord[]): Promise<boolean> {
  console.log('\n1. simulatePolicy vs referenceSimulate, in process (each case in a fresh child process)');
  const agree = compare(`correctness on the first ${int(SLICE)} images`,
    fromPreview(simulatePolicy(BENCH_POLICY, slice, NOW).previewResults), normalize(referenceSimulate(BENCH_POLICY, slice, NOW)));
  if (!agree) return false;

  // The reference takes tens of seconds on the full inventory, so it runs once there; every other case takes a median.
  const simFull = await runCaseInChild('simulatePolicy', FULL, RUNS);
  const refFull = await runCaseInChild('referenceSimulate', FULL, 1);
  const simSlice = await runCaseInChild('simulatePolicy', SLICE, RUNS);
  const refSlice = await runCaseInChild('referenceSimulate', SLICE, RUNS);
  const fullAgree = simFull.actionsHash === refFull.actionsHash;
  console.log(`  correctness on all ${int(FULL)} images: ${fullAgree ? `agree on all ${int(simFull.acted)} actions` : 'DISAGREE'}`
    + ' (sha256 of the sorted action lists)');
  if (!fullAgree) return false;

  console.log();
  const label = (c: CaseResult) => `${c.impl}, ${c.timesMs.length > 1 ? `median of ${c.timesMs.length}` : '1 run'}`;
  table(['case', 'images', 'time', 'runs', 'CPU time', 'peak RSS growth', 'heap growth at return', 'process peak RSS', 'images acted on'],
    [simFull, refFull, simSlice, refSlice].map((c) => [label(c), int(c.images), ms(median(c.timesMs)), c.timesMs.map(ms).join(' / '),
      ms(median(c.cpuMs)), mib(c.peakRssDelta), mib(c.heapDelta), mib(c.peakRss), int(c.acted)]));
  console.log('  time: wall clock of the call. CPU time: the whole process during the call (GC threads included); CPU far below');
  console.log('  wall time means other processes had the CPUs.');
  console.log('  peak RSS growth: process RSS sampled every 1 ms during the call, minus RSS just before it (after gc): the inventory');
  console.log('  is not counted. Process peak RSS includes it.');

  console.log(`\n  targets, simulatePolicy on ${int(FULL)} images:`);
  console.log(`    time        <= 2 s     ${ms(median(simFull.timesMs)).padStart(8)}   ${verdict(median(simFull.timesMs) <= TARGET_SIM_MS)}   (median of ${RUNS})`);
  console.log(`    peak memory <= 1 GiB   ${mib(simFull.peakRssDelta).padStart(8)}   ${verdict(simFull.peakRssDelta <= TARGET_SIM_BYTES)}`
    + `   (growth during the call; whole process incl. the inventory: ${mib(simFull.peakRss)}, ${verdict(simFull.peakRss <= TARGET_SIM_BYTES)})`);

  console.log('\n  ratios, each on one input for both:');
  for (const [sim, ref, input] of [
    [simFull, refFull, `all ${int(FULL)} images (reference: 1 run)`],
    [simSlice, refSlice, `the first ${int(SLICE)} images of the same inventory (median of ${RUNS} each)`],
  ] as const) {
    console.log(`    on ${input}:`);
    console.log(`      simulator vs reference: ${ratio(median(sim.timesMs), median(ref.timesMs))} (${ms(median(sim.timesMs))} vs ${ms(median(ref.timesMs))}),`
      + ` ${ratio(sim.peakRssDelta, ref.peakRssDelta, 'less', 'more')} peak RSS growth (${mib(sim.peakRssDelta)} vs ${mib(ref.peakRssDelta)})`);
  }
  return true;
}

function cliSection(): void {
  console.log(`\n2. ecr-lifecycle preview vs a simple reference job, end to end (child processes; median of ${RUNS} runs)`);
  if (!existsSync(CLI)) {
    console.log(`  skipped: ${relative(ROOT, CLI)} not built`);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'ecr-lifecycle-bench-'));
  try {
    const policyFile = join(dir, 'policy.json');
    const imagesFile = join(dir, 'images.json');
    writeFileSync(policyFile, JSON.stringify(BENCH_POLICY));
    writeFileSync(imagesFile, describeImagesJson(generateInventory(CLI_IMAGES)));
    transpileTo(dir, 'test/lifecycle/reference-simulator.ts');
    const referenceCli = transpileTo(dir, 'bench/reference-cli.ts');
    const io = ['--policy', policyFile, '--images', imagesFile, '--now', new Date(NOW).toISOString()];

    const node = runJob(dir, 'node', ['-e', '0']);
    const cli = runJob(dir, 'cli', [CLI, 'preview', ...io, '--format', 'json']);
    const ref = runJob(dir, 'reference', [referenceCli, ...io]);
    const sizeMiB = readFileSync(imagesFile).length / 1024 ** 2;
    console.log(`  input: ${int(CLI_IMAGES)} images in a ${sizeMiB.toFixed(1)} MiB describe-images file (half ISO-string, half epoch-second times), the same 10-rule policy`);
    console.log('  reference job: bench/reference-cli.ts and test/lifecycle/reference-simulator.ts transpiled to plain JS beforehand,');
    console.log('                 run by bare node: JSON.parse both files, referenceSimulate, print the actions as JSON (no validation, no formatting)\n');
    const rows = [['node -e 0 (startup only)', node], ['ecr-lifecycle preview --format json', cli], ['reference job', ref]] as const;
    table(['job', 'median', 'runs', 'CPU time', 'peak RSS'], rows.map(([label, r]) =>
      [label, r.error ? 'FAILED' : ms(median(r.timesMs)), r.timesMs.map(ms).join(' / '), r.error ? '' : ms(median(r.cpuMs)), mib(r.peakRss)]));
    for (const [label, r] of rows) if (r.error) console.log(`  ${label} failed: ${r.error}`);
    if (cli.error || ref.error) return;

    console.log(`\n  target: ecr-lifecycle preview on ${int(CLI_IMAGES)} images <= 3 s end to end   ${ms(median(cli.timesMs)).padStart(8)}   ${verdict(median(cli.timesMs) <= TARGET_CLI_MS)}`);
    console.log(`  CLI vs reference job: ${ratio(median(cli.timesMs), median(ref.timesMs))} end to end on the same ${int(CLI_IMAGES)}-image file`
      + ` (${ms(median(cli.timesMs))} vs ${ms(median(ref.timesMs))}; both include node startup of ~${ms(median(node.timesMs))})`);
    const preview = JSON.parse(cli.stdout) as { previewResults?: { imageDigest: string; appliedRulePriority: number; action: { type: string } }[] };
    if (Array.isArray(preview.previewResults)) {
      compare('CLI output vs reference job (informational)', fromPreview(preview.previewResults), normalize(JSON.parse(ref.stdout)));
    } else {
      console.log('  CLI output has no previewResults array; not compared with the reference job');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// report on a whole registry beside preview on one repository

const REPORT_REPOSITORIES = 1000;
const REPORT_IMAGES = FULL;
/** report reads a file per repository and validates a policy per repository: it may cost this much more per image. */
const MAX_REPORT_PER_IMAGE_RATIO = 1.5;

/**
 * `ecr-lifecycle report` on 1,000 repositories of 1,000 images (the same 1,000,000-image inventory, each repository
 * with the 10-rule policy) and `preview` on CLI_IMAGES images of one repository, runs interleaved so that both see the
 * same machine load, both from the same plain-JS transpile of src/ so that a stale lib/ cannot skew either. Fails when
 * report's time per image exceeds preview's by more than MAX_REPORT_PER_IMAGE_RATIO, when its peak RSS exceeds
 * preview's (it holds one repository at a time), or when its total disagrees with simulatePolicy run per repository.
 */
export function reportSection(): boolean {
  console.log(`\n3. ecr-lifecycle report on ${int(REPORT_REPOSITORIES)} repositories, ${int(REPORT_IMAGES)} images, beside preview on ${int(CLI_IMAGES)} images`
    + ` (child processes; ${RUNS} runs each, interleaved)`);
  const dir = mkdtempSync(join(tmpdir(), 'ecr-lifecycle-report-bench-'));
  try {
    const inventory = generateInventory(REPORT_IMAGES);
    const registry = join(dir, 'registry');
    mkdirSync(registry);
    const perRepository = REPORT_IMAGES / REPORT_REPOSITORIES;
    const names = Array.from({ length: REPORT_REPOSITORIES }, (_, r) => `bench/repo-${String(r).padStart(4, '0')}`);
    writeFileSync(join(registry, 'repositories.json'), JSON.stringify({ repositories: names.map((repositoryName) => ({ registryId: '123456789012', repositoryName })) }));
    let acted = 0;
    let bytes = 0;
    names.forEach((name, r) => {
      const images = inventory.slice(r * perRepository, (r + 1) * perRepository);
      acted += simulatePolicy(BENCH_POLICY, images, NOW).previewResults.length;
      const files = repositoryFiles(name);
      const text = describeImagesJson(images, name);
      bytes += text.length;
      writeFileSync(join(registry, files.images), text);
      writeFileSync(join(registry, files.policy), JSON.stringify({ registryId: '123456789012', repositoryName: name, lifecyclePolicyText: JSON.stringify(BENCH_POLICY) }));
    });
    const previewImages = join(dir, 'images.json');
    writeFileSync(previewImages, describeImagesJson(inventory.slice(0, CLI_IMAGES)));
    const policyFile = join(dir, 'policy.json');
    writeFileSync(policyFile, JSON.stringify(BENCH_POLICY));
    for (const file of ['ecr-lifecycle', 'assembly', 'format', 'images', 'input', 'match', 'pricing', 'report', 'savings', 'template']) transpileTo(dir, `src/cli/${file}.ts`);
    for (const file of ['glob', 'guard', 'parse', 'render', 'rule', 'show', 'simulate', 'types', 'validate', 'policy', 'presets']) transpileTo(dir, `src/lifecycle/${file}.ts`);
    const cli = join(dir, 'src', 'cli', 'ecr-lifecycle.js');
    const now = new Date(NOW).toISOString();
    console.log(`  input: ${int(REPORT_REPOSITORIES)} describe-images files of ${int(perRepository)} images (${(bytes / 1024 ** 2).toFixed(0)} MiB in all) and as many`
      + ` get-lifecycle-policy files; preview: one ${int(CLI_IMAGES)}-image file. Same 10-rule policy, same inventory generator.\n`);

    const jobs = { preview: [] as JobResult[], report: [] as JobResult[] };
    for (let run = 0; run < RUNS; run++) {
      jobs.preview.push(runJob(dir, 'preview', [cli, 'preview', '--policy', policyFile, '--images', previewImages, '--now', now, '--format', 'json'], 1));
      jobs.report.push(runJob(dir, 'report', [cli, 'report', '--dir', registry, '--now', now, '--format', 'json'], 1));
    }
    const failed = [...jobs.preview, ...jobs.report].find((j) => j.error);
    if (failed) {
      console.log(`  a job failed: ${failed.error}`);
      return false;
    }
    const merged = (list: JobResult[]) => ({
      timesMs: list.flatMap((j) => j.timesMs), cpuMs: list.flatMap((j) => j.cpuMs), peakRss: Math.max(...list.map((j) => j.peakRss)),
    });
    const preview = merged(jobs.preview);
    const report = merged(jobs.report);
    const perImage = (timeMs: number, images: number) => (timeMs * 1000) / images; // microseconds
    const previewUs = perImage(median(preview.timesMs), CLI_IMAGES);
    const reportUs = perImage(median(report.timesMs), REPORT_IMAGES);
    table(['job', 'images', 'median', 'runs', 'CPU time', 'per image', 'peak RSS'], [
      ['ecr-lifecycle preview --format json', int(CLI_IMAGES), ms(median(preview.timesMs)), preview.timesMs.map(ms).join(' / '), ms(median(preview.cpuMs)), `${previewUs.toFixed(1)} us`, mib(preview.peakRss)],
      ['ecr-lifecycle report --format json', int(REPORT_IMAGES), ms(median(report.timesMs)), report.timesMs.map(ms).join(' / '), ms(median(report.cpuMs)), `${reportUs.toFixed(1)} us`, mib(report.peakRss)],
    ]);
    const out = JSON.parse(jobs.report[0].stdout) as { total: { imageCount: number; expiringImageCount: number; transitioningImageCount: number } };
    const agree = out.total.imageCount === REPORT_IMAGES && out.total.expiringImageCount + out.total.transitioningImageCount === acted;
    console.log(`\n  correctness: report's total ${agree ? 'agrees with' : 'DISAGREES with'} simulatePolicy run per repository`
      + ` (${int(out.total.expiringImageCount + out.total.transitioningImageCount)} vs ${int(acted)} images acted on, of ${int(out.total.imageCount)})`);
    const ratioPerImage = reportUs / previewUs;
    const timeOk = ratioPerImage <= MAX_REPORT_PER_IMAGE_RATIO;
    const memoryOk = report.peakRss <= preview.peakRss;
    console.log(`  report vs preview, time per image: ${ratioPerImage.toFixed(2)}x   ${verdict(timeOk)} (<= ${MAX_REPORT_PER_IMAGE_RATIO}x; both include node startup)`);
    console.log(`  report vs preview, peak RSS: ${(report.peakRss / preview.peakRss).toFixed(2)}x   ${verdict(memoryOk)} (<= 1x: report holds one ${int(perRepository)}-image repository at a time)`);
    return agree && timeOk && memoryOk;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  if (process.argv[2] === '--case') {
    const result = await runCase(process.argv[3] as Impl, Number(process.argv[4]), Number(process.argv[5]));
    process.send!(result);
    return;
  }
  const problems = validatePolicyDocument(BENCH_POLICY);
  if (problems.length > 0) {
    console.error(`benchmark policy is invalid:\n  ${problems.join('\n  ')}`);
    process.exit(1);
  }
  const slice = generateInventory(SLICE);
  const share = (f: (i: ImageRecord) => boolean) => `${((slice.filter(f).length / slice.length) * 100).toFixed(0)}%`;
  console.log(`ECR lifecycle benchmark: node ${process.version}, ${cpus().length} CPUs, seed ${SEED}, now ${new Date(NOW).toISOString()}`);
  console.log(`load average at start: ${loadavg().map((l) => l.toFixed(1)).join(' ')} (times are wall clock; a busy machine inflates them)`);
  console.log(`policy: ${BENCH_POLICY.rules.length} rules (8 standard, 2 archive), valid per validatePolicyDocument`);
  console.log(`inventory: generated with a seeded PRNG; ACTIVE ${share((i) => i.status === 'ACTIVE')}, ARCHIVED ${share((i) => i.status === 'ARCHIVED')},`
    + ` ACTIVATING ${share((i) => i.status === 'ACTIVATING')}, untagged ${share((i) => i.imageTags.length === 0)}, times over 2 years`);

  if (!validationSection()) {
    console.error('\nvalidation grows faster than linearly with its input: fix it before reading any other figure');
    process.exit(1);
  }
  if (!(await simulatorSection(slice))) {
    console.error('\nsimulatePolicy and referenceSimulate disagree: fix the simulator before reading any timing');
    process.exit(1);
  }
  cliSection();
  if (!reportSection()) {
    console.error('\necr-lifecycle report is slower per image than preview, holds more memory, or disagrees with the simulator');
    process.exit(1);
  }
  console.log(`\nload average at end: ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
}

if (require.main === module) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
