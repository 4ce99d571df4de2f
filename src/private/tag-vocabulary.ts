/**
 * The tags image builds push and lifecycle presets keep or expire: one vocabulary, so that a repository, its build and
 * its lifecycle policy agree on what a release and a commit image are.
 */

/** Glob matching every semantic-version tag a build pushes (`1.2.3`, `2.0.0-rc.1`): releases. */
export const SEMVER_TAG_GLOB = '*.*.*';

/** The prefix of the commit tag a build pushes by default (`sha-1a2b3c4`). */
export const DEFAULT_COMMIT_TAG_PREFIX = 'sha-';

/** Glob matching the commit tags a build pushes by default. */
export const COMMIT_TAG_GLOB = `${DEFAULT_COMMIT_TAG_PREFIX}*`;
