import { Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/** Acknowledges compliance findings on one construct (and its children) for one reason. */
export function acknowledge(scope: IConstruct, reason: string, ...ids: string[]): void {
  Validations.of(scope).acknowledge(...ids.map((id) => ({ id, reason })));
}

/** The three packs whose rule ids differ only by their prefix. */
export function inEveryPack(rule: string): string[] {
  return ['NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321'].map((pack) => `${pack}-${rule}`);
}
