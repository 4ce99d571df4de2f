#!/usr/bin/env node
// `aws` as the rehearsal's build sees it: every call goes to the real AWS CLI pointed at moto (the CLI reads no
// endpoint variable, and the shipped script names none), except `ecr describe-image-scan-findings` for the digests a
// test scripted and `inspector2 list-coverage` once a test scripted it: those get the test's responses in order (the
// last one repeating), the way ECR and Amazon Inspector answer while a scan runs and once it is done, including errors.
// moto cannot play those: it scans nothing on push, denies nothing and models no Inspector coverage.
//
// Environment: STANDIN_REAL_AWS (the command that runs the real CLI, as a JSON array), STANDIN_MOTO_ENDPOINT,
// STANDIN_DIR with scans.json (the scripted responses, by digest or by `repository:tag`, meaning the image last pushed
// under that tag), coverage.json (the scripted list-coverage responses), pushes.jsonl (what the registry stored,
// written by the rehearsal's registry proxy), calls.jsonl (one line per call) and call counters.
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const args = process.argv.slice(2);
const dir = process.env.STANDIN_DIR;
fs.appendFileSync(path.join(dir, 'calls.jsonl'), `${JSON.stringify(args)}\n`);

function option(name) {
  const i = args.indexOf(name);
  return i < 0 ? undefined : args[i + 1];
}

/** The next of `responses` for the call counted in `counter` (the last one repeating). */
function next(responses, counter) {
  const count = fs.existsSync(counter) ? Number(fs.readFileSync(counter, 'utf8')) : 0;
  fs.writeFileSync(counter, String(count + 1));
  return responses[Math.min(count, responses.length - 1)];
}

function scriptedCoverage() {
  const file = path.join(dir, 'coverage.json');
  if (args[0] !== 'inspector2' || args[1] !== 'list-coverage' || !fs.existsSync(file)) return undefined;
  return next(JSON.parse(fs.readFileSync(file, 'utf8')), path.join(dir, 'count-coverage'));
}

function scripted() {
  if (args[0] !== 'ecr' || args[1] !== 'describe-image-scan-findings') return undefined;
  const file = path.join(dir, 'scans.json');
  const scans = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : {};
  const digest = (option('--image-id') || '').replace(/^imageDigest=/, '');
  const pushLog = path.join(dir, 'pushes.jsonl');
  const pushes = fs.existsSync(pushLog) ? fs.readFileSync(pushLog, 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l)) : [];
  const lastPushed = (key) => {
    const [repository, tag] = key.split(':');
    if (repository !== option('--repository-name')) return undefined;
    return pushes.filter((p) => p.repository === repository && p.reference === tag).map((p) => p.digest).pop();
  };
  const key = scans[digest] ? digest : Object.keys(scans).find((k) => !k.startsWith('sha256:') && lastPushed(k) === digest);
  if (!key) return undefined;
  const responses = scans[key];
  // Only what the script asks for is modelled; anything else must fail loudly, not answer something plausible.
  if (args.includes('--query') || option('--output') !== 'json') {
    process.stderr.write(`aws stand-in: only --output json is modelled for describe-image-scan-findings, got ${JSON.stringify(args)}\n`);
    process.exit(2);
  }
  return next(responses, path.join(dir, `count-${digest.replace(':', '-')}-${Buffer.from(key).toString('hex')}`));
}

const coverage = scriptedCoverage();
const response = coverage || scripted();
if (response && response.error) {
  // The AWS CLI's form of a service error, exit status 254 as in AWS CLI v2.
  const operation = coverage ? 'ListCoverage' : 'DescribeImageScanFindings';
  process.stderr.write(`\nAn error occurred (${response.error.code}) when calling the ${operation} operation: ${response.error.message}\n`);
  process.exit(254);
} else if (response) {
  process.stdout.write(`${JSON.stringify(response.result, undefined, 4)}\n`);
} else {
  const [program, ...prefix] = JSON.parse(process.env.STANDIN_REAL_AWS);
  const real = spawnSync(program, [...prefix, ...args, '--endpoint-url', process.env.STANDIN_MOTO_ENDPOINT], { stdio: 'inherit' });
  process.exit(real.status === null ? 1 : real.status);
}
