import { EnvelopeApiError } from '../errors.js';
import type { ActivityQuery } from './protocol.js';

/** An Activity query with its range resolved: what a source reads. */
export interface ActivityRange {
  readonly key?: string;
  readonly principal?: string;
  readonly from: Date;
  readonly to: Date;
}

const HOUR_MS = 3_600_000;
export const DEFAULT_ACTIVITY_HOURS = 24;
/** The widest range one page covers: a month of hourly counts. */
export const MAX_ACTIVITY_DAYS = 31;

/** A date, or a date and time with an optional offset: what `Date` reads the same everywhere. */
const ISO_8601 = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})?)?$/;

/** The query's range: `to` by default now, `from` by default 24 hours before `to`; a bad one is a 400. */
export function activityRange(query: ActivityQuery, now = new Date()): ActivityRange {
  const to = dateOf('to', query.to) ?? now;
  const from = dateOf('from', query.from) ?? new Date(to.getTime() - DEFAULT_ACTIVITY_HOURS * HOUR_MS);
  if (from > to) throw invalid(`from (${from.toISOString()}) is after to (${to.toISOString()}).`);
  if (to.getTime() - from.getTime() > MAX_ACTIVITY_DAYS * 24 * HOUR_MS)
    throw invalid(`The range is longer than ${MAX_ACTIVITY_DAYS} days: narrow it.`);
  return { ...nonEmpty('key', query.key), ...nonEmpty('principal', query.principal), from, to };
}

function dateOf(name: string, value: string | undefined): Date | undefined {
  if (value === undefined || value === '') return undefined;
  const date = new Date(value);
  if (!ISO_8601.test(value) || Number.isNaN(date.getTime())) {
    throw invalid(`${name} is not an ISO 8601 date: ${JSON.stringify(value)} (for example 2026-12-06 or 2026-12-06T09:30:00Z).`);
  }
  return date;
}

const nonEmpty = <K extends string>(name: K, value: string | undefined) =>
  value === undefined || value.trim() === '' ? {} : ({ [name]: value.trim() } as Record<K, string>);

const invalid = (message: string) => new EnvelopeApiError(400, 'ValidationError', message);

/** The start of the hour a time falls in, in UTC. */
export const hourOf = (time: Date): Date => new Date(Math.floor(time.getTime() / HOUR_MS) * HOUR_MS);

/** Every hour the range touches, oldest first. */
export function hoursOf({ from, to }: Pick<ActivityRange, 'from' | 'to'>): Date[] {
  const hours: Date[] = [];
  for (let hour = hourOf(from).getTime(); hour <= to.getTime(); hour += HOUR_MS) hours.push(new Date(hour));
  return hours;
}
