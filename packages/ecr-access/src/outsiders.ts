// SPDX-License-Identifier: AGPL-3.0-or-later
/**
 * Principals outside the assembly. Their identity policies are not in the assembly; `AccessModel.evaluate` says what
 * that means for a request.
 */
import type { Principal } from './model';

/** A principal outside the assembly, by ARN. */
export function outsider(arn: string): Principal {
  return { name: arn, kind: 'external', arn, account: arn.split(':')[4], policies: [], unknown: [], identityUnknown: true };
}
