export * from './image-function';
