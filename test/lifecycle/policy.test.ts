import { Duration, Token } from 'aws-cdk-lib';
import { ActionType, CountType, ImageStatus, LifecycleImage, LifecyclePolicy, LifecyclePresets, LifecycleRule, RecommendedLifecyclePolicyProps, TagStatus } from '../../src';

const NOW = new Date('2026-11-27T00:00:00Z');
const daysAgo = (d: number) => new Date(NOW.getTime() - d * 86_400_000);
const image = (imageDigest: string, imageTags: string[], age: number, extra: Partial<LifecycleImage> = {}): LifecycleImage =>
  ({ imageDigest, imageTags, imagePushedAt: daysAgo(age), ...extra });
const actedOn = (policy: LifecyclePolicy, images: LifecycleImage[]) =>
  policy.simulate(images, NOW).previewResults.map((r) => `${r.imageDigest}:${r.action.type}:${r.appliedRulePriority}`);

describe('LifecycleRule builders', () => {
  test.each<[string, LifecycleRule, object]>([
    ['expire by count', LifecycleRule.expire({ tagPatternList: ['v*'], maxImageCount: 5 }),
      { tagStatus: 'tagged', tagPatternList: ['v*'], countType: 'imageCountMoreThan', countNumber: 5 }],
    ['expire by age', LifecycleRule.expire({ tagStatus: TagStatus.UNTAGGED, maxImageAge: Duration.days(7) }),
      { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 7 }],
    ['archive idle', LifecycleRule.archive({ tagStatus: TagStatus.ANY, maxIdleTime: Duration.days(90) }),
      { tagStatus: 'any', countType: 'sinceImagePulled', countUnit: 'days', countNumber: 90 }],
    ['archive by prefix count', LifecycleRule.archive({ tagPrefixList: ['release-'], maxImageCount: 10 }),
      { tagStatus: 'tagged', tagPrefixList: ['release-'], countType: 'imageCountMoreThan', countNumber: 10 }],
    ['expire archived', LifecycleRule.expireArchived({ tagStatus: TagStatus.ANY, archivedFor: Duration.days(365) }),
      { tagStatus: 'any', storageClass: 'archive', countType: 'sinceImageTransitioned', countUnit: 'days', countNumber: 365 }],
    ['retain anchor', LifecycleRule.retain({ tagPatternList: ['prod*'] }),
      { tagStatus: 'tagged', tagPatternList: ['prod*'], countType: 'imageCountMoreThan', countNumber: 100_000 }],
  ])('%s renders ECR\'s selection', (_name, rule, selection) => {
    const rendered = new LifecyclePolicy({ rules: [rule] }).toDocument().rules[0];
    expect(rendered.selection).toEqual(selection);
    expect(rendered.action.type).toEqual(rule.document.action.type);
  });

  test('a transition targets the archive', () => {
    expect(LifecycleRule.archive({ tagStatus: TagStatus.ANY, maxIdleTime: Duration.days(30) }).document.action)
      .toEqual({ type: 'transition', targetStorageClass: 'archive' });
  });

  test.each<[string, LifecycleRule, string[]]>([
    ['two limits', LifecycleRule.expire({ tagPatternList: ['a*'], maxImageCount: 3, maxImageAge: Duration.days(2) }),
      ["rule 1: LifecycleRule.expire(): got 'maxImageCount' and 'maxImageAge'; set exactly one of 'maxImageCount', 'maxImageAge'."]],
    ['no limit', LifecycleRule.archive({ tagPatternList: ['a*'] }),
      ["rule 1: LifecycleRule.archive(): got no limit; set exactly one of 'maxImageCount', 'maxImageAge', 'maxIdleTime'."]],
    ['no selection', LifecycleRule.expire({ maxImageCount: 3 }),
      ["rule 1: LifecycleRule.expire(): got neither 'tagStatus' nor a tag list; say which images the rule selects, for example tagPatternList: ['dev-*'] or tagStatus: TagStatus.UNTAGGED."]],
    ['fractional days', LifecycleRule.archive({ tagStatus: TagStatus.ANY, maxIdleTime: Duration.hours(36) }),
      ["rule 1: LifecycleRule.archive(): 'maxIdleTime': got 1 day 12 hours; ECR counts whole days. Use Duration.days(n)."]],
    ['archive expiry under 90 days', LifecycleRule.expireArchived({ tagStatus: TagStatus.ANY, archivedFor: Duration.days(30) }),
      ["rule 1: LifecycleRule.expireArchived(): prop 'archivedFor': got 30 days; ECR's selection.countNumber: archived images have a 90-day minimum storage duration. Use 90 days or more."]],
    ['too many wildcards', LifecycleRule.expire({ tagPatternList: ['*a*b*c*d*'], maxImageCount: 1 }),
      ["rule 1: LifecycleRule.expire(): prop 'tagPatternList[0]': got \"*a*b*c*d*\"; ECR's selection.tagPatternList[0]: has 5 wildcards; ECR allows at most 4 per pattern. Simplify it."]],
    ['no images kept', LifecycleRule.expire({ tagStatus: TagStatus.UNTAGGED, maxImageCount: 0 }),
      ["rule 1: LifecycleRule.expire(): prop 'maxImageCount': got 0; ECR's selection.countNumber: must be a positive whole number (0 is not accepted)."]],
    ['explicit priority 0', LifecycleRule.expire({ tagStatus: TagStatus.UNTAGGED, maxImageCount: 1, rulePriority: 0 }),
      ["rule 0: LifecycleRule.expire(): prop 'rulePriority': got 0; ECR's rulePriority: must be a whole number of at least 1. Give every rule a unique priority; lower numbers apply first."]],
    ['retain anchor too small', LifecycleRule.retain({ tagPatternList: ['prod'], maxImagesPerRepository: 0 }),
      ["rule 1 (\"Retain every image tagged prod\"): LifecycleRule.retain(): prop 'maxImagesPerRepository': got 0; ECR's selection.countNumber: must be a positive whole number (0 is not accepted)."]],
  ])('Noncompliance: %s', (_name, rule, expected) => {
    expect(new LifecyclePolicy({ rules: [rule] }).validate()).toEqual(expected);
  });

  // A preset's problems name the preset option the user wrote; ECR's field stays as the reason.
  test.each<[string, RecommendedLifecyclePolicyProps, string[]]>([
    ['keepReleases', { keepReleases: -1 },
      ["rule 1: LifecyclePresets.recommended(): prop 'keepReleases': got -1; ECR's selection.countNumber: must be a positive whole number (0 is not accepted)."]],
    ['keepCommits', { keepCommits: 0 },
      ["rule 2: LifecyclePresets.recommended(): prop 'keepCommits': got 0; ECR's selection.countNumber: must be a positive whole number (0 is not accepted)."]],
    ['expireArchivedAfter', { archiveAfterIdle: Duration.days(30), expireArchivedAfter: Duration.days(30) },
      ["rule 5: LifecyclePresets.recommended(): prop 'expireArchivedAfter': got 30 days; ECR's selection.countNumber: archived images have a 90-day minimum storage duration. Use 90 days or more."]],
    ['releaseTagPatterns entry', { releaseTagPatterns: ['v*', 'a b'] },
      ["rule 2: LifecyclePresets.recommended(): prop 'releaseTagPatterns[1]': got \"a b\"; ECR's selection.tagPatternList[0]: can never match: image tags use only letters, digits, '_', '.' and '-'. Fix the characters."]],
    ['protectedTags entry', { protectedTags: ['prod', 'x/y'] },
      ["rule 2 (\"Retain every image tagged x/y\"): LifecyclePresets.recommended(): prop 'protectedTags[1]': got \"x/y\"; ECR's selection.tagPatternList[0]: can never match: image tags use only letters, digits, '_', '.' and '-'. Fix the characters."]],
  ])('Noncompliance: recommended %s', (_name, props, expected) => {
    expect(LifecyclePresets.recommended(props).validate()).toEqual(expected);
  });

  test('a rule read from ECR JSON speaks ECR fields', () => {
    const rule = LifecycleRule.fromDocument({
      rulePriority: 1,
      selection: { tagStatus: TagStatus.UNTAGGED, countType: CountType.IMAGE_COUNT_MORE_THAN, countNumber: 0 },
      action: { type: ActionType.EXPIRE },
    });
    expect(new LifecyclePolicy({ rules: [rule] }).validate()).toEqual(['rule 1: selection.countNumber: got 0; must be a positive whole number (0 is not accepted).']);
  });

  test.each<[string, LifecycleRule, string]>([
    ['a NaN count', LifecycleRule.expire({ tagStatus: TagStatus.UNTAGGED, maxImageCount: NaN }),
      "rule 1: LifecycleRule.expire(): prop 'maxImageCount': got NaN; ECR's selection.countNumber: must be a positive whole number (0 is not accepted)."],
    ['a NaN age', LifecycleRule.expire({ tagStatus: TagStatus.UNTAGGED, maxImageAge: Duration.days(NaN) }),
      "rule 1: LifecycleRule.expire(): 'maxImageAge': got NaN days; ECR counts whole days. Use Duration.days(n)."],
    ['a count of 2^31', LifecycleRule.expire({ tagStatus: TagStatus.UNTAGGED, maxImageCount: 2 ** 31 }),
      "rule 1: LifecycleRule.expire(): prop 'maxImageCount': got 2147483648; ECR's selection.countNumber: must be at most 2147483647, the largest integer ECR stores. Use a smaller number."],
    ['a priority of 1e20', LifecycleRule.expire({ tagStatus: TagStatus.UNTAGGED, maxImageCount: 1, rulePriority: 1e20 }),
      "rule 100000000000000000000: LifecycleRule.expire(): prop 'rulePriority': got 100000000000000000000; ECR's rulePriority: must be at most 2147483647, the largest integer ECR stores. Use a smaller number."],
  ])('Noncompliance, numbers ECR cannot store: %s', (_name, rule, expected) => {
    expect(new LifecyclePolicy({ rules: [rule] }).validate()).toEqual([expected]);
  });

  test('unresolved tokens are not validated', () => {
    const count = Token.asNumber({ Ref: 'KeepCount' });
    expect(new LifecyclePolicy({ rules: [LifecycleRule.expire({ tagPatternList: ['v*'], maxImageCount: count })] }).validate()).toEqual([]);
  });
});

