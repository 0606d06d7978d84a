import BarChart from '@cloudscape-design/components/bar-chart';
import Box from '@cloudscape-design/components/box';
import Container from '@cloudscape-design/components/container';
import Header from '@cloudscape-design/components/header';
import type { ActivityPage } from '../../api/types.js';
import { formatDate } from '../../components/format.js';
import { hourlySeries, hourTick } from './activity-records.js';

/** Uses and denials per hour, stacked: a burst of denials stands out against the usual traffic. */
export function ActivityChart({ hourly, loading }: { hourly: ActivityPage['hourly'] | undefined; loading: boolean }) {
  const series = hourlySeries(hourly ?? []);
  return (
    <Container
      header={
        <Header variant="h2" description="Uses are answers below 400; denials are 403 answers.">
          Uses and denials per hour
        </Header>
      }
    >
      <BarChart<string>
        series={
          series.total === 0
            ? []
            : [
                { title: 'Uses', type: 'bar', data: series.uses },
                { title: 'Denials', type: 'bar', data: series.denials },
              ]
        }
        xDomain={series.hours}
        xScaleType="categorical"
        stackedBars
        height={220}
        xTitle="Hour"
        yTitle="Requests"
        ariaLabel="Uses and denials per hour"
        xTickFormatter={(hour) => hourTick(hour, series.hours.length)}
        // Requests are counted whole: a tick between two counts would name none.
        yTickFormatter={(count) => (Number.isInteger(count) ? String(count) : '')}
        detailPopoverFooter={(hour) => <Box variant="small">Hour from {formatDate(hour)}</Box>}
        statusType={loading ? 'loading' : 'finished'}
        loadingText="Loading activity"
        hideFilter
        empty={
          <Box textAlign="center" color="inherit">
            <b>No activity</b>
            <Box variant="p" color="inherit">
              No request matches in this time range.
            </Box>
          </Box>
        }
        i18nStrings={{
          legendAriaLabel: 'Legend',
          chartAriaRoleDescription: 'bar chart',
          xAxisAriaRoleDescription: 'x axis',
          yAxisAriaRoleDescription: 'y axis',
          detailPopoverDismissAriaLabel: 'Dismiss',
          filterLabel: 'Filter displayed data',
          filterPlaceholder: 'Filter data',
          filterSelectedAriaLabel: 'selected',
        }}
      />
    </Container>
  );
}
