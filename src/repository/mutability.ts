import { compileGlob, globMatches } from '../lifecycle/glob';

/** Whether ECR lets a push move `tag` to another image, given a repository's tag mutability and its exclusion filters. */
export function canOverwriteTag(tag: string, mutability: string, exclusions: readonly string[]): boolean {
  const excluded = exclusions.some((filter) => globMatches(compileGlob(filter), tag));
  switch (mutability) {
    case 'MUTABLE': return true;
    case 'IMMUTABLE_WITH_EXCLUSION': return excluded;
    case 'MUTABLE_WITH_EXCLUSION': return !excluded;
    default: return false;
  }
}
