export { ActionType, CountType, StorageClass, TagStatus } from './types';
export type { LifecyclePolicyDocument, LifecycleRuleAction, LifecycleRuleDocument, LifecycleRuleSelection } from './types';
export * from './rule';
export * from './policy';
export * from './presets';
