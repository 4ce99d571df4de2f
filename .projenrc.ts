import * as fs from 'fs';
import { awscdk, github, javascript, JsonFile, JsonPatch } from 'projen';

/**
 * What the build needs besides Node: the rehearsals' Debian packages, and the Python programs they run (the versions
 * .ci/run's machines have). setup-python puts its bin first on PATH, so `aws` is the Python CLI (v1) the rehearsals
 * run in a warm Python (test/support/moto.ts), not the runner's native v2.
 */
const PYTHON_PACKAGES = ['moto[server]==5.2.1', 'boto3==1.43.11', 'awscli==1.45.11', 'cfn-lint==1.51.0'];
const WORKFLOW_SETUP: github.workflows.JobStep[] = [
  { name: 'System packages', run: 'bash scripts/install-system-deps.sh', env: { CI: 'true' } },
  { name: 'Python', uses: 'actions/setup-python@v7.0.0', with: { 'python-version': '3.11' } },
  { name: 'moto, boto3, the AWS CLI and cfn-lint', run: `pip install ${PYTHON_PACKAGES.map((p) => `'${p}'`).join(' ')}` },
];

// One placeholder organization, used consistently: the repository, its issues and the package pages link there.
const REPOSITORY = 'https://github.com/cdk-ecr-platform/cdk-ecr-platform';

