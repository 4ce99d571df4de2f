/** IAM statements as templates hold them. */
export interface Statement {
  readonly Action: string | string[];
  readonly Effect?: string;
  readonly Resource?: unknown;
  readonly [key: string]: unknown;
}

const byJson = (a: unknown, b: unknown) => JSON.stringify(a).localeCompare(JSON.stringify(b));
const sortList = (v: unknown) => (Array.isArray(v) ? [...v].sort(byJson) : v);

/** Statements in a comparable order: IAM does not care about the order of statements, actions or resources, and CDK sorts them. */
export function sortedStatements(statements: readonly Statement[]): Statement[] {
  return statements.map((st) => ({ ...st, Action: sortList(st.Action) as string | string[], Resource: sortList(st.Resource) })).sort(byJson);
}
