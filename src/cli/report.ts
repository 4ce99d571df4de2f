/**
 * `ecr-lifecycle report`: the layout of the directory a shell loop over the AWS CLI writes for a whole registry, and the
 * ranking of its repositories. Pure; the command reads the files one repository at a time.
 *
 *   DIR/repositories.json       aws ecr describe-repositories
 *   DIR/NAME.images.json        aws ecr describe-images --repository-name NAME --filter imageStatus=ANY
 *   DIR/NAME.policy.json        aws ecr get-lifecycle-policy --repository-name NAME, absent when it has none
 *
 * where NAME is the repository name with each '/' written '%2F' (a name never holds '%'), so one flat directory holds
 * `team/app` and `team` side by side.
 */
import { InputError, isObject, show } from './input';
import { StorageTotals, storedBytes } from './savings';

export const REPOSITORIES_FILE = 'repositories.json';

export function repositoryFiles(repositoryName: string): { readonly images: string; readonly policy: string } {
  const base = repositoryName.replace(/\//g, '%2F');
  return { images: `${base}.images.json`, policy: `${base}.policy.json` };
}

// The characters of ECR repository names (CreateRepository's pattern is stricter): none can step out of the directory.
const FILE_SAFE_NAME = /^[a-z0-9._/-]{2,256}$/;

/** The repository names of `aws ecr describe-repositories` output, in its order. */
export function repositoryNames(value: unknown, where: string): string[] {
  const repositories = isObject(value) ? value.repositories : undefined;
  if (!Array.isArray(repositories)) {
    throw new InputError(`${where}: expected the output of aws ecr describe-repositories, {"repositories": [...]}, got ${show(value)}`);
  }
  if ((value as Record<string, unknown>).nextToken != null || (value as Record<string, unknown>).NextToken != null) {
    throw new InputError(`${where}: has a nextToken, so it lists only some repositories; run aws ecr describe-repositories without --max-items or --no-paginate`);
  }
  return repositories.map((r, i) => {
    const name = isObject(r) ? r.repositoryName : undefined;
    if (typeof name !== 'string' || !FILE_SAFE_NAME.test(name)) {
      throw new InputError(`${where}: repositories[${i}]: repositoryName: got ${show(name)}; expected an ECR repository name. Pass the output of aws ecr describe-repositories unchanged`);
    }
    return name;
  });
}

/** What the report says of a repository besides its figures. */
export type RepositoryFlag =
  /** No lifecycle policy: it keeps every image. */
  | 'no-policy'
  /** No rule of its policy expires tagged images (tagStatus tagged or any with an expire action). */
  | 'never-expires-tagged'
  /** Its policy breaks ECR's rules as `validate` knows them; it was not previewed. */
  | 'invalid-policy';

export interface ReportRow {
  readonly repositoryName: string;
  readonly storage: StorageTotals;
  readonly flags: readonly RepositoryFlag[];
}

/** The repositories that store the most first; among equals, the one whose policy frees the most; then by name. */
export function rankRows(rows: readonly ReportRow[]): ReportRow[] {
  return [...rows].sort((a, b) => storedBytes(b.storage) - storedBytes(a.storage)
    || b.storage.expiringBytes - a.storage.expiringBytes
    || (a.repositoryName < b.repositoryName ? -1 : a.repositoryName > b.repositoryName ? 1 : 0));
}
