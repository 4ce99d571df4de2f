// Temp directories that a test file's tests write and read, removed once its tests have run: a directory left in
// /tmp by every run of the suite adds up (hundreds after a day of runs).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const dirs: string[] = [];

/** A new directory in the temp dir, named `prefix` and six random characters, removed after the file's tests. */
export function scratchDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

// Registered as the importing test file loads (jest's module registry is the file's own), so it runs before the file's
// own top-level afterAll hooks: a directory a hook still reads is not a scratch directory.
afterAll(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});
