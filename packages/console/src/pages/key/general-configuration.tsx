import Container from '@cloudscape-design/components/container';
import CopyToClipboard from '@cloudscape-design/components/copy-to-clipboard';
import Header from '@cloudscape-design/components/header';
import KeyValuePairs from '@cloudscape-design/components/key-value-pairs';
import type { KeyMetadata } from '../../api/types.js';
import { formatDate } from '../../components/format.js';
import { KeyStateIndicator } from '../../components/key-state.js';

export function GeneralConfiguration({ metadata }: { metadata: KeyMetadata }) {
  return (
    <Container header={<Header variant="h2">General configuration</Header>}>
      <KeyValuePairs
        columns={3}
        ariaLabel="General configuration"
        items={[
          {
            label: 'Key ID',
            value: (
              <CopyToClipboard
                variant="inline"
                textToCopy={metadata.keyId}
                copyButtonAriaLabel="Copy key ID"
                copySuccessText="Key ID copied"
                copyErrorText="Key ID not copied"
              />
            ),
          },
          { label: 'Alias', value: metadata.alias ?? '-' },
          { label: 'Status', value: <KeyStateIndicator state={metadata.state} /> },
          { label: 'Description', value: metadata.description ?? '-' },
          { label: 'Current version', value: metadata.currentVersion },
          { label: 'Created', value: `${formatDate(metadata.createdAt)} by ${metadata.createdBy}` },
          ...(metadata.deletionDate ? [{ label: 'Deletion date', value: formatDate(metadata.deletionDate) }] : []),
        ]}
      />
    </Container>
  );
}
