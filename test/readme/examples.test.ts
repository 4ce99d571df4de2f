/**
 * Every ```ts block of README.md, run as a user who copies it would: wrapped in rosetta's fixture
 * (rosetta/default.ts-fixture: its imports, the snippet in a Stack's constructor), transpiled with TypeScript's
 * transpileModule, evaluated with this library's src/ as 'cdk-ecr-platform', and synthesized: no error.
 *
 * Stand-ins: a snippet's `declare const name: Type;` (an input the reader has, which jsii-rosetta compiles but which
 * does not exist at run time) becomes a real value of that type from STAND_INS, created in the same stack. A type with
 * no stand-in fails the test: add one. The stack has an account and region, as a deployed app's has.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import * as ts from 'typescript';

const ROOT = path.join(__dirname, '..', '..');
const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
/** Rosetta's fixture of a block (```ts fixture=NAME), as jsii-rosetta picks it. */
const fixtureOf = (name = 'default') => fs.readFileSync(path.join(ROOT, 'rosetta', `${name}.ts-fixture`), 'utf8');

const STAND_INS: Record<string, (id: string) => string> = {
  'iam.IRole': (id) => `new iam.Role(this, '${id}', { assumedBy: new iam.AccountRootPrincipal() })`,
  'iam.Role': (id) => `new iam.Role(this, '${id}', { assumedBy: new iam.AccountRootPrincipal() })`,
  // A repository whose environment tags move, as the examples that build into it need.
  'ImageRepository': (id) => `new ImageRepository(this, '${id}', { mutableTagPatterns: ['dev', 'staging', 'prod'] })`,
  'ecr.IRepository': (id) => `ecr.Repository.fromRepositoryName(this, '${id}', 'base-images')`,
  'ecs.IBaseService': (id) => `ecs.FargateService.fromServiceArnWithCluster(this, '${id}', 'arn:aws:ecs:eu-west-1:111111111111:service/${id}/${id}')`,
  'ecs.FargateService': (id) => `(() => {
    const taskDefinition = new ecs.FargateTaskDefinition(this, '${id}Task');
    taskDefinition.addContainer('app', { image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:1') });
    return new ecs.FargateService(this, '${id}', { cluster: new ecs.Cluster(this, '${id}Cluster'), taskDefinition });
  })()`,
  'ImageBuildProject': (id) => `new ImageBuildProject(this, '${id}', { repository: new ImageRepository(this, '${id}Repository') })`,
};

const blocks = [...README.matchAll(/^```ts(?: fixture=(\w+))?\n([\s\S]*?)^```$/gm)].map((m) => ({
  line: README.slice(0, m.index).split('\n').length + 1,
  fixture: m[1],
  code: m[2],
}));

/** The fixture with the snippet's imports next to its own and the snippet, its declarations stood in, in the stack. */
function program(snippet: string, fixtureName?: string): string {
  const lines = snippet.split('\n');
  const imports = lines.filter((l) => /^import /.test(l));
  const body = lines.filter((l) => !/^import /.test(l)).map((l) => {
    const declared = /^declare const (\w+): ([\w.]+);$/.exec(l);
    if (!declared) return l;
    const standIn = STAND_INS[declared[2]];
    if (!standIn) throw new Error(`no stand-in for '${declared[2]}' (${l}): add one to STAND_INS`);
    return `const ${declared[1]}: ${declared[2]} = ${standIn(`StandIn${declared[1]}`)};`;
  });
  // The snippet's own imports replace the fixture's of the same names (a block with imports of its own has a fixture
  // without them for jsii-rosetta, which would otherwise see them twice).
  const named = new Set(imports.flatMap((i) => [...(/\{([^}]*)\}/.exec(i)?.[1] ?? '').split(','), /\* as (\w+)/.exec(i)?.[1] ?? ''].map((n) => n.trim()).filter(Boolean)));
  const fixture = fixtureOf(fixtureName).replace(/import \* as (\w+) from [^;]+;\n/g, (all, name) => (named.has(name) ? '' : all))
    .replace(/import \{([^}]*)\} from ('[^']+');/g, (_all, names: string, from: string) => {
      const kept = names.split(',').map((n) => n.trim()).filter((n) => n && !named.has(n));
      return kept.length > 0 ? `import { ${kept.join(', ')} } from ${from};` : '';
    });
  const placed = fixture.includes('/// here') ? fixture.replace('/// here', body.join('\n')) : `${fixture}\n${body.join('\n')}`;
  const whole = [...imports, placed].join('\n')
    .replace('super(scope, id);', "super(scope, id, { env: { account: '111111111111', region: 'eu-west-1' } });");
  // A whole-file example (fixture=imports) has no stack to build: it is run as it is.
  return /^class Fixture /m.test(whole) ? `${whole}\nexports.Fixture = Fixture;\n` : whole;
}

function run(snippet: string, fixtureName?: string): void {
  const compilerOptions = { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2020 };
  const js = ts.transpileModule(program(snippet, fixtureName), { compilerOptions }).outputText;
  const src = path.join(ROOT, 'src');
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the snippet's own imports, resolved at run time
  const load = (name: string) => require(name === 'cdk-ecr-platform' ? src : name);
  const module = { exports: {} as { Fixture?: new (scope: App, id: string) => unknown } };
  new Function('require', 'module', 'exports', js)(load, module, module.exports);
  if (!module.exports.Fixture) return;
  const app = new App();
  new module.exports.Fixture(app, 'Example');
  app.synth();
}

test('README.md has ts examples', () => {
  expect(blocks.length).toBeGreaterThan(10);
});

test.each(blocks.map((b) => [b.line, b.code, b.fixture] as const))('the README example at line %i synthesizes', (_line, code, fixture) => {
  expect(() => run(code, fixture)).not.toThrow();
});
