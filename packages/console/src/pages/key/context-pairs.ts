import { MAX_CONTEXT_BYTES } from '../../../../../contract/limits.js';
import type { EncryptionContext } from '../../api/types.js';

/** One row of an encryption context (or of a grant's constraint) as the user edits it. */
export interface ContextPair {
  readonly key: string;
  readonly value: string;
}

export const contextOf = (pairs: readonly ContextPair[]): EncryptionContext => Object.fromEntries(pairs.map(({ key, value }) => [key, value]));

export const pairsOf = (context: EncryptionContext): ContextPair[] => Object.entries(context).map(([key, value]) => ({ key, value }));

export interface ContextErrors {
  /** One entry per pair, in order: what is wrong with its key, or undefined. */
  readonly rows: readonly (string | undefined)[];
  /** What is wrong with the context as a whole. */
  readonly list: string | undefined;
}

const utf8Bytes = (text: string) => new TextEncoder().encode(text).length;

/**
 * Validates pairs as the API validates a context (at most `MAX_CONTEXT_BYTES` of UTF-8 in all); an
 * empty or repeated key is refused here too, since a JSON object would silently keep only one of them.
 */
export function contextErrors(pairs: readonly ContextPair[]): ContextErrors {
  const seen = new Map<string, number>();
  const rows = pairs.map(({ key }, index) => {
    if (key === '') return 'Enter a key, or remove this pair.';
    const earlier = seen.get(key);
    if (earlier !== undefined) return `Already used in pair ${earlier + 1}.`;
    seen.set(key, index);
    return undefined;
  });
  const bytes = pairs.reduce((sum, { key, value }) => sum + utf8Bytes(key) + utf8Bytes(value), 0);
  const list =
    bytes > MAX_CONTEXT_BYTES ? `An encryption context is at most ${MAX_CONTEXT_BYTES} bytes of UTF-8 in all; this one has ${bytes}.` : undefined;
  return { rows, list };
}

export const isValidContext = (errors: ContextErrors): boolean => errors.list === undefined && errors.rows.every((row) => row === undefined);
