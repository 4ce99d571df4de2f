import { Lazy, Stack, Token, TokenComparison } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as signer from 'aws-cdk-lib/aws-signer';
import { Construct } from 'constructs';
import { filterListProblems, signingFilterProblems } from './validation';
import { propProblem, reportProblems, throwIfProblems } from '../private/errors';
import { registrySingletonProblems } from '../private/registry-singleton';
import { resolvedOnly } from '../private/tokens';

/** ECR's limit on the rules of a signing configuration. */
export const MAX_SIGNING_RULES = 10;
/** The AWS Signer platform of container image signatures (Notation). */
export const NOTATION_PLATFORM_ID = signer.Platform.NOTATION_OCI_SHA384_ECDSA.platformId;

/** One managed signing rule. */
export interface SigningRule {
  /** The AWS Signer profile that signs (platform `Notation-OCI-SHA384-ECDSA`, in this registry's region). */
  readonly signingProfile: signer.ISigningProfile;
  /**
   * Only repositories matching these filters (`*` matches any characters), at most 100.
   * @default - every repository
   */
  readonly repositoryFilters?: string[];
}

/** Properties of a `RegistrySigning`. */
export interface RegistrySigningProps {
  /**
   * The rules; more can be added with `addRule`. ECR takes at most 10. An image matching several rules gets a
   * signature per rule.
   * @default - none; add them with `addRule`
   */
  readonly rules?: SigningRule[];
}

/**
 * Managed signing of the registry of this stack's account and region: ECR signs each pushed image with AWS Signer, as
 * the pusher (who needs `signer:SignPayload` on the profile: `grantSign`). Signatures are stored next to the image in
 * its repository (and count towards its image quota and lifecycle rules). One per account and region.
 */
export class RegistrySigning extends Construct {
  private readonly rules: SigningRule[] = [];

  constructor(scope: Construct, id: string, props: RegistrySigningProps = {}) {
    super(scope, id);
    reportProblems(this, registrySingletonProblems(this, 'signing configuration'));
    (props.rules ?? []).forEach((rule, i) => {
      reportProblems(this, this.ruleProblems(`rules[${i}].`, rule));
      this.rules.push(rule);
    });
    this.node.addValidation({
      validate: () => {
        if (this.rules.length === 0) return [propProblem('rules', [], 'a signing configuration without rules signs nothing. Add a rule, or remove the construct.')];
        return this.rules.length > MAX_SIGNING_RULES
          ? [propProblem('rules', `${this.rules.length} rules`, `ECR takes at most ${MAX_SIGNING_RULES}. Merge rules that use the same profile.`)] : [];
      },
    });
    new ecr.CfnSigningConfiguration(this, 'Resource', {
      rules: Lazy.any({
        produce: () => this.rules.map((rule) => ({
          signingProfileArn: rule.signingProfile.signingProfileArn,
          repositoryFilters: rule.repositoryFilters?.map((filter) => ({ filter, filterType: 'WILDCARD_MATCH' })),
        })),
      }),
    });
  }

  /** Adds a rule; its problems are reported at this line. */
  public addRule(rule: SigningRule): void {
    throwIfProblems(this, this.ruleProblems('', rule));
    this.rules.push(rule);
  }

  /** Lets pushers have their pushes signed: `signer:SignPayload` on every profile of the rules. */
  public grantSign(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({ grantee, actions: ['signer:SignPayload'], resourceArns: this.profileArns() });
  }

  /**
   * Lets a verifier (Notation with the AWS Signer plugin, in a deployment gate or an admission controller) check the
   * signatures' revocation status. Pulling the image and its signatures is a pull grant on the repository.
   */
  public grantVerify(grantee: iam.IGrantable): iam.Grant {
    // GetRevocationStatus has no resource scope in the Service Authorization Reference.
    return iam.Grant.addToPrincipal({ grantee, actions: ['signer:GetRevocationStatus'], resourceArns: ['*'] });
  }

  private profileArns(): string[] {
    return [...new Set(this.rules.map((r) => r.signingProfile.signingProfileArn))];
  }

  private ruleProblems(at: string, rule: SigningRule): string[] {
    const problems: string[] = [];
    const profile = rule.signingProfile;
    const platform = profile.node.defaultChild instanceof signer.CfnSigningProfile ? profile.node.defaultChild.platformId : undefined;
    if (platform !== undefined && !Token.isUnresolved(platform) && platform !== NOTATION_PLATFORM_ID) {
      problems.push(propProblem(`${at}signingProfile`, platform, `container images are signed on the ${NOTATION_PLATFORM_ID} platform. `
        + 'Create the profile with signer.Platform.NOTATION_OCI_SHA384_ECDSA.'));
    }
    const region = profile.env.region;
    const stack = Stack.of(this);
    if (Token.compareStrings(region, stack.region) === TokenComparison.DIFFERENT) {
      problems.push(propProblem(`${at}signingProfile`, profile.node.path, `is a profile of ${region}; ECR signs with a profile `
        + `of the registry's own region (${stack.region}). Create a profile there.`));
    }
    if (rule.repositoryFilters !== undefined) {
      if (rule.repositoryFilters.length === 0) {
        problems.push(propProblem(`${at}repositoryFilters`, [], 'name at least one filter, or omit the list to sign every repository.'));
      }
      problems.push(...filterListProblems(`${at}repositoryFilters`, resolvedOnly(rule.repositoryFilters), signingFilterProblems));
    }
    return problems;
  }
}
