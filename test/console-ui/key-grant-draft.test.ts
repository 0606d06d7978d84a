import { describe, expect, it } from 'vitest';
import { GRANT_LIMITS } from '../../contract/limits.js';
import {
  EMPTY_GRANT,
  expiryOf,
  type GrantDraft,
  grantErrors,
  grantRequestOf,
  hasGrantErrors,
  isAllowedExpiry,
} from '../../packages/console/src/pages/key/grant-draft.js';
import { describeConstraints } from '../../packages/console/src/pages/key/grant-text.js';

const now = new Date(2026, 0, 15, 10, 30);
const valid: GrantDraft = { ...EMPTY_GRANT, grantee: 'arn:aws:iam::111122223333:role/Team', operations: ['encrypt', 'decrypt'] };
const dayAhead = (days: number) => {
  const date = new Date(now.getFullYear(), now.getMonth(), now.getDate() + days);
  return `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}-${String(date.getDate()).padStart(2, '0')}`;
};

describe('grant draft', () => {
  it('makes the smallest request for the defaults', () => {
    expect(hasGrantErrors(grantErrors(valid, now))).toBe(false);
    expect(grantRequestOf(valid)).toEqual({ grantee: valid.grantee, operations: ['encrypt', 'decrypt'] });
  });

  it('carries a constraint, an expiry and a name', () => {
    const draft: GrantDraft = {
      ...valid,
      constraint: 'contextSubset',
      pairs: [{ key: 'table', value: 'orders' }],
      expiryDate: dayAhead(30),
      name: 'etl/nightly',
    };
    expect(hasGrantErrors(grantErrors(draft, now))).toBe(false);
    expect(grantRequestOf(draft)).toEqual({
      grantee: valid.grantee,
      operations: ['encrypt', 'decrypt'],
      constraints: { contextSubset: { table: 'orders' } },
      expiresAt: expiryOf(dayAhead(30)).toISOString(),
      name: 'etl/nightly',
    });
    expect(grantRequestOf({ ...draft, constraint: 'contextEquals' }).constraints).toEqual({ contextEquals: { table: 'orders' } });
  });

  it('refuses at each field what the API refuses', () => {
    const errors = grantErrors(
      {
        grantee: 'arn:aws:sts::111122223333:assumed-role/Team/s1',
        operations: [],
        constraint: 'contextEquals',
        pairs: [],
        expiryDate: dayAhead(0),
        name: 'no spaces',
      },
      now,
    );
    expect(errors.grantee).toMatch(/role session/);
    expect(errors.operations).toMatch(/at least one/);
    expect(errors.pairs?.list).toMatch(/at least one pair/);
    expect(errors.expiryDate).toMatch(String(GRANT_LIMITS.maxLifetimeDays));
    expect(errors.name).toMatch(/letters, digits/);
    expect(hasGrantErrors(errors)).toBe(true);
  });

  it('allows an expiry from tomorrow to a year ahead', () => {
    expect(isAllowedExpiry(expiryOf(dayAhead(1)), now)).toBe(true);
    expect(isAllowedExpiry(expiryOf(dayAhead(GRANT_LIMITS.maxLifetimeDays)), now)).toBe(true);
    expect(isAllowedExpiry(expiryOf(dayAhead(GRANT_LIMITS.maxLifetimeDays + 1)), now)).toBe(false);
    expect(isAllowedExpiry(expiryOf(dayAhead(0)), now)).toBe(false);
  });

  it('refuses a name longer than the limit', () => {
    expect(grantErrors({ ...valid, name: 'a'.repeat(GRANT_LIMITS.maxNameLength + 1) }, now).name).toMatch(String(GRANT_LIMITS.maxNameLength));
  });
});

describe('describeConstraints', () => {
  it('names the constraint and its pairs', () => {
    expect(describeConstraints(null)).toBe('-');
    expect(describeConstraints({ contextEquals: { table: 'orders', tenant: '7' } })).toBe('Context equals: table=orders, tenant=7');
    expect(describeConstraints({ contextSubset: { table: 'orders' } })).toBe('Context includes: table=orders');
    expect(describeConstraints({ contextSubset: {} })).toBe('Context includes: (no pairs)');
  });
});
