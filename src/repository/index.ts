export * from './repository';
export * from './settings';
