// Every reference configuration synthesized once, with every check that reads a whole app: aws-cdk-lib's built-in
// validation, the compliance plugins, the snapshots and the integ snapshots. They share this file because the first
// validation in a test file starts its engine, at about 9 CPU-seconds; later syntheses reuse it.
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { CDK_JSON_CONTEXT, CROSS_ACCOUNT, FLAG_CONTEXTS, referencePlatform } from './platform';
import { enforceCompliance } from '../../app/compliance';
import { collectAcknowledgments } from '../../scripts/acknowledgments';
import { ReferencePlatform } from '../../src';
import { nagFindings } from '../support/compliance';
import { withBuiltinValidation } from '../support/validation';

withBuiltinValidation();

const ROOT = path.join(__dirname, '..', '..');
const [DEFAULT_FLAGS, RECOMMENDED_FLAGS] = FLAG_CONTEXTS;

const stacksOf = (platform: ReferencePlatform) => [
  platform.registry, ...platform.replicaStacks, platform.delivery, ...platform.ecsStacks, ...platform.eksStacks, ...platform.lambdaStacks,
];

interface Report { pluginReports: { pluginName: string; violations: unknown[]; suppressedViolations?: unknown[] }[] }

/** Synthesizes `app` with the reference app's compliance plugins (app/compliance.ts): the validation report. */
function synthesizeWithChecks(app: App): Report {
  enforceCompliance(app);
  const assembly = app.synth();
  return JSON.parse(fs.readFileSync(path.join(assembly.directory, 'validation-report.json'), 'utf8'));
}

/** Snapshot tests of each stack, whole: the infrastructure review (update with `npx projen test:update`). */
function snapshotEach(stacks: ReturnType<typeof stacksOf>): void {
  test.each(stacks.map((s) => [s.node.id, s] as const))('%s', (_id, stack) => {
    expect(Template.fromStack(stack).toJSON()).toMatchSnapshot();
  });
}

const DEFAULT_APP_STACKS = ['Registry', 'Registry-eu-central-1', 'Delivery', 'Ecs-dev', 'Eks-dev', 'Lambda-dev'];

// Every stack of the reference app under aws-cdk-lib's default flags and under the recommended ones the reference app
// (and every `cdk init` app) has.
describe(`reference stacks, ${DEFAULT_FLAGS[0]}`, () => {
  const { app, platform } = referencePlatform({}, new App({ context: DEFAULT_FLAGS[1] }));
  const stacks = stacksOf(platform);

  test('the default app has the registry, its copy in a second region, the storefront pipeline, and one environment\'s ECS, EKS and Lambda stacks', () => {
    expect(stacks.map((s) => s.node.id)).toEqual(DEFAULT_APP_STACKS);
  });

  // Under the recommended flags the same app is scripts/synth-check.sh's `cdk synth` (app/main.ts with cdk.json's
  // context), which fails on any finding these plugins report.
  test('cdk-nag (AwsSolutions, NIST 800-53 R5, HIPAA, PCI DSS 3.2.1) and cfn-guard: zero unacknowledged findings in every pack', () => {
    const report = synthesizeWithChecks(app);
    // Plugins report only what they found; cfn-guard also lists what was acknowledged, as suppressed.
    expect(report.pluginReports.flatMap((r) => r.violations)).toEqual([]);
    expect(report.pluginReports.find((r) => r.pluginName === 'cdk-validator-cfnguard')?.suppressedViolations?.length).toBeGreaterThan(5);
    expect(nagFindings(app)).toEqual([]);
    // Not vacuous: every pack had findings, each acknowledged where it is made.
    const packs = new Set(collectAcknowledgments(app).map((a) => a.id.split('-')[0]));
    expect([...packs].filter((p) => /^(AwsSolutions|NIST\.800\.53\.R5|HIPAA\.Security|PCI\.DSS\.321|cdk)$/.test(p)).sort())
      .toEqual(['AwsSolutions', 'HIPAA.Security', 'NIST.800.53.R5', 'PCI.DSS.321', 'cdk']);
  });

  snapshotEach(stacks);
});

describe(`reference stacks, ${RECOMMENDED_FLAGS[0]}`, () => {
  const { platform } = referencePlatform({}, new App({ context: RECOMMENDED_FLAGS[1] }));
  const stacks = stacksOf(platform);

  test('the same stacks', () => {
    expect(stacks.map((s) => s.node.id)).toEqual(DEFAULT_APP_STACKS);
  });

  snapshotEach(stacks);
});

