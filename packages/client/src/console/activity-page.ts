import { type ActivityRange, hourOf, hoursOf } from './activity-range.js';
import { ACTIVITY_LIMIT, type ActivityPage, type ActivityRecord } from './protocol.js';

/** Requests of one status in one hour. */
export interface StatusTally {
  readonly hour: Date;
  readonly status: number;
  readonly count: number;
}

/** A use is a request answered below 400; a denial, one answered 403 (`AccessDenied`). */
const isUse = (status: number) => status < 400;
const isDenial = (status: number) => status === 403;

/** Uses and denials in every hour of the range, oldest first, zero where nothing happened. */
export function hourlyActivity(range: Pick<ActivityRange, 'from' | 'to'>, tallies: Iterable<StatusTally>): ActivityPage['hourly'] {
  const hours = new Map(hoursOf(range).map((hour) => [hour.getTime(), { uses: 0, denials: 0 }]));
  for (const { hour, status, count } of tallies) {
    const slot = hours.get(hourOf(hour).getTime());
    if (slot === undefined) continue;
    if (isUse(status)) slot.uses += count;
    if (isDenial(status)) slot.denials += count;
  }
  return [...hours].map(([hour, counts]) => ({ hour: new Date(hour).toISOString(), ...counts }));
}

/** A page of every record that matched: the newest `ACTIVITY_LIMIT`, and the hourly counts of them all. */
export function activityPage(source: ActivityPage['source'], matched: readonly ActivityRecord[], range: ActivityRange): ActivityPage {
  const newestFirst = [...matched].sort((a, b) => Date.parse(b.time) - Date.parse(a.time));
  const tallies = matched.map(({ time, status }) => ({ hour: new Date(time), status, count: 1 }));
  return {
    source,
    records: newestFirst.slice(0, ACTIVITY_LIMIT),
    ...(matched.length > ACTIVITY_LIMIT && { truncated: true }),
    ...rangeOf(range),
    hourly: hourlyActivity(range, tallies),
  };
}

/** The range a page covers, as ISO dates. */
export const rangeOf = ({ from, to }: ActivityRange) => ({ from: from.toISOString(), to: to.toISOString() });

/** What the console reads of an audit trail's outcome record (lambdas/domain/audit-record.ts), wherever it is kept. */
export interface AuditOutcomeFields {
  readonly time: string;
  readonly caller: string | null;
  readonly operation: string;
  readonly status: number;
  /** `ok`, or the error code. */
  readonly outcome: string;
  readonly keyIds: readonly string[];
}

/** An audit record as the Activity page shows it: `Success` for `ok`, and nothing the record hashes. */
export function activityRecordOf(record: AuditOutcomeFields): ActivityRecord {
  return {
    time: record.time,
    // Null only for a request that reached a function unauthenticated, which IAM authorization prevents.
    caller: record.caller ?? 'unauthenticated',
    operation: record.operation,
    status: record.status,
    outcome: record.outcome === 'ok' ? 'Success' : record.outcome,
    keyIds: record.keyIds,
  };
}
