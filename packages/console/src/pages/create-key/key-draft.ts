import { ALIAS_PATTERN, ALIAS_PREFIX, MAX_DESCRIPTION_LENGTH } from '../../../../../contract/limits.js';
import type { CreateKeyRequest, KeyPolicy } from '../../api/types.js';
import { isValidPrincipalList, principalListErrors, samePrincipals } from '../../components/principal-arns.js';
import { type TagRow, tagsError, tagsOf } from '../../components/tags.js';

/** What the create wizard has gathered so far. */
export interface KeyDraft {
  readonly alias: string;
  readonly description: string;
  readonly tags: readonly TagRow[];
  /** Administrators besides the creator, whom the API always makes the first one. */
  readonly admins: readonly string[];
  /** Users besides the creator, if `creatorIsUser`. */
  readonly users: readonly string[];
  /** Whether the creator stays a user of the key, as the API makes it. */
  readonly creatorIsUser: boolean;
}

export const EMPTY_DRAFT: KeyDraft = { alias: '', description: '', tags: [], admins: [], users: [], creatorIsUser: true };

/** The wizard's steps, in order. */
export const STEPS = ['details', 'tags', 'admins', 'users', 'review'] as const;
export type Step = (typeof STEPS)[number];

export function aliasError(alias: string): string | undefined {
  if (alias === '') return undefined;
  if (alias.startsWith(ALIAS_PREFIX)) return `Enter the name without ${ALIAS_PREFIX}.`;
  if (!ALIAS_PATTERN.test(alias)) return 'Must be 1 to 64 letters, digits, _ and -.';
  return undefined;
}

export function descriptionError(description: string): string | undefined {
  return description.length > MAX_DESCRIPTION_LENGTH ? `At most ${MAX_DESCRIPTION_LENGTH} characters; this has ${description.length}.` : undefined;
}

/** Whether the step's fields pass the API's validation, so the wizard may go on. */
export function stepIsValid(step: Step, draft: KeyDraft): boolean {
  switch (step) {
    case 'details':
      return aliasError(draft.alias) === undefined && descriptionError(draft.description) === undefined;
    case 'tags':
      return tagsError(draft.tags) === undefined;
    case 'admins':
      return isValidPrincipalList(principalListErrors(draft.admins));
    case 'users':
      return isValidPrincipalList(principalListErrors(draft.users));
    case 'review':
      return STEPS.slice(0, -1).every((earlier) => stepIsValid(earlier, draft));
  }
}

/** The first step with an error, to go back to; undefined if none has. */
export const firstInvalidStep = (draft: KeyDraft): Step | undefined => STEPS.find((step) => step !== 'review' && !stepIsValid(step, draft));

/** `POST /v1/keys`'s body: only what was given. */
export function createRequest(draft: KeyDraft): CreateKeyRequest {
  const tags = tagsOf(draft.tags);
  return {
    ...(draft.alias !== '' && { alias: draft.alias }),
    ...(draft.description !== '' && { description: draft.description }),
    ...(Object.keys(tags).length > 0 && { tags }),
  };
}

/**
 * The policy the wizard asks for, given the one the API created (the creator as administrator and
 * user); undefined when they are the same, so no policy update is needed.
 */
export function policyChange(created: KeyPolicy, draft: KeyDraft): KeyPolicy | undefined {
  const creator = created.admins;
  const wanted: KeyPolicy = {
    admins: unique([...creator, ...draft.admins]),
    users: unique([...(draft.creatorIsUser ? creator : []), ...draft.users]),
  };
  return samePrincipals(wanted.admins, created.admins) && samePrincipals(wanted.users, created.users) ? undefined : wanted;
}

const unique = (arns: readonly string[]) => [...new Set(arns)];