describe('LifecyclePolicy', () => {
  test('numbers rules without priority after the explicit ones, any rules last', () => {
    const policy = new LifecyclePolicy({
      rules: [
        LifecycleRule.archive({ tagStatus: TagStatus.ANY, maxIdleTime: Duration.days(90) }),
        LifecycleRule.expire({ tagPatternList: ['v*'], maxImageCount: 3, rulePriority: 10 }),
        LifecycleRule.expire({ tagStatus: TagStatus.UNTAGGED, maxImageAge: Duration.days(1) }),
      ],
    });
    expect(policy.toDocument().rules.map((r) => [r.rulePriority, r.selection.tagStatus])).toEqual([[10, 'tagged'], [11, 'untagged'], [12, 'any']]);
    expect(policy.validate()).toEqual([]);
  });

  test('renders ECR\'s field order, generated descriptions and no empty fields', () => {
    const policy = new LifecyclePolicy();
    policy.addRule(LifecycleRule.expire({ tagStatus: TagStatus.UNTAGGED, maxImageAge: Duration.days(14) }));
    expect(policy.toJson()).toEqual('{"rules":[{"rulePriority":1,"description":"Expire untagged images pushed more than 14 days ago",'
      + '"selection":{"tagStatus":"untagged","countType":"sinceImagePushed","countUnit":"days","countNumber":14},"action":{"type":"expire"}}]}');
  });

  test('a rendered policy is never below ECR\'s 100-character minimum', () => {
    const tiny = new LifecyclePolicy({ rules: [LifecycleRule.expire({ tagStatus: TagStatus.UNTAGGED, maxImageCount: 1, description: 'x' })] });
    expect(tiny.toJson().length).toBeGreaterThanOrEqual(100);
    expect(tiny.validate()).toEqual([]);
  });

  test('rejects a policy text above 30,720 characters', () => {
    const rules = Array.from({ length: 50 }, (_, i) => LifecycleRule.expire({ tagPrefixList: [`team${i}-`], maxImageCount: 5, description: 'd'.repeat(500) }));
    expect(new LifecyclePolicy({ rules }).validate()).toEqual([
      'policy: text: got 33792 characters; ECR allows at most 30720. Shorten descriptions or merge rules with tag patterns.',
    ]);
  });

  test('an empty policy is rejected', () => {
    expect(new LifecyclePolicy().validate()).toEqual([
      'policy: rules: got an empty list; ECR needs at least one rule. Add a rule or remove the lifecycle policy.',
      'policy: text: got 12 characters; ECR needs at least 100. Add rule descriptions.',
    ]);
  });

  const existing = '{"rules":[{"rulePriority":1,"selection":{"tagStatus":"untagged","countType":"imageCountMoreThan","countNumber":1},"action":{"type":"expire"}}]}';
  test.each([
    ['the policy text', existing],
    ['aws ecr get-lifecycle-policy output', JSON.stringify({ registryId: '123456789012', repositoryName: 'app', lifecyclePolicyText: existing })],
  ])('reads %s', (_name, text) => {
    const policy = LifecyclePolicy.fromJson(text);
    expect(policy.validate()).toEqual([]);
    expect(JSON.parse(policy.toJson()).rules[0].selection).toEqual(JSON.parse(existing).rules[0].selection);
  });

  test('round-trips its own output', () => {
    const original = LifecyclePresets.recommended({ shortLivedTagPatterns: ['dev-*'], archiveAfterIdle: Duration.days(180), expireArchivedAfter: Duration.days(365) });
    expect(LifecyclePolicy.fromJson(original.toJson()).toJson()).toEqual(original.toJson());
  });

  const deep = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;
  const tooDeep = (at: number) => `nested deeper than 64 levels at character ${at}; no lifecycle policy, describe-images output or template nests that deep`;
  test.each([
    ['not JSON', '{rules:', "invalid JSON: Expected property name or '}' in JSON at position 1"],
    ['no rules array', '{"rule": []}', 'expected a lifecycle policy {"rules": [...]} or the output of aws ecr get-lifecycle-policy {"lifecyclePolicyText": "..."}'],
    ['policy text not a string', '{"lifecyclePolicyText": 5}', "'lifecyclePolicyText' must be a string holding the policy JSON"],
    ['policy text not JSON', '{"lifecyclePolicyText": "{"}', "'lifecyclePolicyText': invalid JSON: Expected property name or '}' in JSON at position 1"],
    ['65 levels', `{"rules": ${deep(64)}}`, tooDeep(10 + 64)],
    ['100,000 levels', deep(100_000), tooDeep(65)],
    ['a policy text 65 levels deep', JSON.stringify({ lifecyclePolicyText: deep(65) }), `'lifecyclePolicyText': ${tooDeep(65)}`],
  ])('fromJson rejects %s', (_name, text, message) => {
    expect(() => LifecyclePolicy.fromJson(text)).toThrow(new Error(message));
  });

  test('fromJson reads 64 levels, and brackets in strings (escaped quotes included) do not count', () => {
    const description = `\\"${'['.repeat(100)}`;
    const text = `{"rules": [{"rulePriority": 1, "description": "${description}", "selection": {"tagStatus": "untagged", "countType": "imageCountMoreThan", "countNumber": 1}, `
      + `"action": {"type": "expire"}, "x": ${deep(60)}}]}`;
    expect(LifecyclePolicy.fromJson(text).validate()).toEqual([
      `rule 1 (""${'['.repeat(96)}..."): x: got `
        + `${deep(60).slice(0, 97)}...; unknown field; ECR accepts rulePriority, description, selection, action. Remove it.`,
    ]);
  });

  test.each([
    ['an invalid Date', [image('a', [], 1, { imagePushedAt: new Date('not a date') })], 'image a: a timestamp is an invalid Date'],
    ['a digest twice', [image('a', [], 1), image('a', [], 2)], 'images: a digest is listed twice; ECR lists each image once'],
  ])('simulate refuses %s', (_name, images, message) => {
    const policy = new LifecyclePolicy({ rules: [LifecyclePresets.expireUntagged(Duration.days(1))] });
    expect(() => policy.simulate(images, NOW)).toThrow(message);
  });

  test('simulate refuses an invalid policy', () => {
    expect(() => new LifecyclePolicy().simulate([], NOW)).toThrow('cannot simulate an invalid lifecycle policy:\n  policy: rules: got an empty list');
  });
});

