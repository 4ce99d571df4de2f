// docs/architecture.dot is generated from the synthesized reference app by scripts/diagram.ts; a change to the stacks
// that changes the picture must come with the regenerated diagram.
import * as fs from 'fs';
import { DOT_FILE, referenceArchitectureDot } from '../../scripts/diagram';

jest.setTimeout(2 * 60_000);

let dot: string;

beforeAll(() => {
  dot = referenceArchitectureDot();
});

test('the committed docs/architecture.dot is what scripts/diagram.ts draws from the app today', () => {
  const committed = fs.existsSync(DOT_FILE) ? fs.readFileSync(DOT_FILE, 'utf8') : '';
  if (committed !== dot) {
    const [was, now] = [committed.split('\n'), dot.split('\n')];
    const differs = now.findIndex((l, i) => l !== was[i]);
    const line = differs < 0 ? now.length : differs;
    throw new Error('docs/architecture.dot is stale: run `npx ts-node --transpile-only scripts/diagram.ts` and commit docs/architecture.dot '
      + `and docs/architecture.png. First difference, line ${line + 1}:\n  committed: ${was[line] ?? '(none)'}\n  now:       ${now[line] ?? '(none)'}`);
  }
});

test('one cluster per stack, and the cross-stack pulls from the registry by repository name', () => {
  expect([...dot.matchAll(/subgraph "cluster_([^"/]+)"/g)].map((m) => m[1])).toEqual(['Delivery', 'Ecs-dev', 'Eks-dev', 'Lambda-dev', 'Registry', 'Registry-eu-central-1']);
  // Replication into the second region's copies (and its template for copies not declared yet), and the builds' base
  // images through the caches.
  expect([...dot.matchAll(/"Registry\/[^"]+" -> "Registry-eu-central-1\/(\w+?)[0-9A-F]{8}" \[label="replicates"/g)].map((m) => m[1]))
    .toEqual(['RegistryTemplateplatform', 'catalogRepository', 'resizerRepository', 'storefrontRepository']);
  expect([...dot.matchAll(/"Registry\/RegistryCache(\w+?)[0-9A-F]{8}" -> "Registry\/(\w+?)BuildProject[0-9A-F]{8}" \[label="pull"\]/g)].map((m) => `${m[1]} ${m[2]}`))
    .toEqual(['dockerhub catalog', 'dockerhub resizer', 'dockerhub storefront', 'ecrpublic catalog', 'ecrpublic resizer', 'ecrpublic storefront']);
  // Dashed edges cross stacks: from a Registry repository to a workload.
  const crossStack = [...dot.matchAll(/"(Registry\/[^"]+)" -> "((?:Ecs|Eks)-dev\/[^"]+)" \[label="([^"]+)", style=dashed/g)].map((m) => m[3]);
  // The Lambda function runs its repository's image by digest, never a tag.
  expect(dot).toMatch(/"Registry\/resizerRepository[0-9A-F]{8}" -> "Lambda-dev\/ServiceFunction[0-9A-F]{8}" \[label="runs digest", style=dashed/);
  expect(crossStack.some((label) => label.includes('pull'))).toBe(true);
  // Every workload runs a digest (its release record), never a tag.
  expect(crossStack.filter((label) => label.includes('runs')).sort()).toEqual(['pull, runs digest', 'runs digest']);
});

test('each service\'s pipeline: the connection, the registry\'s build for the build and every promotion, and the release of what dev runs', () => {
  for (const [service, workload] of [['storefront', 'Ecs-dev/Service'], ['catalog', 'Eks-dev/ClustermanifestWorkload'], ['resizer', 'Lambda-dev/ServiceFunction']]) {
    const pipeline = new RegExp(`"Delivery/${service}PromotionPipeline[0-9A-F]{8}"`);
    const edges = [...dot.matchAll(new RegExp('^  "([^"]+)" -> "([^"]+)" \\[label="([^"]+)"', 'gm'))]
      .filter((m) => pipeline.test(`"${m[1]}"`) || pipeline.test(`"${m[2]}"`))
      .map((m) => `${m[1].replace(/[0-9A-F]{8}$/, '')} -> ${m[2].replace(/[0-9A-F]{8}$/, '')}: ${m[3]}`);
    const kind = workload.split('-')[0];
    expect(edges).toEqual([
      `Delivery/Connection -> Delivery/${service}PromotionPipeline: source example-org/${service}`,
      `Delivery/${service}PromotionPipeline -> Delivery/${service}PromotionReleasedev: Promote-dev: Release-${kind}-dev`,
      `Delivery/${service}PromotionPipeline -> ${workload}: Promote-dev: releases digest`,
      `Delivery/${service}PromotionPipeline -> Registry/${service}BuildProject: Build: Build, Promote-prod: Promote, Promote-staging: Promote`,
    ]);
  }
});
