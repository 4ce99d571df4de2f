import { spawnSync } from 'child_process';
import { GITHUB_OIDC_AUDIENCE, GITHUB_OIDC_HOST, isPattern, renderSubject, subjectProblems, SubjectKind } from '../../src/github-actions/subjects';
import { isGitRefName } from '../../src/private/git-names';

// The prop the publisher names for its first subject.
const PROP = "prop 'subjects[0]'";
const got = (value: string) => `${PROP}: got ${JSON.stringify(value)}`;
const ownerProblem = (owner: string) => `${got(owner)} as the owner; a GitHub user or organization: 1 to 39 letters, digits or single inner hyphens, `
  + "no wildcard (an owner pattern would trust strangers' repositories).";
const repositoryProblem = (repository: string) => `${got(repository)} as the repository; a GitHub repository name: 1 to 100 letters, digits, '.', '_' or '-'.`;
const everyRepositoryProblem = (owner: string) => `${got('*')} as the repository; '*' lets every repository of ${owner}, present and future, assume the role. `
  + "Name the repositories, or set 'allowAllRepositoriesOfOwner: true' if that is intended.";
const environmentProblem = (environment: string) => `${got(environment)} as the environment; a GitHub environment name: 1 to 255 characters, `
  + 'no quotes, commas, semicolons, backslashes or control characters.';
const refProblem = {
  branch: (branch: string) => `${got(branch)} as the branch; a git branch name or pattern (git check-ref-format, with '*' and '?' as IAM wildcards), `
    + "without 'refs/heads/', which is added.",
  tag: (tag: string) => `${got(tag)} as the tag; a git tag name or pattern (git check-ref-format, with '*' and '?' as IAM wildcards), `
    + "without 'refs/tags/', which is added.",
};
const fullRefProblem = {
  branch: (branch: string) => `${got(branch)} as the branch; give the branch name alone: 'refs/heads/' is added.`,
  tag: (tag: string) => `${got(tag)} as the tag; give the tag name alone: 'refs/tags/' is added.`,
};

/** No wildcard opt-in; and only the one for every repository of the owner. */
const NO_WILDCARDS = { allRepositoriesOfOwner: false, allBranches: false, allEnvironments: false };
const EVERY_REPOSITORY = { ...NO_WILDCARDS, allRepositoriesOfOwner: true };

/** Problems of one subject of octo-org/octo-repo, all-repositories not allowed. */
const problems = (kind: SubjectKind, value: string) => subjectProblems(PROP, 'octo-org', 'octo-repo', kind, value, NO_WILDCARDS);

describe('the token GitHub issues', () => {
  test('issuer and audience: GitHub\'s issuer host and the audience configure-aws-credentials asks for', () => {
    // GitHub's OIDC reference: iss is https://token.actions.githubusercontent.com.
    expect([GITHUB_OIDC_HOST, GITHUB_OIDC_AUDIENCE]).toEqual(['token.actions.githubusercontent.com', 'sts.amazonaws.com']);
  });

  // The subject claims of GitHub's OIDC reference ("Example subject claims"), and patterns of them.
  test.each<[SubjectKind, string, string]>([
    ['environment', 'Production', 'repo:octo-org/octo-repo:environment:Production'],
    ['branch', 'demo-branch', 'repo:octo-org/octo-repo:ref:refs/heads/demo-branch'],
    ['tag', 'demo-tag', 'repo:octo-org/octo-repo:ref:refs/tags/demo-tag'],
    ['branch', 'release/*', 'repo:octo-org/octo-repo:ref:refs/heads/release/*'],
    ['tag', 'v1.2.3', 'repo:octo-org/octo-repo:ref:refs/tags/v1.2.3'],
  ])('the sub claim of %s %j is %j', (kind, value, subject) => {
    expect(renderSubject('octo-org', 'octo-repo', kind, value)).toBe(subject);
  });

  // IAM's StringLike wildcards are '*' (any characters) and '?' (one character).
  test.each<[string, boolean]>([
    ['repo:octo-org/octo-repo:ref:refs/heads/main', false],
    ['repo:octo-org/octo-repo:ref:refs/heads/release/*', true],
    ['repo:octo-org/octo-repo:ref:refs/tags/v1.?', true],
    ['repo:octo-org/octo-repo:environment:Production', false],
  ])('isPattern(%j) is %s', (subject, pattern) => {
    expect(isPattern(subject)).toBe(pattern);
  });
});

