import type { CollectionPreferencesProps } from '@cloudscape-design/components/collection-preferences';
import Link from '@cloudscape-design/components/link';
import type { TableProps } from '@cloudscape-design/components/table';
import type { KeyMetadata, KeySummary } from '../../api/types.js';
import { formatDate, formatTags } from '../../components/format.js';
import { KeyStateIndicator } from '../../components/key-state.js';
import { follow, keyHref } from '../../router.js';

export type KeyRow = KeyMetadata | KeySummary;

/** Administrators get a key's whole metadata; users only what they need to use it. */
export const isAdministered = (row: KeyRow): row is KeyMetadata => 'policy' in row;

const access = (row: KeyRow) => (isAdministered(row) ? 'Administrator' : row.grants?.length ? 'Grant' : 'User');

export const COLUMNS: TableProps.ColumnDefinition<KeyRow>[] = [
  {
    id: 'alias',
    header: 'Alias',
    cell: (row) => (
      <Link href={keyHref(row.keyId)} onFollow={follow}>
        {row.alias ?? '(no alias)'}
      </Link>
    ),
    sortingField: 'alias',
    isRowHeader: true,
  },
  { id: 'keyId', header: 'Key ID', cell: (row) => row.keyId, sortingField: 'keyId' },
  { id: 'state', header: 'Status', cell: (row) => <KeyStateIndicator state={row.state} />, sortingField: 'state' },
  { id: 'currentVersion', header: 'Version', cell: (row) => row.currentVersion, sortingField: 'currentVersion' },
  { id: 'access', header: 'Your access', cell: access, sortingComparator: (a, b) => access(a).localeCompare(access(b)) },
  { id: 'tags', header: 'Tags', cell: (row) => (isAdministered(row) ? formatTags(row.tags) : '-') },
  { id: 'description', header: 'Description', cell: (row) => (isAdministered(row) ? (row.description ?? '-') : '-') },
  {
    id: 'createdAt',
    header: 'Created',
    cell: (row) => (isAdministered(row) ? formatDate(row.createdAt) : '-'),
    sortingComparator: (a, b) => createdAt(a).localeCompare(createdAt(b)),
  },
];

const createdAt = (row: KeyRow) => (isAdministered(row) ? row.createdAt : '');

/** Text filtering over what a row shows: alias, id, description and tags. */
export function matchesText(row: KeyRow, text: string): boolean {
  const needle = text.trim().toLowerCase();
  if (needle === '') return true;
  const haystack = [row.alias ?? '', row.keyId, ...(isAdministered(row) ? [row.description ?? '', formatTags(row.tags)] : [])];
  return haystack.some((value) => value.toLowerCase().includes(needle));
}

export interface KeysPreferences extends CollectionPreferencesProps.Preferences {
  readonly pageSize: number;
  readonly contentDisplay: readonly CollectionPreferencesProps.ContentDisplayItem[];
}

export const PAGE_SIZES = [10, 25, 50].map((value) => ({ value, label: `${value} keys` }));

export const DEFAULT_PREFERENCES: KeysPreferences = {
  pageSize: 25,
  contentDisplay: COLUMNS.map((column) => ({ id: column.id!, visible: column.id !== 'description' })),
};

export const preferencesContent: CollectionPreferencesProps.ContentDisplayPreference = {
  title: 'Columns',
  options: COLUMNS.map((column) => ({ id: column.id!, label: String(column.header), alwaysVisible: column.id === 'alias' })),
};
