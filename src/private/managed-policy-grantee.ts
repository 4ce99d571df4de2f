import * as iam from 'aws-cdk-lib/aws-iam';

/**
 * A grantee whose grants land in a customer managed policy of a role instead of the role's inline default policy
 * (NIST 800-53, HIPAA and PCI checks reject inline policies). Trust and identity stay the role's. `policy` may be a
 * function that picks the policy for each statement (to keep each policy within IAM's size limit).
 */
export function managedPolicyGrantee(role: iam.IRole,
  policy: iam.ManagedPolicy | ((statement: iam.PolicyStatement) => iam.ManagedPolicy)): iam.IGrantable {
  const policyFor = typeof policy === 'function' ? policy : () => policy;
  const principal: iam.IPrincipal = {
    grantPrincipal: undefined as unknown as iam.IPrincipal,
    assumeRoleAction: role.assumeRoleAction,
    policyFragment: role.policyFragment,
    principalAccount: role.principalAccount,
    addToPrincipalPolicy: (statement) => {
      const target = policyFor(statement);
      target.addStatements(statement);
      return { statementAdded: true, policyDependable: target };
    },
  };
  (principal as { grantPrincipal: iam.IPrincipal }).grantPrincipal = principal;
  return { grantPrincipal: principal };
}
