import { useCallback } from 'react';
import { consoleCall } from '../../api/client.js';
import type { ActivityPage } from '../../api/types.js';
import { type ApiResource, useApiResource } from '../../components/use-api-resource.js';
import { type ActivityFilters, activityQuery, type TimeRange } from './activity-query.js';

/** `GET /console/activity` for the filters and range; a relative range ends when the records are loaded. */
export function useActivity(filters: ActivityFilters, range: TimeRange): ApiResource<ActivityPage> {
  const load = useCallback(
    (signal: AbortSignal) => consoleCall<ActivityPage>('/activity', { query: { ...activityQuery(filters, range, new Date()) }, signal }),
    [filters, range],
  );
  return useApiResource(load);
}
