import { clip, printable, showValue } from '../../src/lifecycle/show';
import { ruleLabel } from '../../src/lifecycle/types';
import { validatePolicyDocument } from '../../src/lifecycle/validate';

/** A valid rule that each case bends in one place. */
const base = { rulePriority: 1, selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 14 }, action: { type: 'expire' } };

describe('validatePolicyDocument', () => {
  test.each<[string, unknown, string[]]>([
    ['not object', 5, ["policy: got 5; a lifecycle policy is an object with a 'rules' array. Write it as {\"rules\": [...]}."]],
    ['extra top', { rules: [base], foo: 1 }, ["policy: unknown field 'foo'; ECR accepts only 'rules'. Remove it."]],
    ['empty', { rules: [] }, ['policy: rules: got an empty list; ECR needs at least one rule. Add a rule or remove the lifecycle policy.']],
    ['non-object rule', { rules: [3] }, ["rule #1: got 3; each rule is an object with 'rulePriority', 'selection' and 'action'."]],
    ['unknown rule key', { rules: [{ ...base, foo: 1 }] }, ['rule 1: foo: got 1; unknown field; ECR accepts rulePriority, description, selection, action. Remove it.']],
    ['priority 0', { rules: [{ ...base, rulePriority: 0 }] }, ['rule 0: rulePriority: got 0; must be a whole number of at least 1. Give every rule a unique priority; lower numbers apply first.']],
    ['priority 1.5', { rules: [{ ...base, rulePriority: 1.5 }] }, ['rule 1.5: rulePriority: got 1.5; must be a whole number of at least 1. Give every rule a unique priority; lower numbers apply first.']],
    ['description number', { rules: [{ ...base, description: 4 }] }, ['rule 1: description: got 4; must be a string. Quote it or remove it.']],
    ['selection missing', { rules: [{ rulePriority: 1, action: { type: 'expire' } }] }, ["rule 1: selection: got nothing; must be an object with 'tagStatus', 'countType' and 'countNumber'."]],
    ['tagStatus bad', { rules: [{ ...base, selection: { ...base.selection, tagStatus: 'TAGGED' } }] }, ["rule 1: selection.tagStatus: got \"TAGGED\"; must be one of 'tagged', 'untagged', 'any'."]],
    ['tagged no list', { rules: [{ ...base, selection: { ...base.selection, tagStatus: 'tagged' } }] }, ["rule 1: selection.tagPatternList: got nothing; a tagged rule needs 'tagPatternList' or 'tagPrefixList'. Name the tags it selects, for example [\"dev-*\"]."]],
    ['tagged both', { rules: [{ ...base, selection: { ...base.selection, tagStatus: 'tagged', tagPrefixList: ['a'], tagPatternList: ['b*'] } }] }, ["rule 1: selection: got {\"tagPrefixList\":[\"a\"],\"tagPatternList\":[\"b*\"]}; a tagged rule takes either 'tagPrefixList' or 'tagPatternList', not both. Keep one."]],
    ['untagged with list', { rules: [{ ...base, selection: { ...base.selection, tagPrefixList: ['a'] } }] }, ["rule 1: selection.tagPrefixList: got [\"a\"]; only a 'tagged' rule takes a tag list, this one is 'untagged'. Remove the list or set tagStatus to 'tagged'."]],
    ['5 wildcards', { rules: [{ ...base, selection: { ...base.selection, tagStatus: 'tagged', tagPatternList: ['a*b*c*d*e*f'] } }] }, ['rule 1: selection.tagPatternList[0]: got "a*b*c*d*e*f"; has 5 wildcards; ECR allows at most 4 per pattern. Simplify it.']],
    ['prefix star', { rules: [{ ...base, selection: { ...base.selection, tagStatus: 'tagged', tagPrefixList: ['a*'] } }] }, ["rule 1: selection.tagPrefixList[0]: got \"a*\"; a prefix is literal and tags never contain '*'. Move wildcards to 'tagPatternList'."]],
    ['bad char', { rules: [{ ...base, selection: { ...base.selection, tagStatus: 'tagged', tagPatternList: ['feature/*'] } }] }, ["rule 1: selection.tagPatternList[0]: got \"feature/*\"; can never match: image tags use only letters, digits, '_', '.' and '-'. Fix the characters."]],
    ['empty list', { rules: [{ ...base, selection: { ...base.selection, tagStatus: 'tagged', tagPatternList: [] } }] }, ['rule 1: selection.tagPatternList: got []; must be a non-empty list of strings.']],
    ['countUnit missing', { rules: [{ ...base, selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countNumber: 14 } }] }, ["rule 1: selection.countUnit: got nothing; 'sinceImagePushed' needs countUnit 'days'. Set \"countUnit\": \"days\"."]],
    ['countUnit on count', { rules: [{ ...base, selection: { tagStatus: 'untagged', countType: 'imageCountMoreThan', countUnit: 'days', countNumber: 14 } }] }, ["rule 1: selection.countUnit: got \"days\"; 'imageCountMoreThan' counts images and takes no unit. Remove countUnit."]],
    ['countNumber 0', { rules: [{ ...base, selection: { ...base.selection, countNumber: 0 } }] }, ['rule 1: selection.countNumber: got 0; must be a positive whole number (0 is not accepted).']],
    ['pulled expire', { rules: [{ ...base, selection: { ...base.selection, countType: 'sinceImagePulled' } }] }, ["rule 1: action.type: got \"expire\"; 'sinceImagePulled' can only transition images to archive, not expire them. Use \"action\": {\"type\": \"transition\", \"targetStorageClass\": \"archive\"}."]],
    ['transitioned std', { rules: [{ ...base, selection: { ...base.selection, countType: 'sinceImageTransitioned', countNumber: 30 } }] }, ["rule 1: selection.storageClass: got nothing; 'sinceImageTransitioned' selects archived images only. Set \"storageClass\": \"archive\".",
      'rule 1: selection.countNumber: got 30; archived images have a 90-day minimum storage duration. Use 90 days or more.']],
    ['transition no target', { rules: [{ ...base, action: { type: 'transition' } }] }, ["rule 1: action.targetStorageClass: got nothing; a transition needs targetStorageClass 'archive', the only target ECR offers."]],
    ['expire with target', { rules: [{ ...base, action: { type: 'expire', targetStorageClass: 'archive' } }] }, ['rule 1: action.targetStorageClass: got "archive"; only a transition takes a target storage class. Remove it from this expire action.']],
    ['archive pushed', { rules: [{ ...base, selection: { ...base.selection, storageClass: 'archive' } }] }, ["rule 1: selection.storageClass: got \"archive\"; 'sinceImagePushed' selects standard images only; archived images are selected by 'sinceImageTransitioned'. Remove storageClass or change countType."]],
    ['dup priority', { rules: [base, { ...base, description: 'b' }] }, ['policy: rulePriority: got 1 on 2 rules (rule 1, rule 1 ("b")); priorities must be unique. Renumber them.',
      "policy: storage class 'standard': 2 rules select untagged images (rule 1, rule 1 (\"b\")); ECR allows one per storage class. Merge them."]],
    ['two untagged', { rules: [base, { ...base, rulePriority: 2 }] }, ["policy: storage class 'standard': 2 rules select untagged images (rule 1, rule 2); ECR allows one per storage class. Merge them."]],
    ['any not last', { rules: [{ ...base, selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 3 } }, { ...base, rulePriority: 2 }] }, ["rule 1: rulePriority: got 1, but rule 2 selects 'standard' images after it; a tagStatus 'any' rule must have the highest priority number of its storage class. Give it a number above 2."]],
    ['same list', { rules: [{ rulePriority: 1, selection: { tagStatus: 'tagged', tagPatternList: ['a*', 'b*'], countType: 'imageCountMoreThan', countNumber: 3 }, action: { type: 'expire' } }, { rulePriority: 2, selection: { tagStatus: 'tagged', tagPatternList: ['b*', 'a*'], countType: 'imageCountMoreThan', countNumber: 5 }, action: { type: 'expire' } }] }, ['rule 2: selection: got the same tag list ["b*","a*"] as rule 1; the rules of one storage class need unique tag lists, and this rule could never act. Merge the two rules.']],
    ['51 rules', { rules: Array.from({ length: 51 }, (_, i) => ({ rulePriority: i + 1, selection: { tagStatus: 'tagged', tagPrefixList: [`t${i}`], countType: 'imageCountMoreThan', countNumber: 3 }, action: { type: 'expire' } })) }, ['policy: rules: got 51 rules; ECR allows at most 50 (not adjustable). Merge rules with tag patterns.']],
  ])('Noncompliance: %s', (_name, policy, expected) => {
    expect(validatePolicyDocument(policy)).toEqual(expected);
  });

  const rule = (rulePriority: number, selection: object, action: object = { type: 'expire' }) => ({ rulePriority, selection, action });
  // The syntax examples of the ECR User Guide (lifecycle_policy_examples), all accepted by ECR.
  test.each<[string, unknown]>([
    ['image age', { rules: [rule(1, { tagStatus: 'tagged', tagPatternList: ['prod*'], countType: 'sinceImagePushed', countUnit: 'days', countNumber: 14 })] }],
    ['image count', { rules: [rule(1, { tagStatus: 'untagged', countType: 'imageCountMoreThan', countNumber: 1 })] }],
    ['last pulled', { rules: [rule(1, { tagStatus: 'any', countType: 'sinceImagePulled', countUnit: 'days', countNumber: 90 }, { type: 'transition', targetStorageClass: 'archive' })] }],
    ['archive transition time', { rules: [rule(1, { tagStatus: 'any', storageClass: 'archive', countType: 'sinceImageTransitioned', countUnit: 'days', countNumber: 365 })] }],
    ['archive by age', { rules: [rule(1, { tagStatus: 'tagged', tagPatternList: ['prod*'], countType: 'sinceImagePushed', countUnit: 'days', countNumber: 30 }, { type: 'transition', targetStorageClass: 'archive' })] }],
    ['archive then expire, one any rule per storage class', {
      rules: [
        rule(1, { tagStatus: 'any', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 30 }, { type: 'transition', targetStorageClass: 'archive' }),
        rule(2, { tagStatus: 'any', storageClass: 'archive', countType: 'sinceImageTransitioned', countUnit: 'days', countNumber: 365 }),
      ],
    }],
    ['all rule types', {
      rules: [
        rule(1, { tagStatus: 'tagged', tagPatternList: ['alpha*'], countType: 'imageCountMoreThan', countNumber: 1 }),
        rule(2, { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 1 }),
        rule(3, { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 1 }),
      ],
    }],
    ['four wildcards', { rules: [rule(1, { tagStatus: 'tagged', tagPatternList: ['*test*1*2*3', 'test*1*2*3*'], countType: 'imageCountMoreThan', countNumber: 1 })] }],
    ['untagged in each storage class', {
      rules: [
        rule(1, { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 7 }),
        rule(2, { tagStatus: 'untagged', storageClass: 'archive', countType: 'sinceImageTransitioned', countUnit: 'days', countNumber: 90 }),
      ],
    }],
  ])('Compliance: %s', (_name, policy) => {
    expect(validatePolicyDocument(policy)).toEqual([]);
  });

  test('collects every problem of one policy', () => {
    const policy = { rules: [rule(0, { tagStatus: 'tagged', countType: 'sinceImagePulled', countNumber: -1 })] };
    expect(validatePolicyDocument(policy)).toEqual([
      'rule 0: rulePriority: got 0; must be a whole number of at least 1. Give every rule a unique priority; lower numbers apply first.',
      'rule 0: selection.tagPatternList: got nothing; a tagged rule needs \'tagPatternList\' or \'tagPrefixList\'. Name the tags it selects, for example ["dev-*"].',
      'rule 0: selection.countUnit: got nothing; \'sinceImagePulled\' needs countUnit \'days\'. Set "countUnit": "days".',
      'rule 0: selection.countNumber: got -1; must be a positive whole number (0 is not accepted).',
      'rule 0: action.type: got "expire"; \'sinceImagePulled\' can only transition images to archive, not expire them. Use "action": {"type": "transition", "targetStorageClass": "archive"}.',
    ]);
  });

  test('names the rule by priority and description', () => {
    const policy = { rules: [{ ...rule(3, { tagStatus: 'untagged', countType: 'imageCountMoreThan', countNumber: 0 }), description: 'drop old builds' }] };
    expect(validatePolicyDocument(policy)).toEqual(['rule 3 ("drop old builds"): selection.countNumber: got 0; must be a positive whole number (0 is not accepted).']);
  });

  test('skips values the caller marks as unresolved', () => {
    const token = -1.8881545897087626e+289;
    const policy = { rules: [rule(token, { tagStatus: 'untagged', countType: 'imageCountMoreThan', countNumber: token })] };
    expect(validatePolicyDocument(policy, { isUnresolved: (v) => v === token })).toEqual([]);
    expect(validatePolicyDocument(policy)).toHaveLength(2);
  });
});

