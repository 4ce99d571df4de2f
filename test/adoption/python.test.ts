// The Python bindings as PyPI gets them: a wheel and an sdist built from what jsii-pacmak generated (dist/python, task
// package:js-and-python-code), offline, with Debian's setuptools and wheel; the release workflow builds them from the
// same setup.py with projen's setuptools from PyPI. They cannot be imported here: their runtime, the `jsii` package,
// is on PyPI only. What can be checked without it is: the files, the metadata, that every module compiles, and that
// every type of the assembly has its Python class.
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { scratchDir } from '../support/clean-outdirs';
import { describeNeeding } from '../support/system-deps';

const ROOT = path.join(__dirname, '..', '..');
const PACKAGE = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const VERSION = PACKAGE.version as string;
// Debian's, where apt put python3-setuptools and python3-wheel (scripts/install-system-deps.sh).
const PYTHON = '/usr/bin/python3';

function missing(): string | undefined {
  const found = fs.existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import setuptools, wheel']).status === 0;
  return found ? undefined : `${PYTHON} with setuptools and wheel (apt-get install python3-setuptools python3-wheel)`;
}

/** Lists a wheel, its METADATA fields, the modules that do not compile, and every `jsii_type` its modules declare. */
const INSPECT = `
import email.parser, json, re, sys, zipfile
wheel = zipfile.ZipFile(sys.argv[1])
names = wheel.namelist()
metadata = email.parser.Parser().parsestr(wheel.read(next(n for n in names if n.endswith('.dist-info/METADATA'))).decode())
broken, types = [], set()
for name in (n for n in names if n.endswith('.py')):
    source = wheel.read(name).decode()
    try:
        compile(source, name, 'exec')
    except SyntaxError as error:
        broken.append(f'{name}: {error}')
    types.update(re.findall(r'jsii_type="([^"]+)"', source))
print(json.dumps({
    'files': sorted(names),
    'metadata': {key: metadata.get_all(key) for key in ['Name', 'Version', 'Requires-Python', 'Requires-Dist']},
    'broken': broken,
    'types': sorted(types),
}))
`;

describeNeeding(missing(), 'the Python bindings, built as the release builds them', () => {
  const out = scratchDir('python-dist-');
  let built: string[];
  let wheel: { files: string[]; metadata: Record<string, string[]>; broken: string[]; types: string[] };

  beforeAll(() => {
    const source = path.join(out, 'source');
    fs.cpSync(path.join(ROOT, 'dist', 'python'), source, { recursive: true });
    execFileSync(PYTHON, ['setup.py', '-q', 'sdist', '-d', out, 'bdist_wheel', '-d', out], { cwd: source, stdio: 'pipe' });
    built = fs.readdirSync(out).filter((f) => f !== 'source').sort();
    wheel = JSON.parse(execFileSync(PYTHON, ['-c', INSPECT, path.join(out, `cdk_ecr_platform-${VERSION}-py3-none-any.whl`)], { encoding: 'utf8' }));
  });

  test('a wheel and an sdist at the package\'s version', () => {
    // setuptools before 69 keeps the project name's hyphens in the sdist's name; later ones write underscores.
    expect(built).toEqual([expect.stringMatching(new RegExp(`^cdk[-_]ecr[-_]platform-${VERSION.replace(/\./g, '\\.')}\\.tar\\.gz$`)), `cdk_ecr_platform-${VERSION}-py3-none-any.whl`].sort());
  });

  test('the wheel holds the module, its type hints and the jsii assembly it loads at import', () => {
    expect(wheel.files).toEqual(expect.arrayContaining([
      'cdk_ecr_platform/__init__.py',
      'cdk_ecr_platform/py.typed',
      'cdk_ecr_platform/_jsii/__init__.py',
      `cdk_ecr_platform/_jsii/cdk-ecr-platform@${VERSION}.jsii.tgz`,
    ]));
  });

  test('pip sees the name, the version and the CDK v2 dependencies a Python app already has', () => {
    expect({ ...wheel.metadata, 'Requires-Dist': wheel.metadata['Requires-Dist'].map((r) => r.replace(/[ ()]/g, '')) }).toEqual({
      'Name': ['cdk-ecr-platform'],
      'Version': [VERSION],
      'Requires-Python': ['>=3.10'],
      // wheel before 0.41.3 (Debian 12's) writes `name (specifiers)`, later ones `name specifiers`.
      'Requires-Dist': expect.arrayContaining([
        `aws-cdk-lib<3.0.0,>=${PACKAGE.peerDependencies['aws-cdk-lib'].replace(/^\^/, '')}`,
        `constructs<11.0.0,>=${PACKAGE.peerDependencies.constructs.replace(/^\^/, '')}`,
        expect.stringMatching(/^jsii</),
      ]),
    });
  });

  test('every module compiles, and every type of the assembly has its Python class', () => {
    const assembly = JSON.parse(fs.readFileSync(path.join(ROOT, '.jsii'), 'utf8'));
    expect(wheel.broken).toEqual([]);
    expect(wheel.types).toEqual(Object.keys(assembly.types).sort());
  });
});
