export * from './options';
export * from './project';
export * from './triggers';