describe('subjectProblems: owners', () => {
  test.each(['octo-org', 'a', 'A1', 'Octo-Org-2', 'a'.repeat(39)])('accepted: %j', (owner) => {
    expect(subjectProblems(PROP, owner, 'octo-repo', 'branch', 'main', NO_WILDCARDS)).toEqual([]);
  });

  test.each(['', 'a'.repeat(40), '-octo', 'octo-', 'octo--org', 'octo_org', 'octo.org', 'octo org', '*', 'octo-*'])('refused: %j', (owner) => {
    expect(subjectProblems(PROP, owner, 'octo-repo', 'branch', 'main', NO_WILDCARDS)).toEqual([ownerProblem(owner)]);
  });
});

describe('subjectProblems: repositories', () => {
  test.each(['octo-repo', '.github', 'my_repo.js', 'R2-D2', 'a'.repeat(100)])('accepted: %j', (repository) => {
    expect(subjectProblems(PROP, 'octo-org', repository, 'branch', 'main', NO_WILDCARDS)).toEqual([]);
  });

  test.each(['', '.', '..', 'a'.repeat(101), 'octo/repo', 'octo repo', 'repo*', 'répo'])('refused: %j', (repository) => {
    expect(subjectProblems(PROP, 'octo-org', repository, 'branch', 'main', NO_WILDCARDS)).toEqual([repositoryProblem(repository)]);
  });

  test("'*' admits every repository of the owner: refused unless allowAllRepositoriesOfOwner", () => {
    expect(subjectProblems(PROP, 'octo-org', '*', 'branch', 'main', NO_WILDCARDS)).toEqual([everyRepositoryProblem('octo-org')]);
    expect(subjectProblems(PROP, 'octo-org', '*', 'branch', 'main', EVERY_REPOSITORY)).toEqual([]);
  });

  test('allowAllRepositoriesOfOwner admits only the repository \'*\', not a malformed name', () => {
    expect(subjectProblems(PROP, 'octo-org', 'octo/repo', 'branch', 'main', EVERY_REPOSITORY)).toEqual([repositoryProblem('octo/repo')]);
  });
});

/**
 * Branch and tag names, each with git's verdict (git check-ref-format, rules numbered as in its manual); '*' and '?'
 * are IAM wildcards here, which git's rule 5 refuses in a ref.
 */
const REF_NAMES: [string, boolean, string][] = [
  ['main', true, 'a plain name'],
  ['feature/x.y', true, 'components with inner dots'],
  ['v1.2.3', true, 'a version tag'],
  ['a@', true, "'@' is refused only alone"],
  ['@main', true, "'@' is refused only alone"],
  ['a.lockx', true, "'.lock' is refused only at a component's end"],
  ['a.b/c.lock.d', true, "'.lock' is refused only at a component's end"],
  ['', false, 'empty'],
  ['.a', false, 'rule 1: a component starts with a dot'],
  ['a/.b', false, 'rule 1: a component starts with a dot'],
  ['a.lock', false, "rule 1: a component ends with '.lock'"],
  ['a.lock/b', false, "rule 1: a component ends with '.lock'"],
  ['a..b', false, "rule 3: '..'"],
  ['a\x01b', false, 'rule 4: a control character'],
  ['a\x1fb', false, 'rule 4: a control character'],
  ['a\x7fb', false, 'rule 4: DEL'],
  ['a b', false, 'rule 4: a space'],
  ['a\tb', false, 'rule 4: a tab'],
  ['a~b', false, "rule 4: '~'"],
  ['a^b', false, "rule 4: '^'"],
  ['a:b', false, "rule 4: ':'"],
  ['a[b', false, "rule 5: '['"],
  ['/a', false, "rule 6: starts with '/'"],
  ['a/', false, "rule 6: ends with '/'"],
  ['a//b', false, "rule 6: '//'"],
  ['a.', false, 'rule 7: ends with a dot'],
  ['a@{b', false, "rule 8: '@{'"],
  ['@', false, "rule 9: '@' alone"],
  ['a\\b', false, "rule 10: '\\'"],
];

describe('subjectProblems: branches and tags', () => {
  test.each(REF_NAMES)('git agrees: %j is %s (%s)', (name, valid) => {
    const git = spawnSync('git', ['check-ref-format', '--allow-onelevel', name], { encoding: 'utf8' });
    expect(git.status).toBe(valid ? 0 : 1);
  });

  test.each(['branch', 'tag'] as const)('%s names as git takes them', (kind) => {
    const expected = REF_NAMES.map(([name, valid]) => [name, valid ? [] : [refProblem[kind](name)]]);
    expect(REF_NAMES.map(([name]) => [name, problems(kind, name)])).toEqual(expected);
  });

  // git sets no length limit; this module's is 255 characters.
  test.each(['branch', 'tag'] as const)('%s names of up to 255 characters', (kind) => {
    expect([problems(kind, 'a'.repeat(255)), problems(kind, 'a'.repeat(256))]).toEqual([[], [refProblem[kind]('a'.repeat(256))]]);
  });

  test.each<[SubjectKind, string]>([
    ['branch', 'release/*'],
    ['branch', 'feature/JIRA-?'],
    ['tag', 'v*'],
    ['tag', 'v1.*'],
  ])("%s %j: '*' and '?' are IAM wildcards", (kind, value) => {
    expect(problems(kind, value)).toEqual([]);
  });

  test.each<['branch' | 'tag', string]>([
    ['branch', 'refs/heads/main'],
    ['branch', 'refs/tags/v1'],
    ['tag', 'refs/tags/v1.2.3'],
  ])("%s %j: the full ref name is refused, since 'refs/...' is added", (kind, value) => {
    expect(problems(kind, value)).toEqual([fullRefProblem[kind](value)]);
  });

  test("a name that merely starts with 'refs' is a name", () => {
    expect(problems('branch', 'refsmain')).toEqual([]);
  });
});

