import { createValidatedPolicy, validateResourcePolicy } from '@cloud-copilot/iam-policy';
import { anonymousPrincipal, runSimulation, runUnsafeSimulation, type Simulation } from '@cloud-copilot/iam-simulate';

/**
 * IAM policy evaluation for the local rehearsal, by @cloud-copilot/iam-simulate (AGPL-3.0: it
 * runs only in the local runtime and the tests, never in a Lambda bundle). It evaluates identity
 * and resource policies with every condition operator, same- and cross-account rules, and KMS's
 * key-policy trust (a key policy that allows the account root delegates to IAM policies).
 */
export type PolicyDocument = { readonly Version?: string; readonly Statement: readonly object[] | object };

export interface NamedPolicy {
  readonly name: string;
  readonly document: PolicyDocument;
}

/** Who asks: a signed principal, or nobody (an unsigned request). */
export interface RequestingPrincipal {
  /** The caller's ARN as AWS reports it: a user, or an assumed-role session. */
  readonly arn: string;
  /** `aws:PrincipalArn`: for a session, the role it belongs to. */
  readonly principalArn: string;
  readonly policies: readonly NamedPolicy[];
}

export interface AccessQuestion {
  readonly principal: RequestingPrincipal | 'anonymous';
  readonly action: string;
  readonly resource: string;
  readonly resourceAccount: string;
  readonly resourcePolicy?: PolicyDocument;
  readonly context?: Readonly<Record<string, string | string[]>>;
}

export type AccessDecision = { readonly allowed: true } | { readonly allowed: false; readonly message: string };

const MEMO_LIMIT = 10_000;

/** Decides access questions; policies never change while the runtime runs, so answers are memoized. */
export class PolicyEvaluator {
  private readonly memo = new Map<string, Promise<AccessDecision>>();

  decide(question: AccessQuestion): Promise<AccessDecision> {
    const key = JSON.stringify(question);
    let decision = this.memo.get(key);
    if (!decision) {
      if (this.memo.size >= MEMO_LIMIT) this.memo.clear();
      decision = evaluate(question);
      this.memo.set(key, decision);
    }
    return decision;
  }
}

async function evaluate(question: AccessQuestion): Promise<AccessDecision> {
  const { principal } = question;
  const signed = principal !== 'anonymous';
  const simulation: Simulation = {
    request: {
      principal: signed ? principal.arn : anonymousPrincipal,
      action: question.action,
      resource: { resource: question.resource, accountId: question.resourceAccount },
      contextVariables: {
        ...(signed && { 'aws:PrincipalArn': principal.principalArn, 'aws:PrincipalAccount': accountOf(principal.arn) }),
        ...question.context,
      },
    },
    identityPolicies: signed ? principal.policies.map(({ name, document }) => ({ name, policy: document })) : [],
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    ...(question.resourcePolicy && { resourcePolicy: question.resourcePolicy }),
  };
  const result = await decideValidated(simulation);
  if (result === 'Allowed') return { allowed: true };
  const who = signed ? principal.arn : 'anonymous';
  return {
    allowed: false,
    message: `User: ${who} is not authorized to perform: ${question.action} on resource: ${question.resource} ${why(question, result)}`,
  };
}

/**
 * Validates the simulation (policies, action, resource), then evaluates it with every context key.
 * iam-simulate's validated entry point drops context keys it cannot match to the action, and it
 * matches templated keys only in the `prefix/name` form (`aws:PrincipalTag/team`), so KMS's
 * `kms:EncryptionContext:<key>` would silently vanish; the unvalidated entry point keeps them.
 */
async function decideValidated(simulation: Simulation): Promise<string> {
  const validated = await runSimulation(simulation, {});
  if (validated.resultType === 'error') throw new Error(`IAM simulation of ${simulation.request.action} failed: ${validated.errors.message}`);
  // The unvalidated entry point needs the resource policy with a name, which only a validated policy carries.
  const resourcePolicy =
    simulation.resourcePolicy && createValidatedPolicy(simulation.resourcePolicy, validateResourcePolicy, { name: 'resource policy' });
  return runUnsafeSimulation({ ...simulation, resourcePolicy }, {});
}

/** The clause AWS appends to a denial, naming the kind of policy that did not allow the action. */
function why(question: AccessQuestion, result: string): string {
  if (result === 'ExplicitlyDenied') return 'with an explicit deny in a policy';
  const crossAccount = question.principal === 'anonymous' || accountOf(question.principal.arn) !== question.resourceAccount;
  return `because no ${crossAccount ? 'resource-based' : 'identity-based'} policy allows the ${question.action} action`;
}

export function accountOf(arn: string): string {
  return arn.split(':')[4] ?? '';
}
