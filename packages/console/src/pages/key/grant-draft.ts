import { GRANT_LIMITS } from '../../../../../contract/limits.js';
import type { CreateGrantRequest, GrantOperation } from '../../api/types.js';
import { principalArnError } from '../../components/principal-arns.js';
import { type ContextErrors, type ContextPair, contextErrors, contextOf } from './context-pairs.js';

export type ConstraintType = 'none' | 'contextEquals' | 'contextSubset';

/** The create-grant form as the user fills it in. */
export interface GrantDraft {
  readonly grantee: string;
  readonly operations: readonly GrantOperation[];
  readonly constraint: ConstraintType;
  readonly pairs: readonly ContextPair[];
  /** `YYYY-MM-DD`, as the date picker gives it; empty for the API's default, a year ahead. */
  readonly expiryDate: string;
  readonly name: string;
}

export const EMPTY_GRANT: GrantDraft = { grantee: '', operations: [], constraint: 'none', pairs: [], expiryDate: '', name: '' };

export interface GrantErrors {
  readonly grantee?: string;
  readonly operations?: string;
  readonly pairs?: ContextErrors;
  readonly expiryDate?: string;
  readonly name?: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const NAME_PATTERN = /^[a-zA-Z0-9:/_-]+$/;

/** A picked day expires at its start, local time: a day picked up to a year ahead is then within the API's limit. */
export function expiryOf(date: string): Date {
  const [year, month, day] = date.split('-').map(Number);
  return new Date(year!, month! - 1, day!);
}

/** Whether a grant may expire at that moment: in the future, and at most `GRANT_LIMITS.maxLifetimeDays` ahead. */
export const isAllowedExpiry = (expiry: Date, now: Date): boolean =>
  expiry.getTime() > now.getTime() && expiry.getTime() <= now.getTime() + GRANT_LIMITS.maxLifetimeDays * DAY_MS;

/** The form's errors, field by field, as the API would answer them. */
export function grantErrors(draft: GrantDraft, now: Date): GrantErrors {
  return {
    grantee: draft.grantee === '' ? 'Enter the principal ARN of the grantee.' : principalArnError(draft.grantee),
    operations: draft.operations.length === 0 ? 'Choose at least one operation.' : undefined,
    pairs: draft.constraint === 'none' ? undefined : constraintErrors(draft.pairs),
    expiryDate:
      draft.expiryDate === '' || isAllowedExpiry(expiryOf(draft.expiryDate), now)
        ? undefined
        : `Choose a day after today and at most ${GRANT_LIMITS.maxLifetimeDays} days ahead.`,
    name: nameError(draft.name),
  };
}

function constraintErrors(pairs: readonly ContextPair[]): ContextErrors {
  const errors = contextErrors(pairs);
  return pairs.length === 0 ? { ...errors, list: 'Add at least one pair, or choose no constraint.' } : errors;
}

function nameError(name: string): string | undefined {
  if (name === '') return undefined;
  if (name.length > GRANT_LIMITS.maxNameLength) return `At most ${GRANT_LIMITS.maxNameLength} characters.`;
  return NAME_PATTERN.test(name) ? undefined : 'Use letters, digits and : / _ - only.';
}

export const hasGrantErrors = (errors: GrantErrors): boolean =>
  Boolean(errors.grantee ?? errors.operations ?? errors.expiryDate ?? errors.name) ||
  (errors.pairs !== undefined && (errors.pairs.list !== undefined || errors.pairs.rows.some(Boolean)));

/** The API's request for a valid draft. */
export function grantRequestOf(draft: GrantDraft): CreateGrantRequest {
  const context = contextOf(draft.pairs);
  return {
    grantee: draft.grantee,
    operations: [...draft.operations],
    ...(draft.constraint === 'contextEquals' ? { constraints: { contextEquals: context } } : {}),
    ...(draft.constraint === 'contextSubset' ? { constraints: { contextSubset: context } } : {}),
    ...(draft.expiryDate === '' ? {} : { expiresAt: expiryOf(draft.expiryDate).toISOString() }),
    ...(draft.name === '' ? {} : { name: draft.name }),
  };
}