describe('protected-tags guard', () => {
  const devRule = () => LifecycleRule.expire({ tagPatternList: ['dev-*'], maxImageAge: Duration.days(7) });

  test.each<[string, LifecycleRule[], string[], string[]]>([
    ['a dev rule could expire a promoted image that also carries prod', [devRule()], ['prod*'],
      ["rule 1 (\"Expire images tagged dev-* pushed more than 7 days ago\"): could expire images tagged 'prod*', which are protected. Add LifecycleRule.retain({ tagPatternList: ['prod*'] }) before it, or stop protecting 'prod*'."]],
    ['an any rule could archive protected images', [LifecycleRule.archive({ tagStatus: TagStatus.ANY, maxIdleTime: Duration.days(90) })], ['v*.*.*'],
      ["rule 1 (\"Archive images not pulled for more than 90 days\"): could archive images tagged 'v*.*.*', which are protected. Add LifecycleRule.retain({ tagPatternList: ['v*.*.*'] }) before it, or stop protecting 'v*.*.*'."]],
    ['a count rule over the protected tags themselves', [LifecycleRule.expire({ tagPatternList: ['prod*'], maxImageCount: 50 })], ['prod-eu*'],
      ["rule 1 (\"Keep the newest 50 images tagged prod*; expire older ones\"): could expire images tagged 'prod-eu*', which are protected. Add LifecycleRule.retain({ tagPatternList: ['prod-eu*'] }) before it, or stop protecting 'prod-eu*'."]],
    ['an anchor placed after the rule it should shield from', [devRule(), LifecycleRule.retain({ tagPatternList: ['prod*'] })], ['prod*'],
      ["rule 1 (\"Expire images tagged dev-* pushed more than 7 days ago\"): could expire images tagged 'prod*', which are protected. Add LifecycleRule.retain({ tagPatternList: ['prod*'] }) before it, or stop protecting 'prod*'."]],
    ['an anchor narrower than the protected pattern', [LifecycleRule.retain({ tagPatternList: ['prod-eu*'] }), devRule()], ['prod*'],
      ["rule 2 (\"Expire images tagged dev-* pushed more than 7 days ago\"): could expire images tagged 'prod*', which are protected. Add LifecycleRule.retain({ tagPatternList: ['prod*'] }) before it, or stop protecting 'prod*'."]],
    ['an archive rule over tagged images', [LifecycleRule.expireArchived({ tagStatus: TagStatus.ANY, archivedFor: Duration.days(365) })], ['prod*'],
      ["rule 1 (\"Expire images archived more than 365 days ago\"): could expire archived images tagged 'prod*' (archived by hand), which are protected, and ECR offers no way to shield archived images. Make this rule select untagged images only, or stop protecting 'prod*'."]],
  ])('Noncompliance: %s', (_name, rules, protectedTags, expected) => {
    expect(new LifecyclePolicy({ rules, protectedTags }).validate()).toEqual(expected);
  });

  test.each<[string, LifecycleRule[], string[]]>([
    ['untagged rules never touch tagged images', [LifecyclePresets.expireUntagged(Duration.days(1))], ['*']],
    ['an anchor shields prod images from every later rule', [LifecycleRule.retain({ tagPatternList: ['prod*'] }), devRule(),
      LifecycleRule.archive({ tagStatus: TagStatus.ANY, maxIdleTime: Duration.days(30) })], ['prod*', 'prod-eu-*']],
    ['a prefix anchor covers the pattern', [LifecycleRule.retain({ tagPrefixList: ['v'] }), devRule()], ['v*.*.*']],
  ])('Compliance: %s', (_name, rules, protectedTags) => {
    expect(new LifecyclePolicy({ rules, protectedTags }).validate()).toEqual([]);
  });

  test('protected patterns no tag could match are refused, and the guard waits for them', () => {
    const policy = new LifecyclePolicy({ rules: [devRule()], protectedTags: ['prod*', '', 'p'.repeat(301)] });
    expect(policy.validate()).toEqual([
      'policy: protectedTags[1]: got ""; an empty pattern matches no tag. Remove it or name the tags to protect.',
      `policy: protectedTags[2]: got "${'p'.repeat(96)}...; has 301 characters; image tags have at most 300, and so may the patterns that protect them. Shorten it.`,
    ]);
  });

  test('a protected pattern of 300 characters is guarded', () => {
    const pattern = `prod${'*'.repeat(296)}`;
    expect(new LifecyclePolicy({ rules: [devRule()], protectedTags: [pattern] }).validate()).toEqual([
      `rule 1 ("Expire images tagged dev-* pushed more than 7 days ago"): could expire images tagged '${pattern}', which are protected. `
        + `Add LifecycleRule.retain({ tagPatternList: ['${pattern}'] }) before it, or stop protecting '${pattern}'.`,
    ]);
  });

  test('protectTags adds patterns after construction', () => {
    const policy = new LifecyclePolicy({ rules: [devRule()] });
    expect(policy.validate()).toEqual([]);
    policy.protectTags('prod');
    expect(policy.validate()).toHaveLength(1);
  });
});

