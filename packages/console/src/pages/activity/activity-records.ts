import type { StatusIndicatorProps } from '@cloudscape-design/components/status-indicator';
import { ACTIVITY_LIMIT } from '../../../../client/src/console/protocol.js';
import type { ActivityPage, ActivityRecord } from '../../api/types.js';
import { formatDate } from '../../components/format.js';

/** How an outcome reads: a success, a denial (403), another refusal (4xx), or a failure (5xx). */
export function outcomeStatus(record: Pick<ActivityRecord, 'status' | 'outcome'>): StatusIndicatorProps.Type {
  if (record.status < 400) return 'success';
  if (record.status === 403) return 'error';
  return record.status < 500 ? 'warning' : 'error';
}

/** What the table's text filter looks through: everything a row shows. */
export function matchesRecord(record: ActivityRecord, text: string): boolean {
  const needle = text.trim().toLowerCase();
  if (needle === '') return true;
  return [record.caller, record.operation, record.outcome, String(record.status), ...record.keyIds].some((value) =>
    value.toLowerCase().includes(needle),
  );
}

/** Where the records come from, as a person would say it. */
export function sourceLabel(source: ActivityPage['source']): string {
  return source === 'local' ? 'Local audit records' : 'CloudWatch Logs Insights';
}

/** What the records are: their source, the range read, and whether older ones were left out. */
export function recordsDescription(page: ActivityPage): string {
  const range = page.from && page.to ? ` · ${formatDate(page.from)} to ${formatDate(page.to)}` : '';
  const truncated = page.truncated
    ? ` · The newest ${ACTIVITY_LIMIT.toLocaleString('en')} records: more matched, and the chart counts them all.`
    : '';
  return `Source: ${sourceLabel(page.source)}${range}${truncated}`;
}

export interface HourlySeries {
  /** The hours, as the API names them (ISO), oldest first: the chart's categories. */
  readonly hours: readonly string[];
  readonly uses: readonly { readonly x: string; readonly y: number }[];
  readonly denials: readonly { readonly x: string; readonly y: number }[];
  readonly total: number;
}

/** The chart's two series, per hour. Bars take a categorical axis, so each hour is a category. */
export function hourlySeries(hourly: ActivityPage['hourly']): HourlySeries {
  return {
    hours: hourly.map((bucket) => bucket.hour),
    uses: hourly.map((bucket) => ({ x: bucket.hour, y: bucket.uses })),
    denials: hourly.map((bucket) => ({ x: bucket.hour, y: bucket.denials })),
    total: hourly.reduce((sum, bucket) => sum + bucket.uses + bucket.denials, 0),
  };
}

/**
 * An hour's tick: its time, with its date when the hours span more than a day. The chart itself
 * shows every n-th tick so that none overlap.
 */
export function hourTick(hour: string, hourCount: number, locale?: string): string {
  const date = new Date(hour);
  const time = date.toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit' });
  return hourCount <= 24 ? time : `${date.toLocaleDateString(locale, { month: 'short', day: 'numeric' })}\n${time}`;
}
