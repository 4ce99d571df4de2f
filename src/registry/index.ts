export * from './pull-through-cache';
