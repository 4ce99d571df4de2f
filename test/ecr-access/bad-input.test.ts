// `ecr-access` on malformed and hostile assemblies (issue 21): exit 2 with one line naming the file and what is wrong,
// never a crash, a hang, a read outside the assembly or a raw control byte on the terminal. Each case mutates a copy of
// a small hand-written assembly (fixtures/minimal: one stack, a repository whose policy admits another account, a role
// that may pull) and asks `main` in-process; a few smoke tests run the built command for the real exit codes.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { main } from '../../packages/ecr-access/src/cli';

const FIXTURE = path.join(__dirname, 'fixtures', 'minimal');
const CLI = path.join(__dirname, '..', '..', 'packages', 'ecr-access', 'lib', 'cli.js');
const TEMPLATE = 'Registry.template.json';

const copies: string[] = [];
afterAll(() => copies.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

/** A fresh copy of the fixture, mutated by `change`. */
function assembly(change: (dir: string) => void = () => {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ecr-access-input-'));
  copies.push(dir);
  fs.cpSync(FIXTURE, dir, { recursive: true });
  change(dir);
  return dir;
}

/** Edits a JSON file of the assembly in place. */
const edit = (file: string, change: (json: any) => void) => (dir: string) => {
  const json = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
  change(json);
  fs.writeFileSync(path.join(dir, file), JSON.stringify(json, undefined, 1));
};
const write = (file: string, text: string) => (dir: string) => fs.writeFileSync(path.join(dir, file), text);
const manifest = (change: (m: any) => void) => edit('manifest.json', change);
const template = (change: (t: any) => void) => edit(TEMPLATE, change);
const stack = (change: (artifact: any) => void) => manifest((m) => change(m.artifacts.Registry));
/** Adds a resource to the template. */
const resource = (logicalId: string, type: string, properties: unknown) => template((t) => {
  t.Resources[logicalId] = { Type: type, Properties: properties };
});
const creationTemplate = (properties: Record<string, unknown>) => resource('Tpl', 'AWS::ECR::RepositoryCreationTemplate',
  { Prefix: 'platform', AppliedFor: ['REPLICATION'], ...properties });
const replication = (rule: Record<string, unknown>) => resource('Replication', 'AWS::ECR::ReplicationConfiguration',
  { ReplicationConfiguration: { Rules: [{ Destinations: [{ Region: 'eu-central-1', RegistryId: '111111111111' }], ...rule }] } });
/** A nested stack resource whose template is `assetPath`. */
const nestedStack = (assetPath: string) => template((t) => {
  t.Resources.Shard = { Type: 'AWS::CloudFormation::Stack', Metadata: { 'aws:asset:path': assetPath }, Properties: {} };
});

async function call(...args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const status = await main(args, (s) => stdout.push(s), (s) => stderr.push(s));
  return { status, stdout: stdout.join(''), stderr: stderr.join('') };
}

const MATRIX = ['matrix', '--assembly', '<dir>'];
const WHY = ['why', '--assembly', '<dir>', '--principal', 'Registry/Puller', '--repository', 'platform/api', '--action'];

describe('ecr-access on a malformed or hostile assembly: exit 2 and one line', () => {
  test.each<[string, (dir: string) => void, string[], string]>([
    // null where CDK writes an object
    ['a manifest that is null', write('manifest.json', 'null'), MATRIX, '<dir>/manifest.json: the manifest must be a JSON object, got null.'],
    ['an artifact that is null', manifest((m) => { m.artifacts.Registry = null; }), MATRIX,
      "<dir>/manifest.json: artifact 'Registry' must be a JSON object, got null."],
    ['a template that is null', write(TEMPLATE, 'null'), MATRIX, `<dir>/${TEMPLATE}: the template must be a JSON object, got null.`],
    ['a resource that is null', template((t) => { t.Resources.Repo02AC86CF = null; }), MATRIX,
      `<dir>/${TEMPLATE}: resource 'Repo02AC86CF' must be a JSON object, got null.`],
    ['a resource without a Type', template((t) => { delete t.Resources.Repo02AC86CF.Type; }), MATRIX,
      `<dir>/${TEMPLATE}: resource 'Repo02AC86CF': Type must be a string, got nothing.`],
    ['a policy statement that is null', template((t) => { t.Resources.PullerEcrAccessPolicy46AE3640.Properties.PolicyDocument.Statement[0] = null; }), MATRIX,
      `<dir>/${TEMPLATE}: the customer managed policy Registry/Puller/EcrAccessPolicy (PullerEcrAccessPolicy46AE3640): statement 1 must be a JSON object, got null.`],
    ['a condition operator that is null (the simulator\'s own validator fails on it)', template((t) => {
      t.Resources.Repo02AC86CF.Properties.RepositoryPolicyText.Statement[0].Condition = { StringEquals: null };
    }), MATRIX, `<dir>/${TEMPLATE}: the repository policy of Registry/Repo (Repo02AC86CF): statement 1: Condition.StringEquals is null; an IAM policy holds no null.`],
    ['a principal list holding null', template((t) => { t.Resources.Repo02AC86CF.Properties.RepositoryPolicyText.Statement[0].Principal = { AWS: ['*', null] }; }), MATRIX,
      `<dir>/${TEMPLATE}: the repository policy of Registry/Repo (Repo02AC86CF): statement 1: Principal.AWS[1] is null; an IAM policy holds no null.`],
    // JSON nested past what a recursive reader survives: 100 levels are read, 101 are not
    ['a template of 100 nested lists', write(TEMPLATE, '['.repeat(100) + ']'.repeat(100)), MATRIX,
      `<dir>/${TEMPLATE}: the template must be a JSON object, got an array.`],
    ['a template of 101 nested lists', write(TEMPLATE, '['.repeat(101) + ']'.repeat(101)), MATRIX,
      `<dir>/${TEMPLATE}: the template of stack 'Registry' nests deeper than 100 levels (this tool's bound for JSON).`],
    ['a nested stack TemplateURL nested 200,000 levels (JSON.stringify of it overflows the stack)', (dir) => {
      template((t) => { t.Resources.Shard = { Type: 'AWS::CloudFormation::Stack', Properties: { TemplateURL: '<deep>' } }; })(dir);
      const file = path.join(dir, TEMPLATE);
      fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('"<deep>"', '['.repeat(200_000) + ']'.repeat(200_000)));
    }, MATRIX, `<dir>/${TEMPLATE}: the template of stack 'Registry' nests deeper than 100 levels (this tool's bound for JSON).`],
    ['a repository policy as a JSON string whose statement nests 200,000 levels', template((t) => {
      t.Resources.Repo02AC86CF.Properties.RepositoryPolicyText = `{"Statement": {"Effect": "Allow", "Action": ${'['.repeat(200_000)}${']'.repeat(200_000)}}}`;
    }), MATRIX, `<dir>/${TEMPLATE}: the repository policy of Registry/Repo (Repo02AC86CF) nests deeper than 100 levels.`],
    // files that are missing, empty, unreadable or not JSON
    ['a template that is missing', (dir) => fs.rmSync(path.join(dir, TEMPLATE)), MATRIX,
      `<dir>/manifest.json: artifact 'Registry': templateFile '${TEMPLATE}' does not exist.`],
    ['a template that is empty', write(TEMPLATE, ''), MATRIX, `<dir>/${TEMPLATE}: the template of stack 'Registry' is empty.`],
    ['a template that is a directory', (dir) => { fs.rmSync(path.join(dir, TEMPLATE)); fs.mkdirSync(path.join(dir, TEMPLATE)); }, MATRIX,
      `<dir>/${TEMPLATE}: the template of stack 'Registry' is not a regular file.`],
    ['a manifest that is a FIFO (opening it would wait for a writer forever)', (dir) => {
      fs.rmSync(path.join(dir, 'manifest.json'));
      expect(spawnSync('mkfifo', [path.join(dir, 'manifest.json')]).status).toBe(0);
    }, MATRIX, '<dir>/manifest.json: the manifest is not a regular file.'],
    ['a template that is a symlink loop', (dir) => { fs.rmSync(path.join(dir, TEMPLATE)); fs.symlinkSync(TEMPLATE, path.join(dir, TEMPLATE)); }, MATRIX,
      `<dir>/manifest.json: artifact 'Registry': templateFile '${TEMPLATE}' cannot be read (ELOOP).`],
    ['a template that is not JSON, with where it breaks', write(TEMPLATE, '{\n  "Resources": {\n    oops\n  }\n}'), MATRIX,
      `<dir>/${TEMPLATE}: the template of stack 'Registry' is not JSON (line 3, column 5).`],
    ['a template that is not JSON, its text never echoed', write(TEMPLATE, 'secret-token'), MATRIX,
      `<dir>/${TEMPLATE}: the template of stack 'Registry' is not JSON.`],
    ['a manifest that is not JSON', write('manifest.json', 'not json'), MATRIX, '<dir>/manifest.json: the manifest is not JSON.'],
    ['a metadata file that is missing', (dir) => fs.rmSync(path.join(dir, 'Registry.metadata.json')), MATRIX,
      "<dir>/manifest.json: artifact 'Registry': additionalMetadataFile 'Registry.metadata.json' does not exist."],
    ['a metadata file that is empty', write('Registry.metadata.json', ''), MATRIX, "<dir>/Registry.metadata.json: the metadata of stack 'Registry' is empty."],
    ['a metadata file that is not JSON', write('Registry.metadata.json', '{"/Registry": [] x}'), MATRIX,
      "<dir>/Registry.metadata.json: the metadata of stack 'Registry' is not JSON (line 1, column 18)."],
    ['metadata entries that are no list', edit('Registry.metadata.json', (m) => { m['/Registry/Repo/Resource'] = {}; }), MATRIX,
      "<dir>/Registry.metadata.json: the metadata '/Registry/Repo/Resource' must be a JSON array, got an object."],
    ['a missing asset manifest', (dir) => fs.rmSync(path.join(dir, 'Registry.assets.json')), MATRIX,
      "<dir>/manifest.json: artifact 'Registry.assets': properties.file 'Registry.assets.json' does not exist."],
    // assemblies and stacks that contain themselves
    ['a nested assembly that is the assembly itself', manifest((m) => { m.artifacts.Stage = { type: 'cdk:cloud-assembly', properties: { directoryName: '.' } }; }), MATRIX,
      "<dir>/manifest.json: artifact 'Stage': directoryName '.' is this assembly or one that holds it; a nested assembly cannot contain itself."],
    ['a nested assembly that holds the one that holds it', (dir) => {
      fs.mkdirSync(path.join(dir, 'assembly-Stage'));
      fs.writeFileSync(path.join(dir, 'assembly-Stage', 'manifest.json'), JSON.stringify({ artifacts: { Back: { type: 'cdk:cloud-assembly', properties: { directoryName: '..' } } } }));
      manifest((m) => { m.artifacts.Stage = { type: 'cdk:cloud-assembly', properties: { directoryName: 'assembly-Stage' } }; })(dir);
    }, MATRIX, "<dir>/assembly-Stage/manifest.json: artifact 'Back': directoryName '..' is this assembly or one that holds it; a nested assembly cannot contain itself."],
    ['a nested stack of its own template', nestedStack(TEMPLATE), MATRIX,
      `<dir>/${TEMPLATE}: resource 'Shard' nests the template of this stack or of a stack that holds it; a stack cannot nest itself.`],
    // a policy IAM would refuse, an action ECR does not have
    ['a repository policy whose Condition is an array', template((t) => {
      t.Resources.Repo02AC86CF.Properties.RepositoryPolicyText.Statement[0].Condition = [{ StringEquals: { 'aws:PrincipalOrgID': 'o-1' } }];
    }), MATRIX, `<dir>/${TEMPLATE}: the repository policy of Registry/Repo (Repo02AC86CF) is not a valid IAM policy: `
      + 'Statement[0].Condition: Condition must be an object, found an array.'],
    // what makes ECR create repositories (creation templates, pull-through caches, replication), in the shape CloudFormation takes
    ['a creation template whose Prefix is an object', creationTemplate({ Prefix: { Name: 'platform' } }), MATRIX,
      `<dir>/${TEMPLATE}: resource 'Tpl': Prefix must be a string, got an object.`],
    ['a creation template whose Prefix is a wildcard', creationTemplate({ Prefix: 'platform/*' }), MATRIX,
      `<dir>/${TEMPLATE}: resource 'Tpl': Prefix must be ROOT or the start of repository names (lower-case letters, digits, '.', '_', '-' and '/').`],
    ['a creation template whose AppliedFor is a string', creationTemplate({ AppliedFor: 'REPLICATION' }), MATRIX,
      `<dir>/${TEMPLATE}: resource 'Tpl': AppliedFor must be a JSON array, got a string.`],
    ['a creation template applied for a feature ECR does not have', creationTemplate({ AppliedFor: ['REPLICATION', 'PULL'] }), MATRIX,
      `<dir>/${TEMPLATE}: resource 'Tpl': AppliedFor[1] must be one of REPLICATION, PULL_THROUGH_CACHE, CREATE_ON_PUSH.`],
    ['a creation template whose repository policy holds null', creationTemplate({ RepositoryPolicy: { Statement: [{ Effect: 'Allow', Principal: null }] } }), MATRIX,
      `<dir>/${TEMPLATE}: the repository policy of Registry/Tpl (Tpl): statement 1: Principal is null; an IAM policy holds no null.`],
    ['a pull-through cache rule without EcrRepositoryPrefix', resource('Cache', 'AWS::ECR::PullThroughCacheRule', { UpstreamRegistryUrl: 'public.ecr.aws' }), MATRIX,
      `<dir>/${TEMPLATE}: resource 'Cache': EcrRepositoryPrefix must be a string, got nothing.`],
    ['a replication configuration whose Rules are an object', resource('Replication', 'AWS::ECR::ReplicationConfiguration', { ReplicationConfiguration: { Rules: {} } }),
      MATRIX, `<dir>/${TEMPLATE}: resource 'Replication': ReplicationConfiguration.Rules must be a JSON array, got an object.`],
    ['a replication destination of 11 digits', replication({ Destinations: [{ Region: 'eu-central-1', RegistryId: '11111111111' }] }), MATRIX,
      `<dir>/${TEMPLATE}: resource 'Replication': ReplicationConfiguration.Rules[0].Destinations[0].RegistryId must be a 12-digit account id.`],
    ['a replication destination region in capitals', replication({ Destinations: [{ Region: 'EU-CENTRAL-1', RegistryId: '111111111111' }] }), MATRIX,
      `<dir>/${TEMPLATE}: resource 'Replication': ReplicationConfiguration.Rules[0].Destinations[0].Region must be a region code such as eu-west-1.`],
    ['a replication filter of a type ECR does not have', replication({ RepositoryFilters: [{ Filter: 'platform', FilterType: 'WILDCARD' }] }), MATRIX,
      `<dir>/${TEMPLATE}: resource 'Replication': ReplicationConfiguration.Rules[0].RepositoryFilters[0].FilterType must be PREFIX_MATCH, `
      + 'the only filter type of ECR replication.'],
    ['a replication filter with a wildcard', replication({ RepositoryFilters: [{ Filter: 'platform/*', FilterType: 'PREFIX_MATCH' }] }), [...WHY, 'pull'],
      `<dir>/${TEMPLATE}: resource 'Replication': ReplicationConfiguration.Rules[0].RepositoryFilters[0].Filter must be the start of repository names `
      + "(lower-case letters, digits, '.', '_', '-' and '/')."],
    ['an ECR action that does not exist', () => {}, [...WHY, 'ecr:NotAnAction'],
      "unknown action 'ecr:NotAnAction': give pull, push, tag, login, delete, admin or an ECR action such as ecr:BatchGetImage."],
    // paths that leave the assembly
    ['a templateFile up and out to /etc/passwd', stack((a) => { a.properties.templateFile = '../../../../etc/passwd'; }), MATRIX,
      "<dir>/manifest.json: artifact 'Registry': templateFile '../../../../etc/passwd' resolves outside the assembly directory <dir>; an assembly names only files inside it."],
    ['an absolute templateFile', stack((a) => { a.properties.templateFile = '/etc/passwd'; }), MATRIX,
      "<dir>/manifest.json: artifact 'Registry': templateFile '/etc/passwd' resolves outside the assembly directory <dir>; an assembly names only files inside it."],
    ['a templateFile that is a symlink out of the assembly', (dir) => { fs.rmSync(path.join(dir, TEMPLATE)); fs.symlinkSync('/etc/passwd', path.join(dir, TEMPLATE)); }, MATRIX,
      `<dir>/manifest.json: artifact 'Registry': templateFile '${TEMPLATE}' resolves outside the assembly directory <dir>; an assembly names only files inside it.`],
    ['a metadata file in a symlinked directory out of the assembly', (dir) => {
      fs.symlinkSync('/etc', path.join(dir, 'meta'));
      stack((a) => { a.additionalMetadataFile = 'meta/passwd'; })(dir);
    }, MATRIX, "<dir>/manifest.json: artifact 'Registry': additionalMetadataFile 'meta/passwd' resolves outside the assembly directory <dir>; "
      + 'an assembly names only files inside it.'],
    ['a nested stack template out of the assembly', nestedStack('../../../../etc/passwd'), MATRIX,
      `<dir>/${TEMPLATE}: resource 'Shard': Metadata.aws:asset:path '../../../../etc/passwd' resolves outside the assembly directory <dir>; `
      + 'an assembly names only files inside it.'],
    ['an asset manifest out of the assembly', manifest((m) => { m.artifacts['Registry.assets'].properties.file = '../../../../etc/passwd'; }), MATRIX,
      "<dir>/manifest.json: artifact 'Registry.assets': properties.file '../../../../etc/passwd' resolves outside the assembly directory <dir>; "
      + 'an assembly names only files inside it.'],
    // an assembly with no stack
    ['a manifest {}', write('manifest.json', '{}'), MATRIX,
      '<dir>/manifest.json: the cloud assembly has no stack (no artifact of type aws:cloudformation:stack); synthesize an app with a stack.'],
    ['artifacts that are a list', write('manifest.json', '{"artifacts": [1, 2]}'), MATRIX, '<dir>/manifest.json: artifacts must be a JSON object, got an array.'],
    // options given twice
    ['--format twice', () => {}, [...MATRIX, '--format', 'json', '--format', 'table'], '--format is given twice: give it once.'],
    ['--assembly twice', () => {}, [...MATRIX, '--assembly=<dir>'], '--assembly is given twice: give it once.'],
    ['an option with an empty value', () => {}, ['matrix', '--assembly='], '--assembly needs a value.'],
    // files over the bound, refused before they are read
    ['a manifest over 64 MiB', (dir) => fs.truncateSync(path.join(dir, 'manifest.json'), 64 * 1024 * 1024 + 1), MATRIX,
      "<dir>/manifest.json: the manifest is 67108865 bytes, over 67108864 bytes (this tool's bound for a cloud assembly file)."],
    ['a template over 1 MiB (valid JSON but for its size)', (dir) => {
      const text = fs.readFileSync(path.join(dir, TEMPLATE), 'utf8');
      fs.writeFileSync(path.join(dir, TEMPLATE), text + ' '.repeat(1024 * 1024 + 1 - Buffer.byteLength(text)));
    }, MATRIX, `<dir>/${TEMPLATE}: the template of stack 'Registry' is 1048577 bytes, over 1048576 bytes (CloudFormation's limit for a template in Amazon S3).`],
    // control bytes in what it echoes
    ['an artifact id and a file name with terminal escapes and a newline', manifest((m) => {
      m.artifacts['\u001b]0;owned\u0007'] = { type: 'aws:cloudformation:stack', properties: { templateFile: 'x\u001b[2J\nALLOWED.json' } };
    }), MATRIX, "<dir>/manifest.json: artifact '\\u001b]0;owned\\u0007': templateFile 'x\\u001b[2J\\u000aALLOWED.json' does not exist."],
    ['a principal with a C1 control byte on the command line', () => {}, ['why', '--assembly', '<dir>', '--principal', 'Registry/\u009b31mPuller', '--repository', 'platform/api', '--action', 'pull'],
      "no principal 'Registry/\\u009b31mPuller' in the assembly: "
      + 'give a construct path such as Ecs-dev/ExecutionRole, <stack>/<logical id>, or an IAM role or user ARN.'],
  ])('%s', async (_name, change, args, message) => {
    const dir = assembly(change);
    const result = await call(...args.map((a) => a.replace('<dir>', dir)));
    expect(result).toEqual({ status: 2, stdout: '', stderr: `ecr-access: ${message.replace(/<dir>/g, dir)}\n` });
  });

  test('the fixture itself is answered: the role pulls, the other account is admitted (so each case above fails for its own reason)', async () => {
    const dir = assembly();
    expect(await call('why', '--assembly', dir, '--principal', 'Registry/Puller', '--repository', 'platform/api', '--action', 'pull'))
      .toMatchObject({ status: 0, stderr: '' });
    expect(await call('why', '--assembly', dir, '--principal', 'arn:aws:iam::222222222222:role/any', '--repository', 'platform/api', '--action', 'pull'))
      .toMatchObject({ status: 0, stderr: '' });
  });

  test('a construct path with control bytes is printed escaped: in the table, and as JSON that still parses to the path', async () => {
    const hostile = 'Registry/\u001b[2J\u009bPuller';
    const dir = assembly(edit('Registry.metadata.json', (m) => {
      m[`/${hostile}/Resource`] = m['/Registry/Puller/Resource'];
      delete m['/Registry/Puller/Resource'];
    }));
    const table = await call('matrix', '--assembly', dir);
    expect(table.status).toBe(0);
    // Padded to the widest principal: the other account the repository admits, outside the assembly.
    expect(table.stdout.split('\n')).toContainEqual(expect.stringMatching(/^ {2}Registry\/\\u001b\[2J\\u009bPuller +111111111111 {2}yes {3}- {5}- {4}yes {4}- {7}-$/));
    const json = await call('matrix', '--assembly', dir, '--format', 'json');
    expect(json.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    expect(JSON.parse(json.stdout).repositories[0].rows.map((r: { principal: string }) => r.principal)).toEqual([hostile, 'arn:aws:iam::222222222222:root']);
  });

  test('an error of the tool itself is exit 3 with its stack, written by main', async () => {
    const stderr: string[] = [];
    const status = await main(['--help'], () => { throw new Error('EPIPE'); }, (s) => stderr.push(s));
    expect(status).toBe(3);
    expect(stderr.join('')).toMatch(/^ecr-access: internal error: Error: EPIPE\n {4}at /);
  });
});

describe('ecr-access as a process: the exit codes a shell sees', () => {
  function run(...args: string[]) {
    if (!fs.existsSync(CLI)) throw new Error(`${CLI} does not exist: run 'npx projen ecr-access:compile' (the build does)`);
    const result = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  }

  test('a templateFile outside the assembly: exit 2, one line, nothing of /etc/passwd', () => {
    const dir = assembly(stack((a) => { a.properties.templateFile = '../../../../etc/passwd'; }));
    expect(run('matrix', '--assembly', dir)).toEqual({
      status: 2,
      stdout: '',
      stderr: `ecr-access: ${dir}/manifest.json: artifact 'Registry': templateFile '../../../../etc/passwd' resolves outside the assembly directory ${dir}; `
        + 'an assembly names only files inside it.\n',
    });
  });

  test('why: exit 0 when allowed, 1 when denied; --help: exit 0', () => {
    const dir = assembly();
    const ask = (action: string) => run('why', '--assembly', dir, '--principal', 'arn:aws:iam::222222222222:role/any', '--repository', 'platform/api', '--action', action);
    expect(ask('push')).toMatchObject({ status: 1, stderr: '' });
    expect(ask('pull')).toMatchObject({ status: 0, stderr: '' });
    expect(run('--help')).toMatchObject({ status: 0, stderr: '', stdout: expect.stringMatching(/^usage:\n {2}ecr-access matrix --assembly <cdk.out>/) });
  });
});
