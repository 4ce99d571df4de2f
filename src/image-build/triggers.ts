import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import { propProblem, userError } from '../private/errors';

/** When a Git source starts image builds. */
export interface WebhookTriggerOptions {
  /**
   * Build on pushes to these branches.
   * @default - no branch builds
   */
  readonly branches?: string[];
  /**
   * Build on pushed version tags `vX.Y.Z` (tagged as `X.Y.Z`).
   * @default true
   */
  readonly versionTags?: boolean;
}

/**
 * Webhook filters for the Git source of an `ImageBuildProject`: pass them to `Source.gitHub({ ..., webhookFilters })`
 * (or GitHub Enterprise, Bitbucket). A project driven by CodePipeline needs none.
 */
export class ImageBuildTriggers {
  /** Filter groups for branch pushes and `v*` tags. */
  public static webhookFilters(options: WebhookTriggerOptions): codebuild.FilterGroup[] {
    const branches = options.branches ?? [];
    const problems = [
      ...branches.filter((b) => b === '' || /\s/.test(b)).map((b) => propProblem('branches', b, 'a branch name is not empty and has no spaces.')),
      ...(branches.length === 0 && options.versionTags === false ? [propProblem('versionTags', false, 'with no branches either, nothing would start a build. Omit the webhook instead.')] : []),
    ];
    if (problems.length > 0) throw userError(`ImageBuildTriggers.webhookFilters(): ${problems.join('; ')}`);
    // CodeBuild reads HEAD_REF patterns as unanchored regular expressions: escape the names and anchor both ends,
    // or 'main' would also build 'maintenance'.
    const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const push = () => codebuild.FilterGroup.inEventOf(codebuild.EventAction.PUSH);
    return [
      ...branches.map((b) => push().andHeadRefIs(`^refs/heads/${escape(b)}$`)),
      ...(options.versionTags ?? true ? [push().andHeadRefIs('^refs/tags/v[0-9]+\\.[0-9]+\\.[0-9]+(-[0-9A-Za-z.-]+)?$')] : []),
    ];
  }
}
