import * as fs from 'fs';
import { accessMatrixMarkdown, MATRIX_FILE } from '../../scripts/access-matrix';

// The access review of the reference platform is a committed file: a change to who can pull, push, delete or administer
// a repository shows up in review as a diff of docs/access-matrix.md, or fails here until it does.
test('the committed docs/access-matrix.md is what ecr-access answers for the app synthesized today', async () => {
  const now = (await accessMatrixMarkdown()).split('\n');
  const was = fs.readFileSync(MATRIX_FILE, 'utf8').split('\n');
  const differs = now.findIndex((line, i) => line !== was[i]);
  const line = differs < 0 && now.length === was.length ? -1 : differs < 0 ? now.length : differs;
  if (line >= 0) {
    throw new Error(`docs/access-matrix.md is stale: run \`npx projen access-matrix\` and commit it. First difference, line ${line + 1}:\n`
      + `  committed: ${was[line] ?? '(none)'}\n  now:       ${now[line] ?? '(none)'}`);
  }
});
