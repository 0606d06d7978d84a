import { describe, expect, it } from 'vitest';
import { activityPage, hourlyActivity } from '../../packages/client/src/console/activity-page.js';
import { activityRange } from '../../packages/client/src/console/activity-range.js';
import { ACTIVITY_LIMIT, type ActivityRecord } from '../../packages/client/src/console/protocol.js';

const NOW = new Date('2026-12-06T09:30:00Z');

describe('the range of an Activity query', () => {
  it('is the last 24 hours by default, and 24 hours up to `to` when only `to` is given', () => {
    expect(activityRange({}, NOW)).toEqual({ from: new Date('2026-12-05T09:30:00Z'), to: NOW });
    expect(activityRange({ to: '2026-12-01' }, NOW)).toEqual({ from: new Date('2026-11-30'), to: new Date('2026-12-01') });
  });

  it('runs from `from` to now when only `from` is given, and keeps the filters, trimmed, dropping empty ones', () => {
    expect(activityRange({ from: '2026-12-06T08:00:00Z', key: ' alias/orders ', principal: '' }, NOW)).toEqual({
      key: 'alias/orders',
      from: new Date('2026-12-06T08:00:00Z'),
      to: NOW,
    });
  });
});

describe('an Activity page', () => {
  const record = (time: string, status: number): ActivityRecord => ({ time, caller: 'arn', operation: 'encrypt', status, outcome: 'x', keyIds: [] });
  const range = { from: new Date('2026-12-06T07:15:00Z'), to: NOW };

  it('counts uses (below 400) and denials (403) in every hour the range touches, zero where nothing happened', () => {
    const hourly = hourlyActivity(range, [
      { hour: new Date('2026-12-06T07:59:59Z'), status: 200, count: 3 },
      { hour: new Date('2026-12-06T09:00:00Z'), status: 403, count: 2 },
      { hour: new Date('2026-12-06T09:10:00Z'), status: 404, count: 5 },
      { hour: new Date('2026-12-06T01:00:00Z'), status: 200, count: 9 },
    ]);
    expect(hourly).toEqual([
      { hour: '2026-12-06T07:00:00.000Z', uses: 3, denials: 0 },
      { hour: '2026-12-06T08:00:00.000Z', uses: 0, denials: 0 },
      { hour: '2026-12-06T09:00:00.000Z', uses: 0, denials: 2 },
    ]);
  });

  it(`holds the newest ${ACTIVITY_LIMIT} records and says it is truncated, while the hourly counts cover every match`, () => {
    const matched = Array.from({ length: ACTIVITY_LIMIT + 1 }, (_, i) => record(new Date(range.from.getTime() + i * 1000).toISOString(), 200));
    const page = activityPage('local', matched, range);
    expect(page.records).toHaveLength(ACTIVITY_LIMIT);
    expect(page.records[0]).toBe(matched.at(-1));
    expect(page.truncated).toBe(true);
    expect(page.hourly.reduce((total, hour) => total + hour.uses, 0)).toBe(ACTIVITY_LIMIT + 1);
    expect(activityPage('local', matched.slice(1), range).truncated).toBeUndefined();
  });
});