describe('LifecyclePresets: what each keeps and removes', () => {
  test('keepNewestReleases keeps the newest N per pattern', () => {
    const policy = new LifecyclePolicy({ rules: LifecyclePresets.keepNewestReleases(2) });
    const images = [image('r1', ['v1.0.0'], 30), image('r2', ['v1.1.0'], 20), image('r3', ['v1.2.0'], 10), image('dev', ['dev-1'], 40)];
    expect(actedOn(policy, images)).toEqual(['r1:EXPIRE:1']);
  });

  test('expireUntagged removes only old untagged images', () => {
    const policy = new LifecyclePolicy({ rules: [LifecyclePresets.expireUntagged(Duration.days(14))] });
    expect(actedOn(policy, [image('old', [], 15), image('new', [], 13), image('tagged', ['v1'], 400)])).toEqual(['old:EXPIRE:1']);
  });

  test('expireShortLived removes old branch images, one rule per pattern', () => {
    const policy = new LifecyclePolicy({ rules: LifecyclePresets.expireShortLived(['dev-*', 'pr-*'], Duration.days(7)) });
    const images = [image('d', ['dev-1'], 8), image('p', ['pr-9'], 8), image('fresh', ['pr-10'], 1), image('rel', ['v1.0.0'], 100)];
    expect(actedOn(policy, images)).toEqual(['d:EXPIRE:1', 'p:EXPIRE:2']);
  });

  test('archiveUnpulled archives idle images and expireArchived deletes them later', () => {
    const rules = [LifecyclePresets.archiveUnpulled(Duration.days(90)), LifecyclePresets.expireArchived(Duration.days(365))];
    const policy = new LifecyclePolicy({ rules });
    const images = [
      image('idle', ['v1'], 200, { lastRecordedPullTime: daysAgo(100) }),
      image('used', ['v2'], 200, { lastRecordedPullTime: daysAgo(3) }),
      image('gone', ['v0'], 900, { imageStatus: ImageStatus.ARCHIVED, lastArchivedAt: daysAgo(400) }),
    ];
    expect(actedOn(policy, images)).toEqual(['idle:TRANSITION:1', 'gone:EXPIRE:2']);
    expect(policy.simulate(images, NOW).summary).toEqual({ expiringImageTotalCount: 1, transitioningImageTotalCount: 1 });
  });

  test('recommended keeps protected and recent images and removes the rest, in the tags image builds push', () => {
    const policy = LifecyclePresets.recommended({
      protectedTags: ['prod*'],
      keepReleases: 1,
      keepCommits: 2,
      shortLivedTagPatterns: ['dev-*'],
      archiveAfterIdle: Duration.days(180),
      expireArchivedAfter: Duration.days(365),
    });
    expect(policy.validate()).toEqual([]);
    expect(policy.toDocument().rules.map((r) => r.description)).toEqual([
      'Retain every image tagged prod*',
      'Keep the newest 1 images tagged *.*.*; expire older ones',
      'Keep the newest 2 images tagged sha-*; expire older ones',
      'Expire images tagged dev-* pushed more than 30 days ago',
      'Expire untagged images pushed more than 14 days ago',
      'Expire untagged images archived more than 365 days ago',
      'Archive images not pulled for more than 180 days',
    ]);
    const images = [
      image('prod-old', ['prod', 'sha-0000001', '1.0.0'], 1000),
      image('rel-old', ['sha-0000002', '1.1.0'], 300), image('rel-new', ['sha-0000003', '1.2.0'], 200),
      image('commit-old', ['sha-0000004'], 100), image('commit-mid', ['sha-0000005'], 50), image('commit-new', ['sha-0000006'], 1),
      image('dev-old', ['dev-2'], 31), image('untagged-old', [], 15), image('idle-feature', ['feature-x'], 400),
      image('archived-untagged', [], 900, { imageStatus: ImageStatus.ARCHIVED, lastArchivedAt: daysAgo(400) }),
      image('archived-tagged', ['dev-0'], 900, { imageStatus: ImageStatus.ARCHIVED, lastArchivedAt: daysAgo(400) }),
    ];
    // prod-old's release and commit tags do not matter: the prod anchor claims it first. rel-new is idle, but the
    // release rule selected it, so the archive rule cannot touch it; the same holds for the two newest commits.
    expect(actedOn(policy, images)).toEqual([
      'rel-old:EXPIRE:2', 'commit-old:EXPIRE:3', 'dev-old:EXPIRE:4', 'untagged-old:EXPIRE:5', 'archived-untagged:EXPIRE:6', 'idle-feature:TRANSITION:7',
    ]);
  });

  test('recommended drops the count rules of release and commit patterns that are protected', () => {
    const policy = LifecyclePresets.recommended({ protectedTags: ['*.*.*', 'sha-*'] });
    expect(policy.toDocument().rules.map((r) => r.description)).toEqual([
      'Retain every image tagged *.*.*', 'Retain every image tagged sha-*', 'Expire untagged images pushed more than 14 days ago',
    ]);
  });
});
