import Alert from '@cloudscape-design/components/alert';
import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import ContentLayout from '@cloudscape-design/components/content-layout';
import Header from '@cloudscape-design/components/header';
import SpaceBetween from '@cloudscape-design/components/space-between';
import { useMemo, useState } from 'react';
import { navigate, useLocation } from '../../router.js';
import { ActivityChart } from './activity-chart.js';
import { ActivityFilters } from './activity-filters.js';
import { activityHref, DEFAULT_RANGE, filtersFrom, type TimeRange } from './activity-query.js';
import { recordsDescription } from './activity-records.js';
import { ActivityTable } from './activity-table.js';
import { ActivityError } from './activity-error.js';
import { useActivity } from './use-activity.js';

/** Who used which key, and who was refused, over a time range: the audit trail's outcome records. */
export function ActivityPage() {
  const location = useLocation();
  const search = location.search;
  // The filters live in the URL, so that a key page can link here (`/activity?key=<id>`) and a view can be shared.
  const filters = useMemo(() => filtersFrom(new URLSearchParams(search)), [search]);
  const [range, setRange] = useState<TimeRange>(DEFAULT_RANGE);
  const { data, error, loading, reload } = useActivity(filters, range);
  const refresh = <Button iconName="refresh" ariaLabel="Refresh activity" loading={loading} onClick={reload} />;

  return (
    <ContentLayout
      header={
        <Header variant="h1" description="The audit trail of a key or a principal over a time range: every use, and every refusal.">
          Activity
        </Header>
      }
    >
      <SpaceBetween size="l">
        <ActivityFilters
          key={activityHref(filters)}
          applied={filters}
          onApply={(next) => navigate(activityHref(next), { replace: true })}
          range={range}
          onRangeChange={setRange}
        />
        <Alert type="info" header="Hashed values stay hashed">
          The audit trail keeps aliases and encryption context values hashed with the deployment's audit key. An alias you type is hashed the same way
          to find its records, as <Box variant="code">npm run audit</Box> does: hashed values are never shown in clear.
        </Alert>
        {error !== undefined ? (
          <ActivityError error={error} onRetry={reload} />
        ) : (
          <>
            <ActivityChart hourly={data?.hourly} loading={loading} />
            <ActivityTable
              records={data?.records ?? []}
              loading={loading}
              description={data && recordsDescription(data)}
              truncated={data?.truncated === true}
              actions={refresh}
            />
          </>
        )}
      </SpaceBetween>
    </ContentLayout>
  );
}
