// The warm Python runs a program as a fresh `python3` would: its arguments, standard streams, environment, directory
// and exit status are the caller's, and what it cannot reproduce (interpreter settings) it refuses.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { WarmPython } from './warm-python';

let dir: string;
let warm: WarmPython;
const clientEnv = { PATH: process.env.PATH, PYTHONDONTWRITEBYTECODE: '1' };

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'warm-python-'));
  // json stands in for the AWS CLI's modules: imported once, in the server.
  warm = await WarmPython.start(dir, ['json'], clientEnv);
});

afterAll(async () => {
  await warm?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

function run(args: string[], options: { input?: string; env?: NodeJS.ProcessEnv; cwd?: string } = {}) {
  const [program, ...prefix] = warm.command;
  const result = spawnSync(program, [...prefix, ...args], { encoding: 'utf8', input: options.input, env: options.env ?? clientEnv, cwd: options.cwd });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

test('a program gets the arguments, standard input, environment and directory of its caller, and exits with its status', () => {
  const code = 'import os, sys; print(sys.argv, sys.stdin.read(), os.environ["GREETING"], os.getcwd()); sys.exit(3)';
  expect(run(['-c', code, 'a', 'b c'], { input: 'from stdin', env: { ...clientEnv, GREETING: 'hello' }, cwd: dir })).toEqual({
    status: 3, stdout: `['-c', 'a', 'b c'] from stdin hello ${fs.realpathSync(dir)}\n`, stderr: '',
  });
});

test('a script runs as __main__, with its directory first on sys.path; an uncaught exception exits 1 with its traceback', () => {
  const script = path.join(dir, 'script.py');
  fs.writeFileSync(script, 'import sys\nprint(__name__, sys.path[0], sys.argv)\nraise ValueError("boom")\n');
  const result = run([script, '--flag']);
  expect(result.status).toBe(1);
  expect(result.stdout).toBe(`__main__ ${dir} ['${script}', '--flag']\n`);
  expect(result.stderr).toMatch(/ValueError: boom\n$/);
});

test('each program starts from the server\'s imports, not from what an earlier program changed', () => {
  expect(run(['-c', 'import json; json.marker = 1']).status).toBe(0);
  expect(run(['-c', 'import json, sys; sys.exit(hasattr(json, "marker"))']).status).toBe(0);
});

test('an interpreter setting other than the server\'s is refused, not silently ignored', () => {
  expect(run(['-c', 'pass'], { env: { ...clientEnv, PYTHONDONTWRITEBYTECODE: undefined, PYTHONHASHSEED: '0' } })).toEqual({
    status: 1,
    stdout: '',
    stderr: 'warm python: PYTHONDONTWRITEBYTECODE, PYTHONHASHSEED differs from the server\'s, and is read at start or import; start it with the same\n',
  });
});

test('a program killed before it reports its status fails its caller, saying so', () => {
  expect(run(['-c', 'import os, signal; os.kill(os.getpid(), signal.SIGKILL)'])).toEqual({
    status: 1, stdout: '', stderr: 'warm python: the program ended without an exit status (killed?)\n',
  });
});
