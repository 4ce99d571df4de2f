import * as ecr from 'aws-cdk-lib/aws-ecr';
import { ImageRepository } from '../repository/repository';

/**
 * The name a repository is declared with: an `ImageRepository`'s literal name (its `repositoryName` attribute is a
 * reference, which from another stack would be an export), else the name the repository gives; undefined for an
 * `ImageRepository` of a generated name.
 */
export function declaredRepositoryName(repository: ecr.IRepository): string | undefined {
  return repository instanceof ImageRepository ? (repository.node.defaultChild as ecr.CfnRepository).repositoryName : repository.repositoryName;
}
