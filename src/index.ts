export * from './lifecycle';
export * from './repository';
export * from './scanning';
export * from './registry';
export * from './image-build';
export * from './reference';
export * from './github-actions';
export * from './lambda';
