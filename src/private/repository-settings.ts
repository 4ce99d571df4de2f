/** How the repository settings render and what is wrong with them, for repositories and creation templates alike. */
import { Duration, RemovalPolicy, Stack, Token, TokenComparison } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { IConstruct } from 'constructs';
import { propProblem } from './errors';
import { LifecyclePolicy } from '../lifecycle/policy';
import { LifecyclePresets } from '../lifecycle/presets';
import { DEFAULT_UNTAGGED_RETENTION_DAYS, RepositoryOptions, RepositorySettings } from '../repository/settings';
import { allTagsMutableProblems, exclusionFilterProblems } from '../repository/validation';

/** The lifecycle policy of a repository, a copy of the given one or the default. */
export function lifecyclePolicyOf(settings: RepositorySettings): LifecyclePolicy {
  return settings.lifecyclePolicy?.copy()
    ?? new LifecyclePolicy({ rules: [LifecyclePresets.expireUntagged(Duration.days(DEFAULT_UNTAGGED_RETENTION_DAYS))] });
}

export function tagMutabilityOf(settings: RepositorySettings): string {
  if (settings.mutableTagPatterns) return ecr.TagMutability.IMMUTABLE_WITH_EXCLUSION;
  if (settings.immutableTagPatterns) return ecr.TagMutability.MUTABLE_WITH_EXCLUSION;
  return settings.tagMutability ?? ecr.TagMutability.IMMUTABLE;
}

/** The exclusion filters, as CloudFormation takes them for repositories and creation templates alike. */
export function exclusionFiltersOf(filters: readonly string[]) {
  return filters.length === 0 ? undefined : filters.map((filter) => ({
    imageTagMutabilityExclusionFilterType: 'WILDCARD',
    imageTagMutabilityExclusionFilterValue: filter,
  }));
}

export function encryptionOf(settings: RepositorySettings): { encryptionType: string; kmsKey?: string } {
  const type = settings.encryption ?? (settings.encryptionKey ? ecr.RepositoryEncryption.KMS : ecr.RepositoryEncryption.AES_256);
  return { encryptionType: type.value, kmsKey: settings.encryptionKey?.keyArn };
}

/** Problems of the settings of the repositories `scope` declares (or has ECR create), each naming its prop. */
export function settingsProblems(scope: IConstruct, settings: RepositorySettings): string[] {
  return [...mutabilityProblems(settings), ...encryptionProblems(scope, settings)];
}

export function removalProblems(options: RepositoryOptions): string[] {
  if (!options.emptyOnDelete || (options.removalPolicy ?? RemovalPolicy.RETAIN) === RemovalPolicy.DESTROY) return [];
  return [propProblem('emptyOnDelete', true, `deletes every image, so it needs removalPolicy DESTROY (got ${options.removalPolicy?.toUpperCase() ?? 'the default RETAIN'}). `
    + 'Set removalPolicy: RemovalPolicy.DESTROY as well, or drop emptyOnDelete.')];
}

function mutabilityProblems(settings: RepositorySettings): string[] {
  const problems: string[] = [];
  const mode = settings.tagMutability;
  if (mode === ecr.TagMutability.IMMUTABLE_WITH_EXCLUSION || mode === ecr.TagMutability.MUTABLE_WITH_EXCLUSION) {
    problems.push(propProblem('tagMutability', mode, "the exclusion modes follow from the patterns. Set 'mutableTagPatterns' (or, with MUTABLE, 'immutableTagPatterns') instead."));
  }
  if (settings.mutableTagPatterns && settings.immutableTagPatterns) {
    problems.push(propProblem('immutableTagPatterns', settings.immutableTagPatterns, "cannot be combined with 'mutableTagPatterns'. Keep the list that matches tagMutability."));
  } else if (settings.mutableTagPatterns && mode === ecr.TagMutability.MUTABLE) {
    problems.push(propProblem('mutableTagPatterns', settings.mutableTagPatterns, 'only applies to an immutable repository, and tagMutability is MUTABLE. Drop tagMutability to keep the other tags immutable.'));
  } else if (settings.immutableTagPatterns && mode !== ecr.TagMutability.MUTABLE) {
    problems.push(propProblem('immutableTagPatterns', settings.immutableTagPatterns, 'only applies with tagMutability MUTABLE; every tag is already immutable. Drop the list.'));
  }
  const filters = settings.mutableTagPatterns ?? settings.immutableTagPatterns;
  const prop = settings.mutableTagPatterns ? 'mutableTagPatterns' : 'immutableTagPatterns';
  if (filters && !filters.some((f) => Token.isUnresolved(f))) problems.push(...exclusionFilterProblems(prop, filters));
  settings.mutableTagPatterns?.forEach((pattern, i) => problems.push(...allTagsMutableProblems(`mutableTagPatterns[${i}]`, pattern)));
  return problems;
}

function encryptionProblems(scope: IConstruct, settings: RepositorySettings): string[] {
  const key = settings.encryptionKey;
  if (key && settings.encryption === ecr.RepositoryEncryption.AES_256) {
    return [propProblem('encryptionKey', key.node.path, 'is only used with KMS or KMS_DSSE encryption, and encryption is AES256. Drop the key or set encryption to KMS.')];
  }
  // ECR EncryptionConfiguration.kmsKey: "The key must exist in the same Region as the repository."
  const region = Stack.of(scope).region;
  if (key && Token.compareStrings(key.env.region, region) === TokenComparison.DIFFERENT) {
    return [propProblem('encryptionKey', key.node.path, `is a key of ${key.env.region}, and ECR encrypts a repository only with a key of the repository's own region (${region}). `
      + `Use a key of ${region} (a multi-Region replica key, if it must be the same key).`)];
  }
  return [];
}
