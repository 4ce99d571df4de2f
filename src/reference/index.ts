export * from './image-reference';
export * from './registry-stack';
export * from './ecs-stack';
export * from './eks-stack';
export * from './platform';
export * from './lambda-stack';
export * from './delivery-stack';
export * from './organization-stack';
