// Prints the plain closing line 'N passed, N failed' from jest-junit's reports, so any CI log reader can count tests.
const fs = require('fs');

let tests = 0;
let failed = 0;
let skipped = 0;
for (const file of process.argv.slice(2)) {
  const xml = fs.readFileSync(file, 'utf8');
  const root = xml.match(/<testsuites\b[^>]*>/);
  if (!root) {
    console.error(`no <testsuites> element in ${file}`);
    process.exit(1);
  }
  const attr = (name) => Number((root[0].match(new RegExp(`\\b${name}="(\\d+)"`)) ?? [0, 0])[1]);
  tests += attr('tests');
  failed += attr('failures') + attr('errors');
  skipped += (xml.match(/<skipped\b/g) ?? []).length;
}
console.log(`tests: ${tests - failed - skipped} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || tests === 0 ? 1 : 0);
