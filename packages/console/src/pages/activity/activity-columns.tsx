import type { CollectionPreferencesProps } from '@cloudscape-design/components/collection-preferences';
import Link from '@cloudscape-design/components/link';
import SpaceBetween from '@cloudscape-design/components/space-between';
import StatusIndicator from '@cloudscape-design/components/status-indicator';
import type { TableProps } from '@cloudscape-design/components/table';
import type { ActivityRecord } from '../../api/types.js';
import { follow, keyHref } from '../../router.js';
import { outcomeStatus } from './activity-records.js';

const formatTime = (iso: string) => new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

export const COLUMNS: TableProps.ColumnDefinition<ActivityRecord>[] = [
  { id: 'time', header: 'Time', cell: (record) => formatTime(record.time), sortingField: 'time', isRowHeader: true, width: 200 },
  { id: 'caller', header: 'Caller', cell: (record) => record.caller, sortingField: 'caller', width: 320 },
  { id: 'operation', header: 'Operation', cell: (record) => record.operation, sortingField: 'operation', width: 150 },
  {
    id: 'outcome',
    header: 'Outcome',
    cell: (record) => <StatusIndicator type={outcomeStatus(record)}>{record.outcome}</StatusIndicator>,
    sortingField: 'outcome',
    width: 170,
  },
  { id: 'status', header: 'HTTP status', cell: (record) => record.status, sortingField: 'status' },
  {
    id: 'keyIds',
    header: 'Keys',
    cell: (record) =>
      record.keyIds.length === 0 ? (
        '-'
      ) : (
        <SpaceBetween direction="horizontal" size="xs">
          {record.keyIds.map((keyId) => (
            <Link key={keyId} href={keyHref(keyId)} onFollow={follow}>
              {keyId}
            </Link>
          ))}
        </SpaceBetween>
      ),
  },
];

export interface ActivityPreferences extends CollectionPreferencesProps.Preferences {
  readonly pageSize: number;
  readonly contentDisplay: readonly CollectionPreferencesProps.ContentDisplayItem[];
}

export const PAGE_SIZES = [10, 25, 50, 100].map((value) => ({ value, label: `${value} records` }));

export const DEFAULT_PREFERENCES: ActivityPreferences = {
  pageSize: 25,
  contentDisplay: COLUMNS.map((column) => ({ id: column.id!, visible: column.id !== 'status' })),
};

export const PREFERENCES_CONTENT: CollectionPreferencesProps.ContentDisplayPreference = {
  title: 'Columns',
  options: COLUMNS.map((column) => ({ id: column.id!, label: String(column.header), alwaysVisible: column.id === 'time' })),
};
