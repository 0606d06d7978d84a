import { describe, expect, it } from 'vitest';
import {
  activityHref,
  activityQuery,
  DEFAULT_RANGE,
  filtersFrom,
  keyFilterError,
  principalFilterError,
  rangeBounds,
  validateRange,
} from '../../packages/console/src/pages/activity/activity-query.js';
import {
  hourlySeries,
  hourTick,
  matchesRecord,
  outcomeStatus,
  recordsDescription,
  sourceLabel,
} from '../../packages/console/src/pages/activity/activity-records.js';

const NOW = new Date('2026-12-06T12:00:00.000Z');

describe('the activity query', () => {
  it('defaults to the last 24 hours, ending now', () => {
    expect(rangeBounds(DEFAULT_RANGE, NOW)).toEqual({ from: '2026-12-05T12:00:00.000Z', to: '2026-12-06T12:00:00.000Z' });
    expect(rangeBounds({ type: 'relative', amount: 7, unit: 'day' }, NOW).from).toBe('2026-11-29T12:00:00.000Z');
  });

  it('takes an absolute range as given, in UTC', () => {
    const range = { type: 'absolute', startDate: '2026-12-01T10:00:00+01:00', endDate: '2026-12-02T10:00:00+01:00' } as const;
    expect(rangeBounds(range, NOW)).toEqual({ from: '2026-12-01T09:00:00.000Z', to: '2026-12-02T09:00:00.000Z' });
    expect(validateRange(range)).toEqual({ valid: true });
    expect(validateRange({ ...range, endDate: range.startDate })).toMatchObject({ valid: false });
    expect(validateRange({ ...range, endDate: '' })).toMatchObject({ valid: false });
    expect(validateRange(null)).toMatchObject({ valid: false });
  });

  it('reads and writes its filters in the link, so /activity?key=<id> pre-fills the key', () => {
    expect(filtersFrom(new URLSearchParams('key=k-1'))).toEqual({ key: 'k-1', principal: '' });
    expect(activityHref({ key: 'k-1', principal: '' })).toBe('/activity?key=k-1');
    expect(activityHref({ key: '', principal: '' })).toBe('/activity');
    const filters = { key: 'orders', principal: 'arn:aws:iam::111122223333:user/teammate' };
    expect(filtersFrom(new URLSearchParams(activityHref(filters).split('?')[1]))).toEqual(filters);
  });

  it('sends only the filters given', () => {
    expect(activityQuery({ key: '', principal: '' }, DEFAULT_RANGE, NOW)).toEqual({
      from: '2026-12-05T12:00:00.000Z',
      to: '2026-12-06T12:00:00.000Z',
    });
    expect(activityQuery({ key: 'orders', principal: '' }, DEFAULT_RANGE, NOW)).toMatchObject({ key: 'orders' });
  });

  it('checks the filters as the API takes them', () => {
    expect(keyFilterError('orders')).toBeUndefined();
    expect(keyFilterError('k'.repeat(257))).toMatch(/256/);
    expect(principalFilterError('')).toBeUndefined();
    expect(principalFilterError('arn:aws:sts::111122223333:assumed-role/Team/alice')).toBeUndefined();
    expect(principalFilterError('teammate')).toMatch(/IAM principal ARN/);
  });
});

describe('the activity records', () => {
  const record = { time: '2026-12-06T11:00:00.000Z', caller: 'arn:aws:iam::111122223333:user/teammate', operation: 'encrypt', keyIds: ['k-1'] };

  it('reads an outcome as a success, a denial, a refusal or a failure', () => {
    expect(outcomeStatus({ status: 200, outcome: 'Success' })).toBe('success');
    expect(outcomeStatus({ status: 403, outcome: 'AccessDenied' })).toBe('error');
    expect(outcomeStatus({ status: 400, outcome: 'ValidationError' })).toBe('warning');
    expect(outcomeStatus({ status: 503, outcome: 'DependencyUnavailable' })).toBe('error');
  });

  it('filters by what a row shows', () => {
    const row = { ...record, status: 403, outcome: 'AccessDenied' };
    expect(matchesRecord(row, 'TEAMMATE')).toBe(true);
    expect(matchesRecord(row, 'k-1')).toBe(true);
    expect(matchesRecord(row, '403')).toBe(true);
    expect(matchesRecord(row, 'decrypt')).toBe(false);
    expect(matchesRecord(row, ' ')).toBe(true);
  });

  it('names the source', () => {
    expect(sourceLabel('local')).toBe('Local audit records');
    expect(sourceLabel('logs-insights')).toBe('CloudWatch Logs Insights');
  });

  it('describes the records: their source, the range read, and whether older ones were left out', () => {
    expect(recordsDescription({ source: 'local', records: [], hourly: [] })).toBe('Source: Local audit records');
    const page = { source: 'logs-insights', records: [], hourly: [], from: '2026-12-05T12:00:00.000Z', to: '2026-12-06T12:00:00.000Z' } as const;
    expect(recordsDescription(page)).toMatch(/^Source: CloudWatch Logs Insights · .+ to .+$/);
    expect(recordsDescription({ ...page, truncated: true })).toMatch(/The newest 1,000 records: more matched/);
  });

  it('charts uses and denials per hour, dating the ticks when they span more than a day', () => {
    const series = hourlySeries([
      { hour: '2026-12-06T10:00:00.000Z', uses: 3, denials: 1 },
      { hour: '2026-12-06T11:00:00.000Z', uses: 0, denials: 2 },
    ]);
    expect(series.hours).toEqual(['2026-12-06T10:00:00.000Z', '2026-12-06T11:00:00.000Z']);
    expect(series.denials).toEqual([
      { x: '2026-12-06T10:00:00.000Z', y: 1 },
      { x: '2026-12-06T11:00:00.000Z', y: 2 },
    ]);
    expect(series.total).toBe(6);
    const noon = new Date(2026, 11, 6, 12).toISOString();
    expect(hourTick(noon, 24, 'en-GB')).toBe('12:00');
    expect(hourTick(noon, 168, 'en-GB')).toBe('6 Dec\n12:00');
  });
});
