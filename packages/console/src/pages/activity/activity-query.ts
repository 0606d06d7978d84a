import type { DateRangePickerProps } from '@cloudscape-design/components/date-range-picker';
import { PRINCIPAL_ARN_PATTERN } from '../../../../../lambdas/domain/principals.js';
import type { ActivityQuery } from '../../api/types.js';

export type TimeRange = DateRangePickerProps.Value;

/** The relative ranges offered, as CloudTrail's event history offers them. */
export const RELATIVE_RANGES: readonly DateRangePickerProps.RelativeOption[] = [
  { key: 'last-1-hour', amount: 1, unit: 'hour', type: 'relative' },
  { key: 'last-24-hours', amount: 24, unit: 'hour', type: 'relative' },
  { key: 'last-7-days', amount: 7, unit: 'day', type: 'relative' },
];

export const DEFAULT_RANGE: TimeRange = RELATIVE_RANGES[1]!;

const UNIT_MS: Readonly<Record<DateRangePickerProps.TimeUnit, number>> = {
  second: 1_000,
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
  week: 7 * 86_400_000,
  month: 30 * 86_400_000,
  year: 365 * 86_400_000,
};

/** The range's bounds as ISO dates; a relative range ends now. */
export function rangeBounds(range: TimeRange, now: Date): { readonly from: string; readonly to: string } {
  if (range.type === 'absolute') return { from: new Date(range.startDate).toISOString(), to: new Date(range.endDate).toISOString() };
  return { from: new Date(now.getTime() - range.amount * UNIT_MS[range.unit]).toISOString(), to: now.toISOString() };
}

/**
 * For the DateRangePicker: both ends, in order. The server also bounds the span (31 days); its
 * refusal shows as its error, since that limit lives beside Node-only code the UI cannot import.
 */
export function validateRange(range: TimeRange | null): DateRangePickerProps.ValidationResult {
  if (range === null) return { valid: false, errorMessage: 'Choose a time range.' };
  if (range.type === 'absolute' && (Number.isNaN(Date.parse(range.startDate)) || Number.isNaN(Date.parse(range.endDate))))
    return { valid: false, errorMessage: 'Enter a start and an end date.' };
  const { from, to } = rangeBounds(range, new Date());
  const span = Date.parse(to) - Date.parse(from);
  if (span <= 0)
    return { valid: false, errorMessage: range.type === 'relative' ? 'The duration must be positive.' : 'The start must be before the end.' };
  return { valid: true };
}

/** The filters a link may carry: `/activity?key=<id or alias>&principal=<arn>`. */
export interface ActivityFilters {
  readonly key: string;
  readonly principal: string;
}

export function filtersFrom(search: URLSearchParams): ActivityFilters {
  return { key: search.get('key') ?? '', principal: search.get('principal') ?? '' };
}

/** The link to the activity page with these filters, so that it can be shared or come back to. */
export function activityHref({ key, principal }: ActivityFilters): string {
  const search = new URLSearchParams();
  if (key !== '') search.set('key', key);
  if (principal !== '') search.set('principal', principal);
  const query = search.toString();
  return query === '' ? '/activity' : `/activity?${query}`;
}

/** A key filter: an id or an alias, as the API takes a key (at most 256 characters). */
export function keyFilterError(key: string): string | undefined {
  return key.length > 256 ? 'A key id or alias is at most 256 characters.' : undefined;
}

/** A principal filter: the caller's ARN as authenticated (a role session included, as the records hold it). */
export function principalFilterError(principal: string): string | undefined {
  return principal === '' || PRINCIPAL_ARN_PATTERN.test(principal)
    ? undefined
    : 'Must be an IAM principal ARN, such as arn:aws:iam::111122223333:user/teammate.';
}

export function activityQuery(filters: ActivityFilters, range: TimeRange, now: Date): ActivityQuery {
  return {
    ...(filters.key !== '' && { key: filters.key }),
    ...(filters.principal !== '' && { principal: filters.principal }),
    ...rangeBounds(range, now),
  };
}
