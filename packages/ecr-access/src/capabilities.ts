// SPDX-License-Identifier: AGPL-3.0-or-later
import { InputError } from './errors';

/** What a reviewer asks about a repository, as the ECR actions each needs (Amazon ECR API Reference, "Actions"). */
export interface Capability {
  readonly name: string;
  readonly actions: readonly string[];
  /** `all`: every action is needed (a pull needs both the manifest and the layers); `any`: one is enough to do harm. */
  readonly needs: 'all' | 'any';
  /** `registry`: the action has no resource (`ecr:GetAuthorizationToken`), asked once per principal. */
  readonly scope: 'repository' | 'registry';
}

export const PULL: Capability = { name: 'pull', actions: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'], needs: 'all', scope: 'repository' };
export const PUSH: Capability = {
  name: 'push',
  actions: ['ecr:BatchCheckLayerAvailability', 'ecr:InitiateLayerUpload', 'ecr:UploadLayerPart', 'ecr:CompleteLayerUpload', 'ecr:PutImage'],
  needs: 'all',
  scope: 'repository',
};
/**
 * Pointing a tag at an image the repository holds needs `ecr:PutImage` alone (with a manifest read from anywhere): a
 * principal that cannot upload layers may still move `prod` to another digest.
 */
export const TAG: Capability = { name: 'tag', actions: ['ecr:PutImage'], needs: 'any', scope: 'repository' };
export const LOGIN: Capability = { name: 'login', actions: ['ecr:GetAuthorizationToken'], needs: 'all', scope: 'registry' };
export const DELETE: Capability = { name: 'delete', actions: ['ecr:BatchDeleteImage'], needs: 'any', scope: 'repository' };
/** Administration of the repository itself: who may change who has access, what expires, or remove it all. */
export const ADMIN: readonly Capability[] = [
  { name: 'policy', actions: ['ecr:SetRepositoryPolicy', 'ecr:DeleteRepositoryPolicy'], needs: 'any', scope: 'repository' },
  { name: 'lifecycle', actions: ['ecr:PutLifecyclePolicy', 'ecr:DeleteLifecyclePolicy'], needs: 'any', scope: 'repository' },
  { name: 'repository deletion', actions: ['ecr:DeleteRepository'], needs: 'any', scope: 'repository' },
];

/** Every capability by the name `why --action` takes (`admin` is all three administrative ones). */
export const CAPABILITIES: Readonly<Record<string, readonly Capability[]>> = {
  pull: [PULL], push: [PUSH], tag: [TAG], login: [LOGIN], delete: [DELETE], admin: ADMIN,
};

/** The answer to an action that is neither a capability nor an action ECR has. */
export function unknownAction(action: string): InputError {
  return new InputError(`unknown action '${action}': give ${Object.keys(CAPABILITIES).join(', ')} or an ECR action such as ecr:BatchGetImage.`);
}
