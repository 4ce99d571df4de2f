/**
 * Severity of a vulnerability finding, shared by basic scanning (ECR) and enhanced scanning (Amazon Inspector).
 */
export enum FindingSeverity {
  /** Critical. */
  CRITICAL = 'CRITICAL',
  /** High. */
  HIGH = 'HIGH',
  /** Medium. */
  MEDIUM = 'MEDIUM',
  /** Low. */
  LOW = 'LOW',
  /** Informational. */
  INFORMATIONAL = 'INFORMATIONAL',
  /** Not yet rated (`UNDEFINED` in basic scanning, `UNTRIAGED` in Inspector). */
  UNDEFINED = 'UNDEFINED',
}

/** Most severe first. */
export const SEVERITY_ORDER: readonly FindingSeverity[] = [
  FindingSeverity.CRITICAL, FindingSeverity.HIGH, FindingSeverity.MEDIUM,
  FindingSeverity.LOW, FindingSeverity.INFORMATIONAL, FindingSeverity.UNDEFINED,
];

/** The severities at or above `minimum`, most severe first. */
export function severitiesAtOrAbove(minimum: FindingSeverity): FindingSeverity[] {
  return SEVERITY_ORDER.slice(0, SEVERITY_ORDER.indexOf(minimum) + 1);
}

/** Inspector's name of a severity. */
export function inspectorSeverity(severity: FindingSeverity): string {
  return severity === FindingSeverity.UNDEFINED ? 'UNTRIAGED' : severity;
}
