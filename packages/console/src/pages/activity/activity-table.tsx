import { useCollection } from '@cloudscape-design/collection-hooks';
import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import CollectionPreferences from '@cloudscape-design/components/collection-preferences';
import Header from '@cloudscape-design/components/header';
import Pagination from '@cloudscape-design/components/pagination';
import Table from '@cloudscape-design/components/table';
import TextFilter from '@cloudscape-design/components/text-filter';
import { type ReactNode, useState } from 'react';
import type { ActivityRecord } from '../../api/types.js';
import { type ActivityPreferences, COLUMNS, DEFAULT_PREFERENCES, PAGE_SIZES, PREFERENCES_CONTENT } from './activity-columns.js';
import { matchesRecord } from './activity-records.js';
import { PAGINATION_LABELS, PREFERENCES_LABELS } from '../../components/table-strings.js';

export interface ActivityTableProps {
  readonly records: readonly ActivityRecord[];
  readonly loading: boolean;
  /** Where the records come from and what they cover, for the header. */
  readonly description: string | undefined;
  /** More records matched than the page holds. */
  readonly truncated: boolean;
  readonly actions: ReactNode;
}

/** The matching audit records, newest first, with text filtering, sorting, paging and column preferences. */
export function ActivityTable({ records, loading, description, truncated, actions }: ActivityTableProps) {
  const [preferences, setPreferences] = useState<ActivityPreferences>(DEFAULT_PREFERENCES);
  const collection = useCollection(records, {
    filtering: {
      filteringFunction: matchesRecord,
      empty: <Empty text="No request matches these filters in this time range." />,
      noMatch: (
        <Empty text="No record matches the text filter." action={<Button onClick={() => collection.actions.setFiltering('')}>Clear filter</Button>} />
      ),
    },
    sorting: { defaultState: { sortingColumn: COLUMNS[0]!, isDescending: true } },
    pagination: { pageSize: preferences.pageSize },
  });
  return (
    <Table
      {...collection.collectionProps}
      items={collection.items}
      columnDefinitions={COLUMNS}
      columnDisplay={preferences.contentDisplay}
      variant="container"
      resizableColumns
      loading={loading && records.length === 0}
      loadingText="Loading activity"
      ariaLabels={{ tableLabel: 'Audit records' }}
      header={
        <Header counter={`(${records.length}${truncated ? '+' : ''})`} description={description} actions={actions}>
          Records
        </Header>
      }
      filter={
        <TextFilter
          {...collection.filterProps}
          filteringPlaceholder="Find records by caller, operation, outcome or key"
          filteringAriaLabel="Find records"
          countText={`${collection.filteredItemsCount ?? 0} matches`}
        />
      }
      pagination={<Pagination {...collection.paginationProps} ariaLabels={PAGINATION_LABELS} />}
      preferences={
        <CollectionPreferences
          {...PREFERENCES_LABELS}
          preferences={preferences}
          onConfirm={(event) => setPreferences({ ...DEFAULT_PREFERENCES, ...event.detail } as ActivityPreferences)}
          pageSizePreference={{ title: 'Records per page', options: PAGE_SIZES }}
          contentDisplayPreference={PREFERENCES_CONTENT}
        />
      }
    />
  );
}

function Empty({ text, action }: { text: string; action?: ReactNode }) {
  return (
    <Box textAlign="center" color="inherit">
      <b>No records</b>
      <Box variant="p" color="inherit">
        {text}
      </Box>
      {action}
    </Box>
  );
}