describe('subjectProblems: environments', () => {
  test.each(['Production', 'staging eu-west-1', 'a'.repeat(255)])('accepted: %j', (environment) => {
    expect(problems('environment', environment)).toEqual([]);
  });

  test.each(['', 'a'.repeat(256), "it's", 'say "hi"', 'back`tick', 'a,b', 'a;b', 'a\\b', 'a\x00b', 'a\x1fb', 'a\x7fb', 'a\nb'])('refused: %j', (environment) => {
    expect(problems('environment', environment)).toEqual([environmentProblem(environment)]);
  });

  test('an environment is not a git ref: git\'s rules do not apply', () => {
    expect(problems('environment', 'prod..eu~1')).toEqual([]);
  });
});

test('every problem of one subject at once: owner, repository, then the branch', () => {
  expect(subjectProblems(PROP, '-octo', 'a b', 'branch', 'a..b', NO_WILDCARDS))
    .toEqual([ownerProblem('-octo'), repositoryProblem('a b'), refProblem.branch('a..b')]);
});

describe('subjectProblems: wildcards that match every branch or environment need their opt-in', () => {
  const everyBranch = (branch: string) => `${got(branch)} as the branch; it matches every branch of octo-org/octo-repo, present and future, so whoever `
    + "can push a branch can assume the role. Name the branches (a pattern such as 'release/*' is fine), or set 'allowAllBranches: true' if that is intended.";
  const everyEnvironment = (environment: string) => `${got(environment)} as the environment; it matches every environment of octo-org/octo-repo, and a `
    + "job that names one that does not exist gets it created without protection rules. Name the environments, or set 'allowAllEnvironments: true' "
    + 'if that is intended.';

  test.each(['*', '**', '*?', '?*?'])('branch %j: refused, unless allowAllBranches', (branch) => {
    expect(problems('branch', branch)).toEqual([everyBranch(branch)]);
    expect(subjectProblems(PROP, 'octo-org', 'octo-repo', 'branch', branch, { ...NO_WILDCARDS, allBranches: true })).toEqual([]);
    // The other opt-ins do not stand in for it.
    expect(subjectProblems(PROP, 'octo-org', 'octo-repo', 'branch', branch, { ...NO_WILDCARDS, allEnvironments: true, allRepositoriesOfOwner: true }))
      .toEqual([everyBranch(branch)]);
  });

  test.each(['release/*', 'a*', '*a', '?', 'v?'])('branch %j matches some branches only: accepted', (branch) => {
    expect(problems('branch', branch)).toEqual([]);
  });

  test('a tag of only wildcards is a tag pattern, not a branch', () => {
    expect(problems('tag', '*')).toEqual([]);
  });

  test.each(['*', '**', '?*'])('environment %j: refused, unless allowAllEnvironments', (environment) => {
    expect(problems('environment', environment)).toEqual([everyEnvironment(environment)]);
    expect(subjectProblems(PROP, 'octo-org', 'octo-repo', 'environment', environment, { ...NO_WILDCARDS, allEnvironments: true })).toEqual([]);
    expect(subjectProblems(PROP, 'octo-org', 'octo-repo', 'environment', environment, { ...NO_WILDCARDS, allBranches: true, allRepositoriesOfOwner: true }))
      .toEqual([everyEnvironment(environment)]);
  });

  test.each(['prod*', '*-eu', '?'])('environment %j matches some environments only: accepted', (environment) => {
    expect(problems('environment', environment)).toEqual([]);
  });
});

test('a git ref name without wildcards allowed (a pipeline\'s branch) refuses * and ?', () => {
  expect([isGitRefName('main', false), isGitRefName('release/1.2', false), isGitRefName('release/*', false), isGitRefName('v?', false)])
    .toEqual([true, true, false, false]);
  expect([isGitRefName('release/*', true), isGitRefName('v?', true)]).toEqual([true, true]);
});
