// Which `aws` the rehearsals can run: the warm Python runs the AWS CLI's script, so only the Python CLI (v1) will do,
// and a machine with v2 (GitHub's runners) is told what to install rather than failing inside a rehearsal.
import * as fs from 'fs';
import * as path from 'path';
import { scratchDir } from './clean-outdirs';
import { missingMoto } from './moto';
import { describeNeeding, findOnPath, pythonAws, realProgram } from './system-deps';

const root = scratchDir('system-deps-');
let dirs = 0;

/** Runs `f` with PATH set to a new directory holding `files` (name to content, or to a program to link). */
function withPath<T>(files: Record<string, string>, f: () => T): T {
  const dir = path.join(root, String(dirs++));
  fs.mkdirSync(dir);
  for (const [name, content] of Object.entries(files)) {
    if (path.isAbsolute(content)) fs.symlinkSync(content, path.join(dir, name));
    else fs.writeFileSync(path.join(dir, name), content, { mode: 0o755 });
  }
  const saved = process.env.PATH;
  process.env.PATH = dir;
  try {
    return f();
  } finally {
    process.env.PATH = saved;
  }
}

test.each([
  ['a Python script run by env', '#!/usr/bin/env python3\nimport sys\n', true],
  ['a Python script with its interpreter\'s path', '#!/opt/python/3.11/bin/python3.11\nimport sys\n', true],
  ['a native program, as v2 is', '\x7fELF\x02\x01\x01\x00', false],
  ['a shell script in front of another program', '#!/bin/sh\nexec /usr/local/aws-cli/v2/current/bin/aws "$@"\n', false],
])('pythonAws: aws as %s', (_, content, runnable) => {
  withPath({ aws: content }, () => expect(pythonAws()).toBe(runnable ? findOnPath('aws') : undefined));
});

test('pythonAws: no aws on PATH', () => {
  withPath({}, () => expect(pythonAws()).toBeUndefined());
});

describeNeeding(missingMoto(), 'missingMoto', () => {
  test('with moto and boto3 but the AWS CLI v2 as aws, it says what to install', () => {
    const programs = { sh: findOnPath('sh')!, python3: realProgram('python3')!, moto_server: realProgram('moto_server')! };
    withPath({ ...programs, aws: '\x7fELF\x02\x01\x01\x00' }, () => expect(missingMoto())
      .toBe('moto_server on PATH, boto3 in python3 and the Python AWS CLI (v1) as aws (pip install "moto[server]" boto3 awscli)'));
    withPath({ ...programs, aws: realProgram('aws')! }, () => expect(missingMoto()).toBeUndefined());
  });
});
