/**
 * Which images each repository of a template is previewed against, and which repository `--repository` picks. Pure.
 *
 * A template names a repository with a plain string, or not at all (CloudFormation then generates the name at deploy
 * time), or with an expression (Ref, Fn::Join, ...) only resolved at deploy time. Only a plain name can be matched
 * with the `repositoryName` of describe-images entries; a repository without one is picked by logical id.
 */
import type { ImageInventory } from './images';
import { InputError, quote } from './input';
import type { TemplatePolicy } from './template';
import { clip } from '../lifecycle/show';
import type { ImageRecord } from '../lifecycle/simulate';

/** What one repository of a template is previewed against. */
export interface MatchedImages {
  readonly images: readonly ImageRecord[];
  /** The repository's name: the template's plain string, else the one repository the images name. */
  readonly repositoryName?: string;
  /** Why it sees no images although the images name repositories. */
  readonly note?: string;
}

/**
 * The images of `repository`: all of them when the entries name no repository (every repository of the template is
 * then previewed against the same images), else those its plain name names. A repository whose name is only known at
 * deploy time gets the images of the one repository they name when it was picked with --repository, and none otherwise.
 */
export function imagesOf(repository: Omit<TemplatePolicy, 'text'>, inventory: ImageInventory, picked: boolean): MatchedImages {
  const byRepository = inventory.byRepository;
  if (byRepository === undefined) return { images: inventory.images, repositoryName: repository.repositoryName };
  const name = repository.repositoryName;
  if (name !== undefined) return { images: byRepository.get(name) ?? [], repositoryName: name };
  if (!picked) {
    return {
      images: [],
      note: 'its name is only known at deploy time, so no images match it by repositoryName; '
        + `preview it alone with --repository ${clip(repository.logicalId, 200)} and the describe-images output of that repository`,
    };
  }
  if (byRepository.size > 1) {
    throw new InputError(`--repository ${quote(repository.logicalId)}: its name is only known at deploy time and the images are of several repositories `
      + `(${[...byRepository.keys()].slice(0, 5).map((n) => clip(n, 100)).join(', ')}); give the describe-images output of that repository alone`);
  }
  const [[repositoryName, images]] = byRepository;
  return { images, repositoryName };
}

/** The repositories the images name that none of `matched` (the repositories previewed) is: their images went unused. */
export function unmatchedImages(inventory: ImageInventory, matched: readonly MatchedImages[]): string | undefined {
  const previewed = new Set(matched.map((m) => m.repositoryName));
  const unused = [...(inventory.byRepository ?? [])].filter(([name]) => !previewed.has(name));
  if (unused.length === 0) return undefined;
  const list = unused.slice(0, 5).map(([name, images]) => `${clip(name, 100)} (${images.length})`).join(', ');
  return `the images of ${unused.length === 1 ? 'repository' : `${unused.length} repositories`} ${list}${unused.length > 5 ? ', ...' : ''} match no repository previewed; `
    + 'check that --images is the describe-images output of the template\'s repositories';
}

/** The repository's own logical id, without its nested stacks'. */
const lastId = (p: TemplatePolicy) => p.logicalId.slice(p.logicalId.lastIndexOf('/') + 1);

/**
 * The repository `wanted` names: its plain name, its logical id with the nested stacks' before it, or its logical id
 * alone when that is unique. Otherwise an input error listing the closest names and ids.
 */
export function pickRepository(policies: readonly TemplatePolicy[], wanted: string, where: string): TemplatePolicy {
  const exact = policies.filter((p) => p.repositoryName === wanted || p.logicalId === wanted);
  const matches = exact.length > 0 ? exact : policies.filter((p) => lastId(p) === wanted);
  if (matches.length === 1) return matches[0];
  if (matches.length > 1) {
    throw new InputError(`--repository ${quote(wanted)}: names ${matches.length} repositories of ${where} (${matches.slice(0, 5).map((p) => clip(p.logicalId, 200)).join(', ')}); `
      + 'give the logical id with its nested stacks');
  }
  const candidates = [...new Set(policies.flatMap((p) => [p.repositoryName, p.logicalId, lastId(p)].filter((c): c is string => c !== undefined)))];
  const closest = closestNames(wanted, candidates, 3);
  throw new InputError(`--repository ${quote(wanted)}: no repository with a lifecycle policy in ${where} has that name or logical id; `
    + `the closest: ${closest.map((c) => clip(c, 200)).join(', ')}`);
}

/** Names beyond any repository name or logical id (256 characters) differ from all of them anyway. */
const MAX_COMPARED = 300;

/** The `count` candidates nearest to `wanted` by edit distance, nearest first, ties in candidate order. */
export function closestNames(wanted: string, candidates: readonly string[], count: number): string[] {
  const target = wanted.slice(0, MAX_COMPARED);
  return candidates.map((c, i) => ({ c, i, d: editDistance(target, c.slice(0, MAX_COMPARED)) }))
    .sort((a, b) => a.d - b.d || a.i - b.i)
    .slice(0, count)
    .map((x) => x.c);
}

/** Levenshtein distance, one row at a time. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row.push(Math.min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1)));
    }
    previous = row;
  }
  return previous[b.length];
}
