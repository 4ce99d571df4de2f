// Prints the plain closing line 'N passed, N failed' from jest-junit's report, so any CI log reader can count tests.
const fs = require('fs');

const xml = fs.readFileSync(process.argv[2], 'utf8');
const root = xml.match(/<testsuites\b[^>]*>/);
if (!root) {
  console.error(`no <testsuites> element in ${process.argv[2]}`);
  process.exit(1);
}
const attr = (name) => Number((root[0].match(new RegExp(`\\b${name}="(\\d+)"`)) ?? [0, 0])[1]);
const failed = attr('failures') + attr('errors');
const skipped = (xml.match(/<skipped\b/g) ?? []).length;
console.log(`tests: ${attr('tests') - failed - skipped} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || attr('tests') === 0 ? 1 : 0);
