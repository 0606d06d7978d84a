import { useCollection } from '@cloudscape-design/collection-hooks';
import Alert from '@cloudscape-design/components/alert';
import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import Header from '@cloudscape-design/components/header';
import Pagination from '@cloudscape-design/components/pagination';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Table from '@cloudscape-design/components/table';
import { useState } from 'react';
import type { Grant } from '../../api/types.js';
import { describeError } from '../../notifications.js';
import { CreateGrantModal } from './create-grant-modal.js';
import { GRANT_COLUMNS } from './grant-columns.js';
import { RevokeGrantModal } from './revoke-grant-modal.js';
import type { KeyChange } from './use-key-change.js';
import { useGrants } from './use-grants.js';

const PAGE_SIZE = 10;

/** The key's active grants: list them, create one, revoke one. */
export function GrantsTab({ keyId, change }: { keyId: string; change: KeyChange }) {
  const pages = useGrants(keyId, PAGE_SIZE);
  const [selected, setSelected] = useState<Grant>();
  const [modal, setModal] = useState<'create' | 'revoke'>();
  const { items, collectionProps, paginationProps, actions } = useCollection(pages.grants as Grant[], {
    pagination: { pageSize: PAGE_SIZE },
  });
  // The grants table changes with the key: reload both after a change.
  const changeAndList: KeyChange = async (request) => {
    const outcome = await change(request);
    await pages.reload();
    setSelected(undefined);
    return outcome;
  };

  return (
    <SpaceBetween size="m">
      {pages.error ? (
        <Alert type="error" header="The grants could not be listed">
          {describeError(pages.error)}
        </Alert>
      ) : null}
      <Table
        {...collectionProps}
        items={items}
        columnDefinitions={GRANT_COLUMNS}
        trackBy="grantId"
        selectionType="single"
        selectedItems={selected ? [selected] : []}
        onSelectionChange={(event) => setSelected(event.detail.selectedItems[0])}
        loading={pages.loading && pages.grants.length === 0}
        loadingText="Loading grants"
        ariaLabels={{
          tableLabel: 'Grants',
          selectionGroupLabel: 'Grant selection',
          itemSelectionLabel: (_, grant) => `Select grant ${grant.name ?? grant.grantId}`,
          allItemsSelectionLabel: () => 'Select all grants',
        }}
        empty={<Box textAlign="center">No active grant on this key.</Box>}
        header={
          <Header
            variant="h2"
            counter={`(${pages.grants.length}${pages.nextToken ? '+' : ''})`}
            description="A grant lets one principal use the key for some operations, within its constraints, until it expires or is revoked, without being in the key policy."
            actions={
              <SpaceBetween direction="horizontal" size="xs">
                <Button iconName="refresh" ariaLabel="Refresh grants" loading={pages.loading} onClick={() => void pages.reload()} />
                <Button disabled={!selected} onClick={() => setModal('revoke')}>
                  Revoke
                </Button>
                <Button variant="primary" onClick={() => setModal('create')}>
                  Create grant
                </Button>
              </SpaceBetween>
            }
          >
            Grants
          </Header>
        }
        pagination={
          <Pagination
            {...paginationProps}
            openEnd={pages.nextToken !== undefined}
            ariaLabels={{
              nextPageLabel: 'Next page of grants',
              previousPageLabel: 'Previous page of grants',
              pageLabel: (page) => `Grants page ${page}`,
            }}
            onNextPageClick={(event) => {
              if (!event.detail.requestedPageAvailable && pages.nextToken)
                void pages.loadMore().then(() => actions.setCurrentPage(event.detail.requestedPageIndex));
            }}
          />
        }
      />
      <CreateGrantModal keyId={keyId} change={changeAndList} visible={modal === 'create'} onClose={() => setModal(undefined)} />
      {selected ? (
        <RevokeGrantModal grant={selected} change={changeAndList} visible={modal === 'revoke'} onClose={() => setModal(undefined)} />
      ) : null}
    </SpaceBetween>
  );
}