// What a reviewer or a CI job without AWS credentials reads of the README's deployment: `npx cdk synth -c
// registryAccount=111111111111 -c workloads='{"dev":"222222222222","prod":"333333333333"}'`, with the app's flags.
describe('reference stacks across three accounts, recommended flags', () => {
  const { app, platform } = referencePlatform(CROSS_ACCOUNT, new App({ context: RECOMMENDED_FLAGS[1] }));
  const stacks = stacksOf(platform);

  test('synthesizes offline: no context is left for the CDK CLI to look up, which would need the accounts\' credentials', () => {
    expect(app.synth().manifest.missing ?? []).toEqual([]);
  });

  snapshotEach(stacks);
});

test('cross-account, with the organization baseline: still zero unacknowledged findings', () => {
  const { app } = referencePlatform({ ...CROSS_ACCOUNT, organization: { organizationalUnitIds: ['ou-ab12-11111111'] } });
  expect(synthesizeWithChecks(app).pluginReports.flatMap((r) => r.violations)).toEqual([]);
});

// The integ snapshots (test/*.integ.snapshot) are recorded by `npx projen integ:snapshot-all`, which synthesizes each
// test/*.integ.ts app with the cdk CLI. The same app, synthesized here with the context equivalent to that CLI's
// (cdk.json's, without path and asset metadata or version reporting), must give the same files, byte for byte, but
// those its integ:*:assert task's `diff -r -x PATTERN...` excludes (.projenrc.ts): assets, and metadata, tree and
// manifest files, validation reports and performance counters, which carry paths, versions and timings.
describe('integ snapshots', () => {
  const CLI_CONTEXT = {
    ...CDK_JSON_CONTEXT,
    'aws:cdk:enable-path-metadata': false,
    'aws:cdk:enable-asset-metadata': false,
    'aws:cdk:version-reporting': false,
  };
  /** What the assert task's diff leaves out: a name matching one of its `-x` shell patterns, at any depth. */
  const excluded = (name: string): RegExp => {
    const tasks = JSON.parse(fs.readFileSync(path.join(ROOT, '.projen', 'tasks.json'), 'utf8')).tasks;
    const diff: string[] = tasks[`integ:${name}:assert`].steps.find((step: { execArgs?: string[] }) => step.execArgs?.[0] === 'diff').execArgs;
    const patterns = diff.flatMap((arg, i) => diff[i - 1] === '-x' ? [arg] : []);
    return new RegExp(`^(${patterns.map((p) => p.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')).join('|')})$`);
  };
  /** The files that diff compares, relative to `dir`, sorted. */
  const reviewed = (exclude: RegExp, dir: string, sub = ''): string[] => fs.readdirSync(path.join(dir, sub), { withFileTypes: true })
    .filter((entry) => !exclude.test(entry.name))
    .flatMap((entry) => entry.isDirectory() ? reviewed(exclude, dir, path.join(sub, entry.name)) : [path.join(sub, entry.name)])
    .sort();

  test('the exclusions are the assert task\'s', () => {
    expect(excluded('registry').source).toBe('^(asset\\..*|cdk\\.out|manifest\\.json|tree\\.json|.*\\.metadata\\.json|validation-report\\.json|performance-counters\\.json)$');
  });

  test.each(['registry', 'workloads'])('test/%s.integ.ts synthesizes to its snapshot', (name) => {
    // The CLI passes its context in this variable. Set only while the app is built, which replaces the test setup's
    // (asset staging on: the asset manifests name the staged copies, as the CLI's do).
    const saved = process.env.CDK_CONTEXT_JSON;
    let app: App;
    try {
      process.env.CDK_CONTEXT_JSON = JSON.stringify(CLI_CONTEXT);
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- the file builds its App as it is imported
      app = require(`../${name}.integ`).app;
    } finally {
      process.env.CDK_CONTEXT_JSON = saved;
    }
    const synthesized = app.synth().directory;
    const snapshot = path.join(ROOT, 'test', `${name}.integ.snapshot`);
    const exclude = excluded(name);
    expect(reviewed(exclude, synthesized)).toEqual(reviewed(exclude, snapshot));
    for (const file of reviewed(exclude, snapshot)) {
      expect([file, fs.readFileSync(path.join(synthesized, file), 'utf8')]).toEqual([file, fs.readFileSync(path.join(snapshot, file), 'utf8')]);
    }
  });
});
