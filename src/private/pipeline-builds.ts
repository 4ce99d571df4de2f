import { IConstruct } from 'constructs';

/**
 * The image builds an `ImagePromotionPipeline` runs. A build without a source of its own checks at synthesis that one
 * does, whatever stack the pipeline is in and whenever it was created.
 */
export const buildsInPipelines = new WeakSet<IConstruct>();
