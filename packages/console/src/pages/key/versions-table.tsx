import Button from '@cloudscape-design/components/button';
import Header from '@cloudscape-design/components/header';
import Table from '@cloudscape-design/components/table';
import type { KeyMetadata } from '../../api/types.js';
import { formatDate } from '../../components/format.js';
import { VersionStateIndicator } from '../../components/key-state.js';
import { availableActions, unavailableReason } from './key-actions.js';
import { rotateKey } from './key-requests.js';
import type { KeyChange } from './use-key-change.js';
import { usePending } from './use-pending.js';

type Version = KeyMetadata['versions'][number];

/** The key's versions, newest first: encrypt uses the current one, decrypt any of them. */
export function VersionsTable({ metadata, change }: { metadata: KeyMetadata; change: KeyChange }) {
  const [rotating, pending] = usePending();
  const versions = [...metadata.versions].sort((a, b) => b.version - a.version);
  return (
    <Table<Version>
      items={versions}
      trackBy="version"
      ariaLabels={{ tableLabel: 'Key versions' }}
      columnDefinitions={[
        {
          id: 'version',
          header: 'Version',
          cell: (row) => (row.version === metadata.currentVersion ? `${row.version} (current)` : row.version),
          isRowHeader: true,
        },
        { id: 'state', header: 'State', cell: (row) => <VersionStateIndicator state={row.state} /> },
        { id: 'createdAt', header: 'Created', cell: (row) => formatDate(row.createdAt) },
        {
          id: 'lastUsedAt',
          header: 'Last decrypt or rewrap',
          // The hour, kept at most an hour late (docs/key-versions.md); absent from answers that do not read it.
          cell: (row) => (row.lastUsedAt === undefined ? '-' : row.lastUsedAt === null ? 'Never' : `${formatDate(row.lastUsedAt)} (that hour)`),
        },
      ]}
      header={
        <Header
          variant="h2"
          counter={`(${versions.length})`}
          description={`Encrypt uses the current version; decrypt opens what any enabled version sealed${metadata.minDecryptionVersion > 1 ? ` (versions below ${metadata.minDecryptionVersion} are retired)` : ''}. Rotating adds a version and makes it current.`}
          actions={
            <Button
              onClick={() => pending(() => change(rotateKey(metadata.keyId)))}
              loading={rotating}
              disabled={!availableActions(metadata.state).has('rotate')}
              disabledReason={unavailableReason('rotate', metadata.state)}
            >
              Rotate now
            </Button>
          }
        >
          Versions
        </Header>
      }
    />
  );
}
