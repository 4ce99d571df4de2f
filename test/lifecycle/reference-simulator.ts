/**
 * A deliberately simple lifecycle simulator, written straight from the ECR User Guide's wording with no shared code
 * beyond the input types, for property tests and benchmarks against `simulatePolicy`.
 */
import type { ImageRecord } from '../../src/lifecycle/simulate';
import type { LifecyclePolicyDocument, LifecycleRuleDocument } from '../../src/lifecycle/types';

const DAY = 24 * 60 * 60 * 1000;

function globToRegExp(pattern: string): RegExp {
  const escaped = pattern.split('*').map((part) => part.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&')).join('.*');
  return new RegExp(`^${escaped}$`);
}

function classOf(image: ImageRecord): string | undefined {
  return image.status === 'ACTIVE' ? 'standard' : image.status === 'ARCHIVED' ? 'archive' : undefined;
}

function selected(rule: LifecycleRuleDocument, image: ImageRecord): boolean {
  const s = rule.selection;
  if (classOf(image) !== (s.storageClass ?? 'standard')) return false;
  const tags = image.imageTags;
  if (s.tagStatus === 'any') return true;
  if (s.tagStatus === 'untagged') return tags.length === 0;
  if (tags.length === 0) return false;
  if (s.tagPrefixList) return s.tagPrefixList.every((p) => tags.some((t) => t.startsWith(p)));
  return (s.tagPatternList ?? []).every((p) => tags.some((t) => globToRegExp(p).test(t)));
}

export interface ReferenceAction { readonly digest: string; readonly priority: number; readonly type: string }

export function referenceSimulate(policy: LifecyclePolicyDocument, images: readonly ImageRecord[], now: number): ReferenceAction[] {
  const rules = [...policy.rules].sort((a, b) => a.rulePriority - b.rulePriority);
  const seenBy = new Map<string, Set<string>>(); // digest -> storage classes whose earlier rule selected it
  const actions = new Map<string, ReferenceAction>();
  for (const rule of rules) {
    const cls = rule.selection.storageClass ?? 'standard';
    const matching = images.filter((img) => selected(rule, img));
    let marked: ImageRecord[];
    const n = rule.selection.countNumber;
    switch (rule.selection.countType) {
      case 'imageCountMoreThan': {
        const time = (img: ImageRecord) => img.activatedAt ?? img.pushedAt;
        const byAge = [...matching].sort((a, b) => (time(b) - time(a)) || (a.imageDigest < b.imageDigest ? -1 : 1));
        marked = byAge.slice(n);
        break;
      }
      case 'sinceImagePushed':
        marked = matching.filter((img) => now - img.pushedAt > n * DAY);
        break;
      case 'sinceImagePulled':
        marked = matching.filter((img) => {
          const times = [img.pulledAt, img.activatedAt].filter((t): t is number => t !== undefined);
          const last = times.length > 0 ? Math.max(...times) : img.pushedAt;
          return now - last > n * DAY;
        });
        break;
      default:
        marked = matching.filter((img) => img.archivedAt !== undefined && now - img.archivedAt > n * DAY);
    }
    for (const img of marked) {
      if (seenBy.get(img.imageDigest)?.has(cls)) continue;
      if (actions.has(img.imageDigest)) continue;
      actions.set(img.imageDigest, { digest: img.imageDigest, priority: rule.rulePriority, type: rule.action.type });
    }
    for (const img of matching) seenBy.set(img.imageDigest, new Set([...(seenBy.get(img.imageDigest) ?? []), cls]));
  }
  return [...actions.values()].sort((a, b) => (a.digest < b.digest ? -1 : a.digest > b.digest ? 1 : 0));
}
