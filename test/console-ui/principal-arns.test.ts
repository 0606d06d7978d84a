import { describe, expect, it } from 'vitest';
import { MAX_POLICY_PRINCIPALS } from '../../contract/limits.js';
import {
  isValidPrincipalList,
  principalArnError,
  principalListErrors,
  samePrincipals,
} from '../../packages/console/src/components/principal-arns.js';

const ROLE = 'arn:aws:iam::111122223333:role/Team';
const USER = 'arn:aws:iam::111122223333:user/teammate';

describe('principalArnError', () => {
  it('accepts IAM users and roles, as the API does', () => {
    expect(principalArnError(ROLE)).toBeUndefined();
    expect(principalArnError(USER)).toBeUndefined();
    expect(principalArnError('arn:aws-us-gov:iam::111122223333:role/path/Team')).toBeUndefined();
  });

  it('refuses what the API refuses, saying why', () => {
    expect(principalArnError('')).toMatch(/Enter a principal ARN/);
    expect(principalArnError(` ${ROLE}`)).toMatch(/spaces/);
    expect(principalArnError('arn:aws:s3:::bucket')).toMatch(/IAM principal ARN/);
    expect(principalArnError('arn:aws:iam::1111:role/Team')).toMatch(/IAM principal ARN/);
  });

  it('names the role of a role session, which a policy must not name', () => {
    expect(principalArnError('arn:aws:sts::111122223333:assumed-role/Team/alice')).toContain(ROLE);
  });
});

describe('principalListErrors', () => {
  it('flags the later row of one identity named twice', () => {
    const errors = principalListErrors([ROLE, USER, ROLE]);
    expect(errors.rows).toEqual([undefined, undefined, 'Already listed, in row 1.']);
    expect(isValidPrincipalList(errors)).toBe(false);
  });

  it('needs one administrator when required, and no more than the limit', () => {
    expect(principalListErrors([], { required: true }).list).toMatch(/at least one/);
    expect(principalListErrors([]).list).toBeUndefined();
    const many = Array.from({ length: MAX_POLICY_PRINCIPALS + 1 }, (_, index) => `arn:aws:iam::111122223333:user/u${index}`);
    expect(principalListErrors(many).list).toMatch(`at most ${MAX_POLICY_PRINCIPALS}`);
    expect(isValidPrincipalList(principalListErrors(many.slice(1)))).toBe(true);
  });
});

describe('samePrincipals', () => {
  it('compares identities, whatever the order or a role path', () => {
    expect(samePrincipals([ROLE, USER], [USER, ROLE])).toBe(true);
    expect(samePrincipals(['arn:aws:iam::111122223333:role/path/Team'], [ROLE])).toBe(true);
    expect(samePrincipals([ROLE], [ROLE, USER])).toBe(false);
  });
});
