export * from './promotion-pipeline';