// Each case removes one guard of validate.ts or moves one bound by one: the exact messages show what is checked.
describe('validatePolicyDocument, every check and bound', () => {
  const sel = base.selection;
  const tagged = (list: object) => ({ ...base, selection: { tagStatus: 'tagged', ...list, countType: 'imageCountMoreThan', countNumber: 3 } });
  const one = (rule: object) => ({ rules: [rule] });
  const MAX = 2 ** 31 - 1;
  const tooLarge = (label: string, field: string, shown: string) =>
    `${label}: ${field}: got ${shown}; must be at most 2147483647, the largest integer ECR stores. Use a smaller number.`;
  const badCount = (shown: string) => `rule 1: selection.countNumber: got ${shown}; must be a positive whole number (0 is not accepted).`;
  const badPriority = (shown: string) => `rule ${shown}: rulePriority: got ${shown}; must be a whole number of at least 1. Give every rule a unique priority; lower numbers apply first.`;

  test.each<[string, unknown, string[]]>([
    // The policy and its rules
    ['rules not a list', { rules: {} }, ["policy: got {\"rules\":{}}; a lifecycle policy is an object with a 'rules' array. Write it as {\"rules\": [...]}."]],
    // Values are quoted up to 100 characters: 97 and the mark of the cut.
    ['a list, not an object', [base], [`policy: got ${JSON.stringify([base]).slice(0, 97)}...; a lifecycle policy is an object with a 'rules' array. Write it as {"rules": [...]}.`]],
    ['null rule beside a valid one', { rules: [null, base] }, ["rule #1: got null; each rule is an object with 'rulePriority', 'selection' and 'action'."]],
    ['action missing', one({ rulePriority: 1, selection: sel }), ['rule 1: action: got nothing; must be an object such as {"type": "expire"}.']],
    ['selection a list, action missing', one({ rulePriority: 1, selection: [sel] }), [
      "rule 1: selection: got [{\"tagStatus\":\"untagged\",\"countType\":\"sinceImagePushed\",\"countUnit\":\"days\",\"countNumber\":14}]; must be an object with 'tagStatus', 'countType' and 'countNumber'.",
      'rule 1: action: got nothing; must be an object such as {"type": "expire"}.',
    ]],
    ['unknown selection field', one({ ...base, selection: { ...sel, tagPrefix: ['a'] } }),
      ['rule 1: selection.tagPrefix: got ["a"]; unknown field; ECR accepts tagStatus, tagPrefixList, tagPatternList, storageClass, countType, countUnit, countNumber. Remove it.']],
    ['unknown action field', one({ ...base, action: { type: 'expire', storageClass: 'archive' } }),
      ['rule 1: action.storageClass: got "archive"; unknown field; ECR accepts type, targetStorageClass. Remove it.']],
    // Numbers: whole, at least 1, at most 2^31 - 1 (what ECR stores)
    ['priority 2^31', one({ ...base, rulePriority: 2 ** 31 }), [tooLarge('rule 2147483648', 'rulePriority', '2147483648')]],
    ['priority 1e20', one({ ...base, rulePriority: 1e20 }), [tooLarge('rule 100000000000000000000', 'rulePriority', '100000000000000000000')]],
    ['priority a string', one({ ...base, rulePriority: '1' }), [badPriority('"1"')]],
    ['priority NaN', one({ ...base, rulePriority: NaN }), [badPriority('NaN')]],
    ['countNumber 2^31', one({ ...base, selection: { ...sel, countNumber: 2 ** 31 } }), [tooLarge('rule 1', 'selection.countNumber', '2147483648')]],
    ['countNumber 1e308', one({ ...base, selection: { ...sel, countNumber: 1e308 } }), [tooLarge('rule 1', 'selection.countNumber', '1e+308')]],
    ['countNumber 2^53 + 1 (2^53 as a double)', one({ ...base, selection: { ...sel, countNumber: 2 ** 53 + 1 } }), [tooLarge('rule 1', 'selection.countNumber', '9007199254740992')]],
    ['countNumber NaN', one({ ...base, selection: { ...sel, countNumber: NaN } }), [badCount('NaN')]],
    ['countNumber Infinity', one({ ...base, selection: { ...sel, countNumber: Infinity } }), [badCount('Infinity')]],
    ['countNumber -0', one({ ...base, selection: { ...sel, countNumber: -0 } }), [badCount('-0')]],
    ['countNumber 1.5', one({ ...base, selection: { ...sel, countNumber: 1.5 } }), [badCount('1.5')]],
    ['countNumber a string', one({ ...base, selection: { ...sel, countNumber: '14' } }), [badCount('"14"')]],
    // Tag lists and their entries
    ['untagged with a pattern list', one({ ...base, selection: { ...sel, tagPatternList: ['a*'] } }),
      ["rule 1: selection.tagPatternList: got [\"a*\"]; only a 'tagged' rule takes a tag list, this one is 'untagged'. Remove the list or set tagStatus to 'tagged'."]],
    ['any with a prefix list', one({ ...base, selection: { ...sel, tagStatus: 'any', tagPrefixList: ['a'] } }),
      ["rule 1: selection.tagPrefixList: got [\"a\"]; only a 'tagged' rule takes a tag list, this one is 'any'. Remove the list or set tagStatus to 'tagged'."]],
    ['a list that is a string', one(tagged({ tagPatternList: 'a*' })), ['rule 1: selection.tagPatternList: got "a*"; must be a non-empty list of strings.']],
    ['an empty entry', one(tagged({ tagPatternList: ['a*', ''] })), ['rule 1: selection.tagPatternList[1]: got ""; must be a non-empty string.']],
    ['a number entry', one(tagged({ tagPrefixList: [3] })), ['rule 1: selection.tagPrefixList[0]: got 3; must be a non-empty string.']],
    ['a null entry', one(tagged({ tagPatternList: [null] })), ['rule 1: selection.tagPatternList[0]: got null; must be a non-empty string.']],
    ['a pattern of 301 characters besides wildcards', one(tagged({ tagPatternList: [`*${'a'.repeat(301)}`] })),
      [`rule 1: selection.tagPatternList[0]: got "*${'a'.repeat(95)}...; has 301 characters besides wildcards; an image tag has at most 300, so it can never match. Shorten it.`]],
    ['a prefix of 301 characters', one(tagged({ tagPrefixList: ['v'.repeat(301)] })),
      [`rule 1: selection.tagPrefixList[0]: got "${'v'.repeat(96)}...; has 301 characters besides wildcards; an image tag has at most 300, so it can never match. Shorten it.`]],
    ['a 1-million-character pattern: the length, not the characters', one(tagged({ tagPatternList: [`${'/'.repeat(1_000_000)}*`] })),
      [`rule 1: selection.tagPatternList[0]: got "${'/'.repeat(96)}...; has 1000000 characters besides wildcards; an image tag has at most 300, so it can never match. Shorten it.`]],
    ['a prefix with a character no tag has', one(tagged({ tagPrefixList: ['a b'] })),
      ["rule 1: selection.tagPrefixList[0]: got \"a b\"; can never match: image tags use only letters, digits, '_', '.' and '-'. Fix the characters."]],
    // Storage class, count type and unit, action
    ['storage class in capitals', one({ ...base, selection: { ...sel, storageClass: 'ARCHIVE' } }),
      ["rule 1: selection.storageClass: got \"ARCHIVE\"; must be one of 'standard', 'archive'."]],
    ['unknown count type: its unit and storage class are not judged', one({ ...base, selection: { ...sel, countType: 'sinceImageCreated', storageClass: 'archive' } }),
      ["rule 1: selection.countType: got \"sinceImageCreated\"; must be one of 'imageCountMoreThan', 'sinceImagePushed', 'sinceImagePulled', 'sinceImageTransitioned'."]],
    ['count unit hours', one({ ...base, selection: { ...sel, countUnit: 'hours' } }),
      ["rule 1: selection.countUnit: got \"hours\"; 'sinceImagePushed' needs countUnit 'days'. Set \"countUnit\": \"days\"."]],
    ['unknown action type', one({ ...base, action: { type: 'delete' } }), ["rule 1: action.type: got \"delete\"; must be one of 'expire', 'transition'."]],
    ['transition to standard', one({ ...base, action: { type: 'transition', targetStorageClass: 'standard' } }),
      ["rule 1: action.targetStorageClass: got \"standard\"; a transition needs targetStorageClass 'archive', the only target ECR offers."]],
    ['image count in the archive', one({ ...base, selection: { tagStatus: 'untagged', storageClass: 'archive', countType: 'imageCountMoreThan', countNumber: 3 } }),
      ["rule 1: selection.storageClass: got \"archive\"; 'imageCountMoreThan' selects standard images only; archived images are selected by 'sinceImageTransitioned'. Remove storageClass or change countType."]],
    ['archived images transitioned again', one({ ...base, selection: { ...sel, storageClass: 'archive', countType: 'sinceImageTransitioned', countNumber: 90 }, action: { type: 'transition', targetStorageClass: 'archive' } }),
      ["rule 1: action.type: got \"transition\"; 'sinceImageTransitioned' can only expire archived images. Use \"action\": {\"type\": \"expire\"}."]],
    // The 90-day archive minimum: 89 days is one short; a count that is no whole number is reported once
    ['archived 89 days', one({ ...base, selection: { ...sel, storageClass: 'archive', countType: 'sinceImageTransitioned', countNumber: 89 } }),
      ['rule 1: selection.countNumber: got 89; archived images have a 90-day minimum storage duration. Use 90 days or more.']],
    ['archived 0 days', one({ ...base, selection: { ...sel, storageClass: 'archive', countType: 'sinceImageTransitioned', countNumber: 0 } }), [badCount('0')]],
    // Across rules: priorities
    ['two rules without a priority are no duplicate', { rules: [{ ...base, rulePriority: undefined }, { ...base, rulePriority: undefined, selection: { ...sel, storageClass: 'archive', countType: 'sinceImageTransitioned', countNumber: 90 } }] }, [
      'rule "(no priority)": rulePriority: got nothing; must be a whole number of at least 1. Give every rule a unique priority; lower numbers apply first.',
      'rule "(no priority)": rulePriority: got nothing; must be a whole number of at least 1. Give every rule a unique priority; lower numbers apply first.',
    ]],
    ['three rules of one priority', { rules: [tagged({ tagPrefixList: ['a'] }), tagged({ tagPrefixList: ['b'] }), tagged({ tagPrefixList: ['c'] })] },
      ['policy: rulePriority: got 1 on 3 rules (rule 1, rule 1, rule 1); priorities must be unique. Renumber them.']],
    ['a priority that is no number is left out of the order', { rules: [{ ...base, selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 3 } }, { ...base, rulePriority: '2' }] },
      [badPriority('"2"')]],
    // Across rules: tag lists
    ['the same strings as a prefix list and a pattern list', { rules: [tagged({ tagPrefixList: ['a'] }), { ...tagged({ tagPatternList: ['a'] }), rulePriority: 2 }] }, []],
    ['the same list in two storage classes', {
      rules: [tagged({ tagPrefixList: ['a'] }),
        { ...base, rulePriority: 2, selection: { tagStatus: 'tagged', tagPrefixList: ['a'], storageClass: 'archive', countType: 'sinceImageTransitioned', countUnit: 'days', countNumber: 90 } }],
    }, []],
    ['the same list of numbers is reported per entry, not as a duplicate', { rules: [tagged({ tagPrefixList: [1] }), { ...tagged({ tagPrefixList: [1] }), rulePriority: 2 }] }, [
      'rule 1: selection.tagPrefixList[0]: got 1; must be a non-empty string.', 'rule 2: selection.tagPrefixList[0]: got 1; must be a non-empty string.',
    ]],
    ['the same list on untagged rules is no duplicate list', { rules: [{ ...base, selection: { ...sel, tagPrefixList: ['a'] } }, { ...base, rulePriority: 2, selection: { ...sel, tagPrefixList: ['a'] } }] }, [
      "rule 1: selection.tagPrefixList: got [\"a\"]; only a 'tagged' rule takes a tag list, this one is 'untagged'. Remove the list or set tagStatus to 'tagged'.",
      "rule 2: selection.tagPrefixList: got [\"a\"]; only a 'tagged' rule takes a tag list, this one is 'untagged'. Remove the list or set tagStatus to 'tagged'.",
      "policy: storage class 'standard': 2 rules select untagged images (rule 1, rule 2); ECR allows one per storage class. Merge them.",
    ]],
  ])('Noncompliance: %s', (_name, policy, expected) => {
    expect(validatePolicyDocument(policy)).toEqual(expected);
  });

  const untaggedRules = (n: number) => ({ rules: Array.from({ length: n }, (_, i) => ({ ...base, rulePriority: i + 1 })) });
  test.each([
    [5, 'rule 1, rule 2, rule 3, rule 4, rule 5'],
    [6, 'rule 1, rule 2, rule 3, rule 4, rule 5 and 1 more'],
    [100_000, 'rule 1, rule 2, rule 3, rule 4, rule 5 and 99995 more'],
  ])('%i rules selecting untagged images: a message names the first five', (n, named) => {
    expect(validatePolicyDocument(untaggedRules(n))).toEqual([
      ...(n > 50 ? [`policy: rules: got ${n} rules; ECR allows at most 50 (not adjustable). Merge rules with tag patterns.`] : []),
      `policy: storage class 'standard': ${n} rules select untagged images (${named}); ECR allows one per storage class. Merge them.`,
    ]);
  });

  const token = -1.8881545897087626e+289;
  const isUnresolved = (v: unknown) => v === token || v === '${Token[TOKEN.1]}';
  test.each<[string, unknown]>([
    ['50 rules', { rules: Array.from({ length: 50 }, (_, i) => tagged({ tagPrefixList: [`t${i}`] })).map((r, i) => ({ ...r, rulePriority: i + 1 })) }],
    ['priority and count at 2^31 - 1', one({ ...base, rulePriority: MAX, selection: { ...sel, countType: 'imageCountMoreThan', countUnit: undefined, countNumber: MAX } })],
    ['archived 90 days', one({ ...base, selection: { ...sel, storageClass: 'archive', countType: 'sinceImageTransitioned', countNumber: 90 } })],
    ['archived for an unresolved number of days', one({ ...base, selection: { ...sel, storageClass: 'archive', countType: 'sinceImageTransitioned', countNumber: token } })],
    ['a pattern of 300 characters and 4 wildcards', one(tagged({ tagPatternList: [`*${'a'.repeat(100)}*${'b'.repeat(100)}*${'c'.repeat(100)}*`] }))],
    ['a prefix of 300 characters', one(tagged({ tagPrefixList: ['v'.repeat(300)] }))],
    ['an unresolved list and an unresolved entry', { rules: [tagged({ tagPatternList: token }), { ...tagged({ tagPrefixList: ['${Token[TOKEN.1]}'] }), rulePriority: 2 }] }],
    ['two unresolved priorities are no duplicate', { rules: [{ ...base, rulePriority: token }, { ...tagged({ tagPrefixList: ['a'] }), rulePriority: token }] }],
    ['unresolved equal lists are no duplicate', { rules: [tagged({ tagPrefixList: ['${Token[TOKEN.1]}'] }), { ...tagged({ tagPrefixList: ['${Token[TOKEN.1]}'] }), rulePriority: 2 }] }],
  ])('Compliance: %s', (_name, policy) => {
    expect(validatePolicyDocument(policy, { isUnresolved })).toEqual([]);
  });
});

