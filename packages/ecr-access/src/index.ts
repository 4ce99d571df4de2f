// SPDX-License-Identifier: AGPL-3.0-or-later
export * from './assembly';
export * from './capabilities';
export * from './errors';
export * from './managed-policies';
export * from './matrix';
export * from './model';
export * from './outsiders';
export * from './resolve';
export * from './why';