const project = new awscdk.AwsCdkConstructLibrary({
  name: 'cdk-ecr-platform',
  description: 'Secure-by-default Amazon ECR repositories, lifecycle policies, registry settings and image builds for platform teams',
  // Construct Hub lists a jsii package that depends on aws-cdk-lib or constructs or has a keyword such as `awscdk`
  // (cdklabs/construct-hub's package discovery); the rest is what people search npm for.
  keywords: ['awscdk', 'aws-cdk', 'cdk', 'construct', 'ecr', 'amazon-ecr', 'container', 'docker', 'lifecycle-policy',
    'codebuild', 'codepipeline', 'ecs', 'eks', 'platform-engineering'],
  author: 'cdk-ecr-platform team',
  authorAddress: 'platform@example.com',
  repositoryUrl: `${REPOSITORY}.git`,
  homepage: `${REPOSITORY}#readme`,
  bugsUrl: `${REPOSITORY}/issues`,
  defaultReleaseBranch: 'main',
  projenrcTs: true,
  packageManager: javascript.NodePackageManager.NPM,
  minNodeVersion: '20.0.0',
  workflowNodeVersion: '20.x',

  cdkVersion: '2.276.0',
  constructsVersion: '10.8.1',
  jsiiVersion: '~6.0.0',

  // Releases: conventional commits decide the version and the changelog (`npx projen bump`); the release workflow on
  // main publishes both npm packages (this library and the companion cdk-ecr-access, same version) and the Python
  // bindings. 0.x while the API settles: a minor release may break, a patch never does (README, "Versions").
  release: true,
  majorVersion: 0,
  nextVersionCommand: 'sh scripts/next-version.sh',
  stability: 'experimental',
  releaseToNpm: true,
  publishToPypi: {
    distName: 'cdk-ecr-platform',
    module: 'cdk_ecr_platform',
  },
  githubOptions: {
    mergify: false,
    pullRequestLint: true,
  },
  // Dependencies are pinned on purpose (cdk-nag, cfn-guard, the simulator, Verdaccio): upgraded by a person with
  // `npx projen upgrade`, not a bot.
  depsUpgrade: false,
  // The workflows build exactly as .ci/run does: the rehearsals' system packages and cfn-lint first.
  buildWorkflowOptions: { preBuildSteps: WORKFLOW_SETUP },
  releaseWorkflowSetupSteps: WORKFLOW_SETUP,
  sampleCode: false,

  bin: {
    'ecr-lifecycle': 'lib/cli/ecr-lifecycle.js',
  },

  devDeps: [
    'aws-cdk@^2.1148.0',
    'cdk-nag@3.0.2',
    '@cdklabs/cdk-validator-cfnguard@0.0.62',
    'fast-check@^4.11.0',
    '@aws-cdk/lambda-layer-kubectl-v33@^2.2.2',
    'ts-jest@29.4.15',
    'typescript@~6.0.3',
    '@types/node@^20',
    // IAM policy evaluation (identity and resource policies, cross-account): the engine of the companion package
    // cdk-ecr-access (packages/ecr-access), and of the access tests. AGPL-3.0: never a dependency of this library.
    '@cloud-copilot/iam-simulate@0.1.173',
    // GitHub's workflow schema, for the sample workflow in docs/; tests only.
    '@action-validator/cli@0.6.0',
    '@action-validator/core@0.6.0',
    // Mutation testing of the pure modules (task test:mutation; slow, so not in CI). 10.x needs Node 22.
    '@stryker-mutator/core@9.6.1',
    '@stryker-mutator/jest-runner@9.6.1',
    // A real npm registry on 127.0.0.1 for the adoption test: both packages published, then installed by version.
    // 6.10 needs Node 22; 6.8.0 runs on Node 20 with node-fetch pinned (overrides below).
    'verdaccio@6.8.0',
    // Reads the generated workflows in test/release.
    'yaml@^2.9.1',
  ],

  jestOptions: {
    jestVersion: '^30',
    // The default `jest --updateSnapshot` rewrites snapshots, so a snapshot test could never fail.
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    jestConfig: {
      testTimeout: 60_000,
      // A report, not a check (no threshold), at 13% of the suite's CPU (30% of the unit tests'): `npx projen test:coverage` writes it.
      collectCoverage: false,
      // Both cores: the rehearsals spend much of their time waiting on servers and podman; long files go first.
      maxWorkers: 2,
      testSequencer: '<rootDir>/test/support/sequencer.js',
      // Beside projen's default and jest-junit reporters.
      reporters: [new javascript.JestReporter('<rootDir>/test/support/slowest-reporter.js')],
      // Every template a test synthesizes is checked by cfn-lint after the run; the apps' temp assemblies are removed.
      setupFilesAfterEnv: ['<rootDir>/test/support/builtin-validation.ts', '<rootDir>/test/support/synthesis-context.ts', '<rootDir>/test/support/collect-templates.ts', '<rootDir>/test/support/clean-outdirs.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
      // The adoption test installs the packaged tarball, so it runs after packaging (task test:adoption).
      testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/adoption/'],
    },
  },
  typecheckTests: true,
  tsconfigDev: {
    include: ['../app/**/*.ts', '../bench/**/*.ts', '../scripts/**/*.ts', '../packages/*/src/**/*.ts'],
    compilerOptions: {},
  },
  eslintOptions: {
    dirs: ['src'],
    devdirs: ['test', 'app', 'bench', 'scripts', 'packages', 'projenrc', '.projenrc.ts'],
  },
  // __pycache__: the rehearsals' warm Python server imports test/support/warm_botocore.py.
  gitignore: ['cdk.out/', '/.bench/', '/.tmp/', '.jsii.tabl.json', '/packages/*/lib/', '__pycache__/'],
  // The tarball carries lib/, assets/ (the image build's programs), the docs the README links (docs/) and .jsii: never build output
  // such as cdk.out/ (a synthesized app with its kubectl layer), coverage or test reports.
  npmIgnoreOptions: {
    ignorePatterns: ['/app/', '/bench/', '/.ci/', '/scripts/', '/rosetta/', 'cdk.json', '/.tmp/', '/cdk.out/', '/test-reports/', '/.bench/',
      '/packages/', '/cdk.context.json'],
  },
});

project.package.addField('overrides', { 'node-fetch': '2.7.0' });
// The lockfile names each package's tarball URL (npm's default; `npm install` on a machine whose user config sets
// omit-lockfile-registry-resolved would drop them). Without them `npm ci` fetches and parses every package's registry
// document to find its tarball: 50-65 s and 65-90 CPU-s here, against 20 s and 28 with them.
project.npmrc.addConfig('omit-lockfile-registry-resolved', 'false');

// The companion package cdk-ecr-access: the `ecr-access` command, in a package of its own because its policy simulator
// is AGPL-3.0 (so is the package); installing the construct library does not install it. Built with the library.
const ACCESS_PACKAGE = 'packages/ecr-access';
new JsonFile(project, `${ACCESS_PACKAGE}/package.json`, {
  obj: {
    name: 'cdk-ecr-access',
    // The release packs it with the library's version (scripts/pack-companion.sh).
    version: '0.0.0',
    description: 'Who can pull, push, delete and administer the Amazon ECR repositories of a synthesized CDK app, offline',
    license: 'AGPL-3.0-or-later',
    keywords: ['cdk', 'aws-cdk', 'ecr', 'amazon-ecr', 'iam', 'access-review', 'security', 'policy-simulator'],
    author: { name: 'cdk-ecr-platform team', email: 'platform@example.com' },
    repository: { type: 'git', url: `${REPOSITORY}.git`, directory: ACCESS_PACKAGE },
    homepage: `${REPOSITORY}/tree/main/${ACCESS_PACKAGE}#readme`,
    bugs: { url: `${REPOSITORY}/issues` },
    bin: { 'ecr-access': 'lib/cli.js' },
    main: 'lib/index.js',
    types: 'lib/index.d.ts',
    files: ['lib', '!lib/.tsbuildinfo', 'README.md', 'LICENSE'],
    engines: { node: '>= 20.0.0' },
    dependencies: { '@cloud-copilot/iam-simulate': '0.1.173' },
  },
});
new JsonFile(project, `${ACCESS_PACKAGE}/tsconfig.json`, {
  obj: {
    compilerOptions: {
      target: 'ES2022',
      module: 'node16',
      moduleResolution: 'node16',
      lib: ['es2022'],
      types: ['node'],
      outDir: 'lib',
      rootDir: 'src',
      declaration: true,
      strict: true,
      esModuleInterop: true,
      skipLibCheck: true,
      noUnusedLocals: true,
      noUnusedParameters: true,
      noImplicitReturns: true,
      // src/template-matching.ts is a link to the library's module of ECR's rule: compiled here as a file of src/.
      preserveSymlinks: true,
      // CI compiles it before the tests start; the packaging task's compile then writes nothing while they read lib/.
      // The record lives in lib/, so a lib/ removed is a lib/ rebuilt; the package leaves it out (files).
      incremental: true,
      tsBuildInfoFile: 'lib/.tsbuildinfo',
    },
    include: ['src/**/*.ts'],
  },
});
// Build mode: a companion compiled already (CI compiles it before the tests, then post-compile and packaging ask again)
// is found up to date from its record in a second, where `tsc -p` reads and checks every file again (3 CPU-s).
project.postCompileTask.spawn(project.addTask('ecr-access:compile', {
  description: 'Compile the companion package cdk-ecr-access (the ecr-access command)',
  exec: `tsc -b ${ACCESS_PACKAGE}/tsconfig.json`,
}));
project.addTask('access-matrix', {
  description: 'Regenerate docs/access-matrix.md: ecr-access matrix of the synthesized reference app, one account and across accounts',
  exec: 'ts-node --transpile-only scripts/access-matrix.ts',
});

// eslint's project service finds the nearest tsconfig.json: give app/ and bench/ one that includes them.
for (const dir of ['app', 'bench', 'scripts']) {
  new JsonFile(project, `${dir}/tsconfig.json`, { obj: { extends: '../test/tsconfig.json' } });
}

// jsii warns on every run that Node 20 is past its end of life; Node 20 is what these machines run.
project.tasks.addEnvironment('JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION', '20');
// projen puts the project's node_modules/.bin on PATH with `npx -c "node --print process.env.PATH"`, which loads npm:
// about 1.8 CPU-seconds before every task and every task it spawns, 26 times in one CI run. No task sets its own cwd, so
// the directory tasks start in is the project's, and prepending its bin directory is all that PATH adds that tasks use.
project.tasks.addEnvironment('PATH', '$(echo "$(pwd)/node_modules/.bin:$PATH")');

// What `cdk init` gives a new app: every flag aws-cdk-lib recommends. The reference app runs under them, as users' apps do.
const RECOMMENDED_FLAGS = JSON.parse(fs.readFileSync('node_modules/aws-cdk-lib/recommended-feature-flags.json', 'utf8'));
new JsonFile(project, 'cdk.json', {
  obj: {
    // transpile-only: type safety is already enforced by `compile` and by ts-jest.
    app: 'npx ts-node --transpile-only --prefer-ts-exts app/main.ts',
    watch: { include: ['src/**', 'app/**'] },
    context: {
      ...RECOMMENDED_FLAGS,
      // The reference app's region (ALB access logging and EKS need one); accounts come from credentials or context.
      'registryRegion': 'eu-west-1',
      // A second region that receives a copy of every platform image (JSON, as -c replicaRegions='[...]' takes it).
      'replicaRegions': '["eu-central-1"]',
      '@aws-cdk/core:checkSecretUsage': true,
      // The Delivery stack uses the Registry's build: the export stays while used (CloudFormation refuses its removal).
      '@aws-cdk/core:defaultCrossStackReferences': 'strong',
      '@aws-cdk/core:target-partitions': ['aws', 'aws-cn'],
    },
  },
});

// The npm tarball and the Python bindings (generated, not built into a wheel: PyPI is unreachable), so jsii-incompatible
// APIs fail the build, in one jsii-pacmak run: each run loads the type system and packs the tarball before its targets
// (9 CPU-s), so a run per target did that twice. The release workflow's jobs keep projen's package:js and package:python.
const packLibrary = project.addTask('package:js-and-python-code', {
  description: 'Pack the npm tarball (dist/js) and generate the Python bindings (dist/python, no wheel) in one jsii-pacmak run',
  exec: 'jsii-pacmak -v --target js --target python --code-only',
});
project.packageTask.reset();
project.packageTask.spawn(packLibrary);
// The companion's tarball, with the library's version, in dist/ecr-access: not dist/js, whose one tarball the release
// jobs unpack. Spawned by package (after the library's tarball) and by package:js, so the release workflow's npm job
// packs and publishes it beside the library.
const packCompanion = project.addTask('package:ecr-access', {
  description: 'Pack the companion cdk-ecr-access into dist/ecr-access with the library\'s version',
});
packCompanion.spawn(project.tasks.tryFind('ecr-access:compile')!);
packCompanion.exec('bash scripts/pack-companion.sh');
project.tasks.tryFind('package:js')!.spawn(packCompanion);
project.packageTask.spawn(packCompanion);
// The npm job publishes dist/js (the library) with publib; the companion right after it, the same way, same version.
const npmRelease = project.github!.tryFindWorkflow('release')!.file!;
npmRelease.patch(JsonPatch.add('/jobs/release_npm/steps/-', {
  name: 'Release the companion cdk-ecr-access',
  env: {
    NPM_DIST_TAG: 'latest',
    NPM_REGISTRY: 'registry.npmjs.org',
    NPM_CONFIG_PROVENANCE: 'true',
    NPM_TOKEN: '${{ secrets.NPM_TOKEN }}',
    PUBLIB_DRYRUN: '${{ inputs.dry_run }}',
  },
  run: 'npx -p publib@latest publib-npm dist/ecr-access',
}));
// The tarball just packed, installed into a scratch app outside the repository and used as a user would.
project.packageTask.spawn(project.addTask('test:adoption', {
  description: 'Install the packed tarballs into a scratch CDK app and use them (after package)',
  env: { JEST_JUNIT_OUTPUT_NAME: 'adoption-junit.xml' },
  exec: 'jest --ci --coverage=false test/adoption --testPathIgnorePatterns=/node_modules/',
}));

// README examples must compile: rosetta compiles every TypeScript snippet against rosetta/default.ts-fixture. In one
// batch (-b): one TypeScript program for all snippets, the same translations in a third of the time. The committed
// cache (rosetta/cache.tabl.json) holds each snippet's compiled translation: rosetta compiles only snippets whose
// source, fixture or API changed (scripts/rosetta-cache.js empties it when a dependency or rosetta itself did), and
// rewrites it with exactly the current ones, so a stale cache is a diff CI refuses. On a clean clone: 22 CPU-s less.
const rosettaExtract = project.addTask('rosetta:extract', {
  description: 'Compile the README examples (those changed since rosetta/cache.tabl.json)',
});
rosettaExtract.exec('node scripts/rosetta-cache.js before');
rosettaExtract.exec('jsii-rosetta extract --compile --fail -b --cache rosetta/cache.tabl.json --trim-cache');
rosettaExtract.exec('node scripts/rosetta-cache.js after');
project.postCompileTask.spawn(rosettaExtract);

project.addTask('bench', {
  description: 'Benchmarks: the lifecycle simulator and the ecr-lifecycle CLI beside a simple reference implementation; '
    + 'a repository fleet\'s synthesis beside aws-cdk-lib\'s ecr.Repository; ecr-access matrix beside the synthesis of the same app',
  steps: [
    { spawn: 'compile' },
    { exec: 'node --expose-gc -r ts-node/register/transpile-only bench/lifecycle.bench.ts' },
    { exec: 'node -r ts-node/register/transpile-only bench/fleet.bench.ts' },
    { exec: 'node -r ts-node/register/transpile-only bench/access.bench.ts' },
  ],
});

// Mutation testing of the pure modules, run by hand: it reruns their unit tests for every mutant, so it is slow and
// not part of CI. Only construct-free unit tests run: the reference stacks and the CLI take minutes per run.
const MUTATION_REPORTS = 'reports/mutation';
new JsonFile(project, 'stryker.config.json', {
  // Stryker warns on projen's "//" marker key as an unknown option; it ignores keys ending in "_comment".
  marker: false,
  obj: {
    generated_comment: 'Generated by projen. To modify, edit .projenrc.ts and run "npx projen".',
    $schema: './node_modules/@stryker-mutator/core/schema/stryker-schema.json',
    mutate: ['src/lifecycle/glob.ts', 'src/lifecycle/validate.ts', 'src/image-build/tags.ts', 'src/github-actions/subjects.ts',
      'src/private/git-names.ts', 'src/registry/validation.ts'],
    testRunner: 'jest',
    coverageAnalysis: 'perTest',
    jest: {
      config: {
        testMatch: ['<rootDir>/test/lifecycle/*.test.ts', '<rootDir>/test/image-build/tags.test.ts',
          '<rootDir>/test/github-actions/subjects.test.ts', '<rootDir>/test/registry/validation.test.ts'],
      },
    },
    // Two cores here, shared with the editor and other builds.
    concurrency: 2,
    reporters: ['clear-text', 'progress', 'html', 'json'],
    // The survivors, without the list of tests that killed nothing (every test of another module).
    clearTextReporter: { reportTests: false },
    htmlReporter: { fileName: `${MUTATION_REPORTS}/mutation.html` },
    jsonReporter: { fileName: `${MUTATION_REPORTS}/mutation.json` },
    tempDirName: `${MUTATION_REPORTS}/.stryker-tmp`,
    thresholds: { high: 95, low: 90, break: 90 },
    // Survivors no input can tell from the code, still counted in the score: Stryker cannot ignore one mutant from its
    // config, and a disable comment per mutant in shipped code would be noise. Stryker ignores keys ending in "_comment".
    equivalentMutants_comment: [
      "registry/validation.ts scanFilterProblems and signingFilterProblems, 'filter.length >= 1' -> true: both patterns need a first character, so '' fails them anyway.",
      "registry/validation.ts repositoryPrefixProblems, \"prefix === 'ROOT'\" -> false and 'ROOT' -> '': the minimum is then 2, and ROOT has 4 characters.",
      "registry/validation.ts SCAN_FILTER, '(?:[._\\-/a-z0-9*]?[a-z0-9*]+)*' -> '(?:[._\\-/a-z0-9*]?[a-z0-9*])*': a run of characters is also a run of groups with no separator.",
    ],
  },
});
project.gitignore.exclude(`/${MUTATION_REPORTS}/`);
project.npmignore?.exclude(`/${MUTATION_REPORTS}/`, '/stryker.config.json');
project.addTask('test:mutation', {
  description: 'Mutation tests (StrykerJS) of the pure modules: lifecycle glob and validation, tag rules, GitHub OIDC subjects, '
    + 'registry setting checks. Slow (minutes), so not part of CI; reports in reports/mutation/',
  exec: 'stryker run stryker.config.json',
});

project.addTask('acknowledgments', {
  description: 'Rewrite the README table of the reference app\'s compliance acknowledgments',
  exec: 'ts-node --transpile-only scripts/acknowledgments.ts',
});

project.addTask('diagram', {
  description: 'Regenerate docs/architecture.dot and docs/architecture.png from the synthesized reference app (needs graphviz)',
  exec: 'ts-node --transpile-only scripts/diagram.ts',
});

// `test` is jest, then the checks that run no test: scripts/ci.sh runs the two side by side (and the library's compile
// and packaging beside them), `npx projen build` one after the other, so both check the same.
const jestStep = project.testTask.steps.find((step) => step.execArgs?.[0] === 'jest')!;
const staticChecks = project.addTask('test:static', {
  description: 'The checks that run no test: type-check the tests, eslint, the reference app synthesized by the cdk CLI with cfn-lint',
});
// projen's type-check of the tests and its eslint task (the same extensions and files), from one TypeScript program.
const eslintArgs = project.tasks.tryFind('eslint')!.steps[0].execArgs!;
staticChecks.exec(['node scripts/typecheck-and-lint.js', eslintArgs[eslintArgs.indexOf('--ext') + 1], ...eslintArgs.slice(eslintArgs.indexOf('$@') + 1)].join(' '),
  { name: 'Type-check the test suite, and eslint' });
// Not the integ:*:assert tasks: test/reference/snapshot.test.ts compares the same apps with their snapshots, in a jest
// worker that has built-in validation's engine started already (each assert is a cdk CLI and a ts-node, 18 CPU-s).

staticChecks.spawn(project.addTask('synth:check', {
  description: 'Synthesize the reference app with the cdk CLI (compliance plugins on) and cfn-lint every template',
  exec: 'bash scripts/synth-check.sh',
}));
const jestTask = project.addTask('test:jest', { description: 'Run jest (arguments go to jest)', receiveArgs: true, exec: jestStep.execArgs!.join(' ') });
project.addTask('test:coverage', {
  description: 'Run jest with a coverage report in coverage/ (arguments go to jest)',
  receiveArgs: true,
  exec: `${jestStep.execArgs!.join(' ')} --coverage`,
});
project.testTask.reset();
project.testTask.spawn(jestTask, { receiveArgs: true });
project.testTask.spawn(staticChecks);

project.addTask('ci', {
  description: 'Everything CI checks: system packages, generated files current, build, tests, packaging',
  exec: 'bash scripts/ci.sh',
});

// The integ snapshot asserts (integ:*:assert, for running by hand; CI compares the same files in
// test/reference/snapshot.test.ts, whose exclusions must agree with these) compare templates and asset manifests only:
// metadata and validation reports carry stack traces with absolute paths and line numbers, and performance counters
// carry timings; none of that is the infrastructure under review. The apps run transpile-only: test:static
// type-checks them, as every test file, once.
for (const task of project.tasks.all.filter((t) => /^integ:.+:(assert|snapshot|deploy|watch)$/.test(t.name))) {
  task.env('TS_NODE_TRANSPILE_ONLY', 'true');
}
for (const task of project.tasks.all.filter((t) => /^integ:.+:assert$/.test(t.name))) {
  const steps = task.steps;
  const diff = steps.findIndex((step) => step.execArgs?.[0] === 'diff');
  const args = steps[diff].execArgs!;
  task.updateStep(diff, {
    execArgs: [...args.slice(0, -2), '-x', '*.metadata.json', '-x', 'validation-report.json', '-x', 'performance-counters.json', ...args.slice(-2)],
  });
}
// Integ snapshots keep templates and manifests, not the assets (a 37 MB kubectl layer); the asserts skip assets anyway.
project.gitignore.addPatterns('/test/*.integ.snapshot/asset.*', '/test/*.integ.snapshot/*.metadata.json',
  '/test/*.integ.snapshot/validation-report.json', '/test/*.integ.snapshot/performance-counters.json', '/test/.tmp/');

project.synth();
