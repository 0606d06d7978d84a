import { describe, expect, it } from 'vitest';
import { isSamePrincipal, principalIdentity } from '../../lambdas/domain/principals.js';

describe('principal identity', () => {
  it('treats an assumed-role session as its role, whatever the role path', () => {
    const session = 'arn:aws:sts::111122223333:assumed-role/Payments/lambda-session';
    expect(principalIdentity(session)).toBe('arn:aws:iam::111122223333:role/Payments');
    expect(isSamePrincipal(session, 'arn:aws:iam::111122223333:role/service/Payments')).toBe(true);
  });

  it('keeps users, other accounts and other roles apart', () => {
    const session = 'arn:aws:sts::111122223333:assumed-role/Payments/s';
    expect(isSamePrincipal(session, 'arn:aws:iam::444455556666:role/Payments')).toBe(false);
    expect(isSamePrincipal(session, 'arn:aws:iam::111122223333:role/Billing')).toBe(false);
    expect(isSamePrincipal('arn:aws:iam::111122223333:user/alice', 'arn:aws:iam::111122223333:user/bob')).toBe(false);
    expect(principalIdentity('arn:aws:iam::111122223333:user/alice')).toBe('arn:aws:iam::111122223333:user/alice');
  });
});
