import { ApiError } from './client.js';

/** `Code: message`, as the API answered it; an `AccessDenied` also says which policy is missing. */
export function describeError(error: unknown): string {
  if (!(error instanceof ApiError)) return error instanceof Error ? error.message : String(error);
  return [`${error.code}: ${sentence(error.message)}`, error.code === 'AccessDenied' ? accessDeniedHint(error.message) : '']
    .filter(Boolean)
    .join(' ');
}

/** A message as a sentence, so that a hint can follow it. */
export const sentence = (text: string): string => (/[.!?]$/.test(text.trim()) ? text.trim() : `${text.trim()}.`);

/**
 * The gateway refuses a caller without the API's caller policy (IAM: "is not authorized to perform:
 * execute-api:Invoke") before any function runs; a function refuses a caller that the key's own
 * policy does not name ("is not a user of this key"). Their messages tell them apart.
 */
export function accessDeniedHint(message: string): string {
  if (/of this key|grantee/i.test(message)) return "The key's own policy does not allow you this: ask one of the key's administrators.";
  if (/not authorized to perform/i.test(message))
    return "Your IAM identity lacks the API's caller policy for this operation (refused at the gateway): ask your platform team to attach it.";
  return '';
}
