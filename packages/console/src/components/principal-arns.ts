import { MAX_POLICY_PRINCIPALS } from '../../../../contract/limits.js';
import { isRoleSession, PRINCIPAL_ARN_PATTERN, principalIdentity } from '../../../../lambdas/domain/principals.js';

/** What is wrong with one principal ARN, as the API's key policy validation would say; undefined if nothing. */
export function principalArnError(arn: string): string | undefined {
  const value = arn.trim();
  if (value === '') return 'Enter a principal ARN, or remove this row.';
  if (value !== arn) return 'Remove the spaces around the ARN.';
  if (!PRINCIPAL_ARN_PATTERN.test(value)) return 'Must be an IAM principal ARN, such as arn:aws:iam::111122223333:role/Team.';
  // The API refuses a role session: it ends, the role stays.
  if (isRoleSession(value)) return `A role session ends: name its role instead, ${principalIdentity(value)}.`;
  return undefined;
}

export interface PrincipalListErrors {
  /** One entry per row, in order: the row's error, or undefined. */
  readonly rows: readonly (string | undefined)[];
  /** What is wrong with the list as a whole (too many, or none where one is needed). */
  readonly list: string | undefined;
}

/**
 * Validates a list as the key policy does: each ARN well formed, at most `MAX_POLICY_PRINCIPALS`,
 * and, for administrators, at least one. The API would merge two ARNs of one identity (a role and
 * its session); saying so at the row is clearer.
 */
export function principalListErrors(arns: readonly string[], { required = false } = {}): PrincipalListErrors {
  const firstRow = new Map<string, number>();
  const rows = arns.map((arn, index) => {
    const error = principalArnError(arn);
    if (error !== undefined) return error;
    const identity = principalIdentity(arn);
    const earlier = firstRow.get(identity);
    if (earlier !== undefined) return `Already listed, in row ${earlier + 1}.`;
    firstRow.set(identity, index);
    return undefined;
  });
  return { rows, list: listError(arns.length, required) };
}

function listError(count: number, required: boolean): string | undefined {
  if (count > MAX_POLICY_PRINCIPALS)
    return `A key policy names at most ${MAX_POLICY_PRINCIPALS} principals here; remove ${count - MAX_POLICY_PRINCIPALS}.`;
  if (required && count === 0) return 'Add at least one: without an administrator nobody could ever manage the key again.';
  return undefined;
}

/** True when the list would pass the API's validation. */
export const isValidPrincipalList = (errors: PrincipalListErrors): boolean =>
  errors.list === undefined && errors.rows.every((row) => row === undefined);

/** The same identities, whatever the order or the ARN form (a role's session or path). */
export function samePrincipals(a: readonly string[], b: readonly string[]): boolean {
  const identities = (arns: readonly string[]) => [...new Set(arns.map(principalIdentity))].sort();
  return identities(a).join('\n') === identities(b).join('\n');
}