describe('values in messages: bounded, escaped, never built whole', () => {
  const nested = (levels: number) => {
    let v: unknown = [];
    for (let i = 0; i < levels; i++) v = [v];
    return v;
  };

  test.each<[string, unknown, number, string]>([
    ['undefined', undefined, 60, 'nothing'],
    ['NaN, Infinity and -0 keep their names', [NaN, -Infinity, -0, 0], 60, '[NaN,-Infinity,-0,0]'],
    ['JSON for what JSON holds', { a: [1, 'x', true, null], b: undefined, c: { d: false } }, 60, '{"a":[1,"x",true,null],"c":{"d":false}}'],
    ['an undefined array entry is null, as in JSON', [undefined, 1], 60, '[null,1]'],
    ['exactly the limit', 'x'.repeat(8), 10, '"xxxxxxxx"'],
    ['one past the limit', 'x'.repeat(9), 10, '"xxxxxx...'],
    ['100,000 levels deep', nested(100_000), 10, '[[[[[[[...'],
    ['a million entries', new Array(1_000_000).fill(7), 10, '[7,7,7,...'],
    ['an object of many keys', Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`k${i}`, i])), 20, '{"k0":0,"k1":1,"k...'],
    ['control characters', '\u001b\u007f\u0085\u2028', 60, '"\\u001b\\u007f\\u0085\\u2028"'],
    ['a bigint', BigInt(5), 60, '5'],
  ])('showValue: %s', (_name, value, limit, shown) => {
    expect(showValue(value, limit)).toBe(shown);
  });

  test('a value that holds itself is shown to the limit, not walked forever', () => {
    const cyclic: unknown[] = [1];
    cyclic.push(cyclic);
    expect(showValue(cyclic, 12)).toBe('[1,[1,[1,...');
  });

  test.each([
    ['short text unchanged', 'abc', 5, 'abc'],
    ['text at the limit unchanged', 'abcde', 5, 'abcde'],
    ['text past the limit cut and marked', 'abcdef', 5, 'ab...'],
    ['escapes count toward the limit', '\u0007\u0007', 10, '\\u0007\\...'],
  ])('clip: %s', (_name, text, limit, shown) => {
    expect(clip(text, limit)).toBe(shown);
  });

  test('printable escapes C0, DEL, C1 and the line separators, and nothing else', () => {
    expect(printable('a\u0000\n\t\u001f b\u007f\u0080\u009f\u00a0é\u2028\u2029\u202a')).toBe('a\\u0000\\u000a\\u0009\\u001f b\\u007f\\u0080\\u009f\u00a0é\\u2028\\u2029\u202a');
  });

  test.each([
    ['priority and description', { rulePriority: 3, description: 'keep' }, 'rule 3 ("keep")'],
    ['an empty description', { rulePriority: 3, description: '' }, 'rule 3'],
    ['a description that is no string', { rulePriority: 3, description: 4 }, 'rule 3'],
    ['no priority', {}, 'rule "(no priority)"'],
    ['a long description and control characters', { rulePriority: 1, description: `\u001b${'d'.repeat(200)}` }, `rule 1 ("\\u001b${'d'.repeat(91)}...")`],
  ])('ruleLabel: %s', (_name, rule, label) => {
    expect(ruleLabel(rule)).toBe(label);
  });
});
