export * from './promotion-pipeline';
export * from './deploy-role';
