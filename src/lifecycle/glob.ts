/**
 * ECR tag wildcards: `*` matches zero or more characters, anchored on the whole tag.
 * Compiled once into literal segments, matched with startsWith/indexOf/endsWith (no RegExp, no escaping).
 */
export interface CompiledGlob {
  readonly source: string;
  /** Literal pieces between the wildcards; length is wildcard count + 1. */
  readonly segments: readonly string[];
}

export function compileGlob(pattern: string): CompiledGlob {
  return { source: pattern, segments: pattern.split('*') };
}

export function wildcardCount(pattern: string): number {
  return pattern.split('*').length - 1;
}

export function globMatches(glob: CompiledGlob, text: string): boolean {
  const segs = glob.segments;
  if (segs.length === 1) return text === segs[0];
  const first = segs[0];
  const last = segs[segs.length - 1];
  if (text.length < first.length + last.length) return false;
  if (!text.startsWith(first) || !text.endsWith(last)) return false;
  let pos = first.length;
  const end = text.length - last.length;
  for (let i = 1; i < segs.length - 1; i++) {
    const idx = text.indexOf(segs[i], pos);
    if (idx < 0 || idx + segs[i].length > end) return false;
    pos = idx + segs[i].length;
  }
  return true;
}

/**
 * True when every tag matching `inner` also matches `outer` (sound, not complete).
 * `inner`'s wildcards are treated as a symbol only a wildcard of `outer` can absorb,
 * so a true answer holds for every expansion of `inner`.
 */
export function globCovers(outer: string, inner: string): boolean {
  const o = outer;
  const i = inner;
  // Classic wildcard matching by dynamic programming; a literal '*' in `inner` needs a '*' in `outer`.
  let prev = new Array<boolean>(i.length + 1).fill(false);
  prev[0] = true;
  for (let a = 1; a <= o.length; a++) {
    const cur = new Array<boolean>(i.length + 1).fill(false);
    const oc = o[a - 1];
    if (oc === '*') {
      cur[0] = prev[0];
      for (let b = 1; b <= i.length; b++) cur[b] = prev[b] || cur[b - 1];
    } else {
      for (let b = 1; b <= i.length; b++) cur[b] = prev[b - 1] && i[b - 1] === oc;
    }
    prev = cur;
  }
  return prev[i.length];
}

/** A tag prefix as a pattern: `abc` selects the same tags as `abc*`. */
export function prefixAsPattern(prefix: string): string {
  return `${prefix}*`;
}
