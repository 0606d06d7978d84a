import { RESERVED_TAG_PREFIX, TAG_LIMITS, TAG_PATTERN } from '../../../../contract/limits.js';
import type { Tags } from '../api/types.js';

/** A row of Cloudscape's TagEditor, without its UI-only fields. */
export interface TagRow {
  readonly key: string;
  readonly value: string;
  readonly existing: boolean;
  readonly markedForRemoval?: boolean;
}

/** The tags the rows leave on the key: those not marked for removal. */
export function tagsOf(rows: readonly TagRow[]): Tags {
  return Object.fromEntries(rows.filter((row) => !row.markedForRemoval).map((row) => [row.key, row.value]));
}

/** A key's tags as TagEditor rows, `existing` so that removing one offers an undo. */
export function tagRows(tags: Tags | undefined): TagRow[] {
  return Object.entries(tags ?? {}).map(([key, value]) => ({ key, value, existing: true }));
}

/**
 * What the API would refuse in these tags, first problem first; undefined if nothing. TagEditor
 * checks the same rules at each row; this gives the verdict for the whole set, from the contract's
 * own limits.
 */
export function tagsError(rows: readonly TagRow[]): string | undefined {
  const kept = rows.filter((row) => !row.markedForRemoval);
  if (kept.length > TAG_LIMITS.maxTags) return `A key carries at most ${TAG_LIMITS.maxTags} tags.`;
  const seen = new Set<string>();
  for (const { key, value } of kept) {
    const error = tagKeyError(key) ?? tagValueError(key, value);
    if (error !== undefined) return error;
    if (seen.has(key)) return `Tag key ${key} is given twice.`;
    seen.add(key);
  }
  return undefined;
}

function tagKeyError(key: string): string | undefined {
  if (key.length === 0) return 'Every tag needs a key.';
  if (key.length > TAG_LIMITS.maxKeyLength) return `Tag keys are at most ${TAG_LIMITS.maxKeyLength} characters.`;
  if (!TAG_PATTERN.test(key)) return `Tag key ${key} must be letters, digits, spaces and _ . : / = + - @.`;
  if (key.toLowerCase().startsWith(RESERVED_TAG_PREFIX)) return `Tag key ${key} must not start with ${RESERVED_TAG_PREFIX}.`;
  return undefined;
}

function tagValueError(key: string, value: string): string | undefined {
  if (value.length > TAG_LIMITS.maxValueLength) return `The value of tag ${key} is longer than ${TAG_LIMITS.maxValueLength} characters.`;
  if (!TAG_PATTERN.test(value)) return `The value of tag ${key} must be letters, digits, spaces and _ . : / = + - @.`;
  return undefined;
}
