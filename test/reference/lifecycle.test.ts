// A year of a service's life against the reference repository's lifecycle policy, replayed with the library's
// simulator day by day: every day a build pushes a commit image and points dev at it, every week the day's commit is
// released (1.N.0) and promoted to staging, every two weeks staging is promoted to prod; each night the policy runs
// and the images it expires are gone. The repository must stay bounded while no image an environment runs goes.
import { referencePlatform } from './platform';
import { LifecycleImage } from '../../src';
import { ImageRepository } from '../../src/repository/repository';

const DAY_MS = 24 * 60 * 60 * 1000;
const START = Date.UTC(2026, 0, 1);
const DAYS = 365;
const KEEP_RELEASES = 30;
const KEEP_COMMITS = 50;

interface Image { digest: string; tags: Set<string>; pushedAt: number }

function replayYear(repository: ImageRepository) {
  const images = new Map<string, Image>();
  const points = new Map<string, string>();
  let maxImages = 0;
  let expired = 0;
  const releases: string[] = [];
  const move = (tag: string, digest: string) => {
    const previous = points.get(tag);
    if (previous) images.get(previous)?.tags.delete(tag);
    images.get(digest)!.tags.add(tag);
    points.set(tag, digest);
  };
  for (let day = 0; day < DAYS; day++) {
    const digest = `sha256:${day.toString(16).padStart(64, '0')}`;
    images.set(digest, { digest, tags: new Set([`sha-${day.toString(16).padStart(7, '0')}`]), pushedAt: START + day * DAY_MS + 10 * 3600_000 });
    move('dev', digest);
    if (day % 7 === 6) {
      const version = `1.${releases.length}.0`;
      images.get(digest)!.tags.add(version);
      releases.push(digest);
      move('staging', digest);
    }
    if (day % 14 === 13) move('prod', points.get('staging')!);
    maxImages = Math.max(maxImages, images.size);

    const inventory: LifecycleImage[] = [...images.values()]
      .map((i) => ({ imageDigest: i.digest, imageTags: [...i.tags], imagePushedAt: new Date(i.pushedAt) }));
    const preview = repository.lifecyclePolicy.simulate(inventory, new Date(START + day * DAY_MS + 23 * 3600_000));
    for (const result of preview.previewResults) {
      expect(result.action.type).toBe('EXPIRE');
      images.delete(result.imageDigest);
      expired++;
    }
    // Never an image an environment runs.
    for (const [tag, running] of points) {
      if (!images.has(running)) throw new Error(`day ${day}: the image ${tag} runs (${running}) was expired`);
    }
  }
  return { images, points, maxImages, expired, releases };
}

describe('the reference repositories\' lifecycle over a year of builds, releases and promotions', () => {
  const repository = referencePlatform().platform.registry.repository('storefront') as ImageRepository;
  const year = replayYear(repository);

  test('the policy is the recommended one in the build\'s tags: environments anchored, newest releases and commits kept', () => {
    expect(repository.lifecyclePolicy.toDocument().rules.map((r) => r.description)).toEqual([
      'Retain every image tagged dev', 'Retain every image tagged staging', 'Retain every image tagged prod',
      `Keep the newest ${KEEP_RELEASES} images tagged *.*.*; expire older ones`,
      `Keep the newest ${KEEP_COMMITS} images tagged sha-*; expire older ones`,
      'Expire untagged images pushed more than 14 days ago',
    ]);
  });

  test('the number of images stays bounded: the newest releases, the newest commits and what the environments run', () => {
    // 365 commit images were pushed; the bound is reached, and held.
    expect(year.expired).toBe(DAYS - year.images.size);
    expect(year.images.size).toBeLessThanOrEqual(KEEP_RELEASES + KEEP_COMMITS + 3);
    expect(year.maxImages).toBeLessThanOrEqual(KEEP_RELEASES + KEEP_COMMITS + 3 + 1);
    expect(year.expired).toBeGreaterThan(250);
  });

  test('what the environments run, the newest releases and the newest commits are all still there', () => {
    for (const digest of year.points.values()) expect(year.images.has(digest)).toBe(true);
    for (const digest of year.releases.slice(-KEEP_RELEASES)) expect(year.images.has(digest)).toBe(true);
    // The newest 50 commit images, whatever else they carry (ECR counts the images an earlier rule claimed, too).
    for (let day = DAYS - KEEP_COMMITS; day < DAYS; day++) expect(year.images.has(`sha256:${day.toString(16).padStart(64, '0')}`)).toBe(true);
    // And no older commit image without a release or an environment.
    const older = [...year.images.values()].filter((i) => i.pushedAt < START + (DAYS - KEEP_COMMITS) * DAY_MS);
    expect(older.filter((i) => ![...i.tags].some((t) => /^\d+\.\d+\.\d+$/.test(t) || ['dev', 'staging', 'prod'].includes(t)))).toEqual([]);
    // Older releases than the newest 30 are gone unless an environment still runs them.
    const running = new Set(year.points.values());
    for (const digest of year.releases.slice(0, -KEEP_RELEASES)) expect(year.images.has(digest)).toBe(running.has(digest));
  });
});
