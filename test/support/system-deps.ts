/**
 * Rehearsals need programs npm does not install (a registry, podman, moto; scripts/install-system-deps.sh installs
 * them on Debian). Without them a rehearsal is skipped, its title naming what it needs, so the rest of the suite still
 * runs on any machine; under CI=true it fails instead, because a rehearsal that silently did not run proves nothing.
 */
export function describeNeeding(missing: string | undefined, name: string, body: () => void): void {
  if (missing === undefined) {
    describe(name, body);
  } else if (process.env.CI === 'true') {
    describe(name, () => {
      test('has what it needs', () => {
        throw new Error(`${name} cannot run: it needs ${missing}. CI=true fails rather than skips a rehearsal.`);
      });
    });
  } else {
    // Said where a developer looks: the run's output, not only the report of skipped tests.
    console.warn(`${name}: skipped, it needs ${missing}`);
    describe.skip(`${name} [skipped: needs ${missing}]`, body);
  }
}
