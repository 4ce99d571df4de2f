// Runs the long files first, so that on a 2-core machine the two workers finish together instead of one waiting on a
// rehearsal started last. A clean clone has no timing cache, which jest's default order relies on; the rest goes by size.
const Sequencer = require('@jest/test-sequencer').default;
const fs = require('fs');

/** The longest files, longest first (test/support/slowest-reporter.js prints the current figures after every run). */
const LONG_FIRST = [
  'test/image-build/rehearsal.test.ts',
  'test/image-build/script-errors.test.ts',
  'test/reference/snapshot.test.ts',
  'test/reference/deploy-rehearsal.test.ts',
  'test/pipeline/release-script.test.ts',
  'test/reference/stacks.test.ts',
  'test/release/release.test.ts',
  'test/repository/compliance.test.ts',
];

class LongFirstSequencer extends Sequencer {
  sort(tests) {
    const rank = (test) => {
      const i = LONG_FIRST.findIndex((file) => test.path.endsWith(file));
      return i === -1 ? LONG_FIRST.length : i;
    };
    const size = (test) => fs.statSync(test.path).size;
    return [...tests].sort((a, b) => rank(a) - rank(b) || size(b) - size(a));
  }
}

module.exports = LongFirstSequencer;
