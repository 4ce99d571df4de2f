// SPDX-License-Identifier: AGPL-3.0-or-later
/** Input the tool cannot answer about (a missing assembly, an unknown principal or repository): exit 2, one line. */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}
