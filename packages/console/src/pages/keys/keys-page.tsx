import { useCollection } from '@cloudscape-design/collection-hooks';
import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import CollectionPreferences from '@cloudscape-design/components/collection-preferences';
import Header from '@cloudscape-design/components/header';
import Input from '@cloudscape-design/components/input';
import Pagination from '@cloudscape-design/components/pagination';
import Select, { type SelectProps } from '@cloudscape-design/components/select';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Table from '@cloudscape-design/components/table';
import TextFilter from '@cloudscape-design/components/text-filter';
import { useState } from 'react';
import { KEY_STATE_LABELS } from '../../components/key-state.js';
import { follow, navigate } from '../../router.js';
import { COLUMNS, type KeyRow, matchesText, PAGE_SIZES, preferencesContent, type KeysPreferences, DEFAULT_PREFERENCES } from './key-columns.js';
import { useKeyPages } from './use-key-pages.js';
import { PAGINATION_LABELS, PREFERENCES_LABELS } from '../../components/table-strings.js';

const ANY_STATE: SelectProps.Option = { value: '', label: 'Any state' };
const STATE_OPTIONS: SelectProps.Option[] = [ANY_STATE, ...Object.entries(KEY_STATE_LABELS).map(([value, label]) => ({ value, label }))];

/** Every key the caller administers or uses, as the API pages them. */
export function KeysPage() {
  const [tagFilter, setTagFilter] = useState('');
  const [appliedTag, setAppliedTag] = useState<string>();
  const [state, setState] = useState<SelectProps.Option>(ANY_STATE);
  const [preferences, setPreferences] = useState<KeysPreferences>(DEFAULT_PREFERENCES);
  const pages = useKeyPages(appliedTag);
  const rows = pages.keys.filter((row) => !state.value || row.state === state.value);
  const { items, collectionProps, filterProps, paginationProps, filteredItemsCount, actions } = useCollection<KeyRow>(rows, {
    filtering: {
      filteringFunction: matchesText,
      empty: pages.error ? <LoadFailed message={pages.error} onRetry={pages.reload} /> : <Empty />,
      noMatch: <NoMatch onClear={() => actions.setFiltering('')} />,
    },
    sorting: { defaultState: { sortingColumn: COLUMNS[0]! } },
    pagination: { pageSize: preferences.pageSize },
  });
  const tagError = tagFilter !== '' && !/^[^:]+:/.test(tagFilter);

  return (
    <Table
      {...collectionProps}
      items={items}
      columnDefinitions={COLUMNS}
      columnDisplay={preferences.contentDisplay}
      trackBy="keyId"
      variant="full-page"
      stickyHeader
      resizableColumns
      loading={pages.loading && pages.keys.length === 0}
      loadingText="Loading keys"
      ariaLabels={{ tableLabel: 'Keys' }}
      header={
        <Header
          variant="awsui-h1-sticky"
          counter={`(${pages.keys.length}${pages.nextToken ? '+' : ''})`}
          description="Keys you administer or use. Administrators see each key's policy, versions and tags; users see what they need to use it."
          actions={
            <SpaceBetween direction="horizontal" size="xs">
              <Button iconName="refresh" ariaLabel="Refresh keys" loading={pages.loading} onClick={pages.reload} />
              <Button variant="primary" href="/keys/create" onFollow={follow}>
                Create key
              </Button>
            </SpaceBetween>
          }
        >
          Keys
        </Header>
      }
      filter={
        <SpaceBetween direction="horizontal" size="xs">
          <TextFilter
            {...filterProps}
            filteringPlaceholder="Find keys by alias, id, description or tag"
            filteringAriaLabel="Find keys"
            countText={
              pages.nextToken ? `${filteredItemsCount ?? 0} matches among the ${pages.keys.length} keys loaded` : `${filteredItemsCount ?? 0} matches`
            }
          />
          <Select
            selectedOption={state}
            options={STATE_OPTIONS}
            onChange={(event) => setState(event.detail.selectedOption)}
            ariaLabel="Filter by state"
          />
          <Input
            value={tagFilter}
            onChange={(event) => setTagFilter(event.detail.value)}
            placeholder="tag name:value, then Enter"
            ariaLabel="Filter by tag (name:value), then Enter"
            invalid={tagError}
            type="search"
            onKeyDown={(event) => {
              if (event.detail.key === 'Enter' && !tagError) setAppliedTag(tagFilter === '' ? undefined : tagFilter);
            }}
          />
          {tagError || pages.error ? (
            <Box color="text-status-error" padding={{ top: 'xxs' }}>
              {tagError ? 'Write a tag filter as name:value.' : pages.error}
            </Box>
          ) : null}
        </SpaceBetween>
      }
      pagination={
        <Pagination
          {...paginationProps}
          openEnd={pages.nextToken !== undefined}
          ariaLabels={PAGINATION_LABELS}
          onNextPageClick={(event) => {
            if (!event.detail.requestedPageAvailable && pages.nextToken)
              void pages.loadMore().then(() => actions.setCurrentPage(event.detail.requestedPageIndex));
          }}
        />
      }
      preferences={
        <CollectionPreferences
          {...PREFERENCES_LABELS}
          preferences={preferences}
          onConfirm={(event) => setPreferences({ ...DEFAULT_PREFERENCES, ...event.detail } as KeysPreferences)}
          pageSizePreference={{ title: 'Keys per page', options: PAGE_SIZES }}
          contentDisplayPreference={preferencesContent}
        />
      }
    />
  );
}

function Empty() {
  return (
    <Box textAlign="center" color="inherit">
      <b>No keys</b>
      <Box variant="p" color="inherit">
        You administer or use no key yet.
      </Box>
      <Button onClick={() => navigate('/keys/create')}>Create key</Button>
    </Box>
  );
}

function LoadFailed({ message, onRetry }: { message: string; onRetry: () => void }) {
  return (
    <Box textAlign="center" color="inherit">
      <b>The keys could not be loaded</b>
      <Box variant="p" color="inherit">
        {message}
      </Box>
      <Button onClick={onRetry}>Retry</Button>
    </Box>
  );
}

function NoMatch({ onClear }: { onClear: () => void }) {
  return (
    <Box textAlign="center" color="inherit">
      <b>No matches</b>
      <Box variant="p" color="inherit">
        No loaded key matches the filter.
      </Box>
      <Button onClick={onClear}>Clear filter</Button>
    </Box>
  );
}
