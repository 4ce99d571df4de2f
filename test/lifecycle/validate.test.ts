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
