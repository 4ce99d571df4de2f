/**
 * The tag strategy: which tags a build pushes, rendered as a POSIX shell prelude that computes them from CodeBuild's
 * variables at build time. Pure (no construct dependency); the unit tests run the rendered prelude with `sh`.
 */

/** Semantic version 2.0.0 without build metadata (`+` is not allowed in image tags). */
const SEMVER_PATTERN = '^(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)(-[0-9A-Za-z-]+(\\.[0-9A-Za-z-]+)*)?$';
/**
 * The longest tag a build can push: Docker refuses tags over 128 characters, though ECR itself takes 300. The build
 * script refuses them too, but only at build time; the construct checks every tag it can know at synth.
 */
export const DOCKER_TAG_MAX_LENGTH = 128;


export interface TagPreludeOptions {
  /** Variable holding the full commit SHA. */
  readonly commitShaVariable: string;
  /** Characters of the SHA kept in the tag (7-40). */
  readonly commitShaLength: number;
  /** Prefix of the commit tag, e.g. `sha-`. */
  readonly commitTagPrefix: string;
  /** Variable that may hold a version set by the caller (start-build override or pipeline). */
  readonly versionVariable: string;
  /** Take the version from a pushed git tag `vX.Y.Z` (CodeBuild webhook `tag/vX.Y.Z`). */
  readonly versionFromGitTag: boolean;
}

const q = (s: string) => `'${s.replace(/'/g, "'\\''")}'`;

/**
 * Shell lines that export IMAGE_TAGS: the short commit SHA tag, then the semantic version when one is given
 * (from the version variable, else from a `v*` git tag). Fails the build on a missing or malformed SHA or version.
 */
export function renderTagPrelude(o: TagPreludeOptions): string {
  return [
    `sha="\${${o.commitShaVariable}:-}"`,
    'case "$sha" in',
    `  *[!0-9a-f]*|'') echo "image tags: ${o.commitShaVariable} is not a commit SHA: '$sha'" >&2; exit 1 ;;`,
    'esac',
    `if [ "\${#sha}" -lt ${o.commitShaLength} ]; then echo "image tags: commit SHA '$sha' is shorter than ${o.commitShaLength}" >&2; exit 1; fi`,
    `IMAGE_TAGS=${q(o.commitTagPrefix)}"$(printf '%.${o.commitShaLength}s' "$sha")"`,
    `version="\${${o.versionVariable}:-}"`,
    ...(o.versionFromGitTag ? ['if [ -z "$version" ]; then', '  case "${CODEBUILD_WEBHOOK_TRIGGER:-}" in tag/v*) version="${CODEBUILD_WEBHOOK_TRIGGER#tag/v}" ;; esac', 'fi'] : []),
    'if [ -n "$version" ]; then',
    `  if ! printf '%s\\n' "$version" | grep -Eq ${q(SEMVER_PATTERN)}; then`,
    '    echo "image tags: version \'$version\' is not a semantic version such as 1.2.3 or 1.2.3-rc.1" >&2; exit 1',
    '  fi',
    '  IMAGE_TAGS="$IMAGE_TAGS $version"',
    'fi',
    'export IMAGE_TAGS',
  ].join('\n');
}

/** Whether `version` is a semantic version this strategy accepts as a tag. */
export function isSemver(version: string): boolean {
  return new RegExp(SEMVER_PATTERN).test(version);
}

/** The architecture part of a platform as it appears in tags: `linux/arm64` -> `arm64`, `linux/arm/v7` -> `arm-v7`. */
export function platformTagSuffix(platform: string): string {
  return platform.split('/').slice(1).join('-');
}

/**
 * The tags a registry cache writes: `tag` for one platform, `<tag>-<arch>` per platform for several (the build script
 * caches each platform's build under CACHE_REF-<arch>).
 */
export function registryCacheTags(tag: string, platforms: readonly string[]): string[] {
  return platforms.length === 1 ? [tag] : platforms.map((p) => `${tag}-${platformTagSuffix(p)}`);
}
