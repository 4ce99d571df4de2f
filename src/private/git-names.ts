/** Git's and GitHub's rules for names, as pure checks. */

/** GitHub's rules: owners are 1-39 letters, digits and single inner hyphens; repositories 1-100 of `A-Za-z0-9._-`. */
export const GITHUB_OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;
export const GITHUB_REPOSITORY = /^[A-Za-z0-9._-]{1,100}$/;
/** What git refuses in a ref name (git check-ref-format), besides `*` and `?`, checked on their own. */
const REF_FORBIDDEN = /[\s~^:[\\\x00-\x1f\x7f]|\.\.|@\{|\/\/|^\/|\/$|\.lock(\/|$)|^@$|^\.|\/\.|\.$/;
/** GitHub's longest ref name. */
const MAX_REF_LENGTH = 255;

/**
 * Whether git takes `name` as a branch or tag name; with `wildcards`, `*` and `?` are allowed too, as the IAM
 * wildcards of a pattern that matches such names.
 */
export function isGitRefName(name: string, wildcards: boolean): boolean {
  return name.length > 0 && name.length <= MAX_REF_LENGTH && !REF_FORBIDDEN.test(name) && (wildcards || !/[*?]/.test(name));
}
