// The README snippets' compiled translations, reused by rosetta:extract (rosetta/cache.tabl.json): `node
// scripts/rosetta-cache.js before|after`, around `jsii-rosetta extract --cache`.
// rosetta reuses a snippet whose source, fixture and fingerprint of this library's API are unchanged. It does not
// fingerprint other packages' types (aws-cdk-lib's, which snippets use) or itself, so the cache records the versions
// it was compiled with, and `before` empties it when one differs: every snippet is then compiled again.
// `after` records them and sorts the snippets, which rosetta writes in the order it met them, so the file is the same
// whatever that order: a stale cache is a diff CI refuses.
'use strict';
const fs = require('fs');
const path = require('path');

const ROOT = path.join(__dirname, '..');
const CACHE = path.join(ROOT, 'rosetta', 'cache.tabl.json');
/** The tablet rosetta writes beside .jsii, which it also reuses translations from. */
const TABLET = path.join(ROOT, '.jsii.tabl.json');

/** The installed version of each package a snippet's compilation depends on. */
function compiledWith() {
  const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const rosetta = require.resolve('jsii-rosetta/package.json', { paths: [ROOT] });
  const version = (name, from = ROOT) => JSON.parse(fs.readFileSync(require.resolve(`${name}/package.json`, { paths: [from] }), 'utf8')).version;
  const packages = Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies }).sort();
  return {
    'jsii-rosetta': version('jsii-rosetta'),
    'typescript': version('typescript', path.dirname(rosetta)),
    ...Object.fromEntries(packages.map((name) => [name, version(name)])),
  };
}

const command = process.argv[2];
const current = compiledWith();
if (command === 'before') {
  if (fs.existsSync(CACHE)) {
    const recorded = JSON.parse(fs.readFileSync(CACHE, 'utf8')).compiledWith;
    if (JSON.stringify(recorded) !== JSON.stringify(current)) {
      process.stdout.write(`rosetta-cache: compiled with ${JSON.stringify(recorded)}, now ${JSON.stringify(current)}: compiling every snippet\n`);
      fs.rmSync(CACHE);
      fs.rmSync(TABLET, { force: true });
    }
  }
} else if (command === 'after') {
  const tablet = JSON.parse(fs.readFileSync(CACHE, 'utf8'));
  tablet.snippets = Object.fromEntries(Object.entries(tablet.snippets).sort(([a], [b]) => (a < b ? -1 : 1)));
  tablet.compiledWith = current;
  fs.writeFileSync(CACHE, JSON.stringify(tablet));
} else {
  process.stderr.write('usage: node scripts/rosetta-cache.js before|after\n');
  process.exitCode = 2;
}
