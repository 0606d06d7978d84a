import SpaceBetween from '@cloudscape-design/components/space-between';
import Tabs from '@cloudscape-design/components/tabs';
import type { KeyMetadata } from '../../api/types.js';
import { AccessPanel } from './access-panel.js';
import { GeneralConfiguration } from './general-configuration.js';
import { GrantsTab } from './grants-tab.js';
import { KeyHeader } from './key-header.js';
import { PolicyTab } from './policy-tab.js';
import { TagsTab } from './tags-tab.js';
import type { KeyChange } from './use-key-change.js';
import { VersionsTable } from './versions-table.js';

export interface KeyDetailsProps {
  readonly metadata: KeyMetadata;
  readonly change: KeyChange;
  readonly reload: () => Promise<void>;
}

/** What an administrator sees of a key, laid out as the KMS console's key page: configuration, then tabs. */
export function KeyDetails({ metadata, change, reload }: KeyDetailsProps) {
  // An editor starts again from what the API holds whenever that changes (after a save, or someone else's).
  const policyVersion = JSON.stringify(metadata.policy);
  const tagsVersion = JSON.stringify(metadata.tags);
  return (
    <SpaceBetween size="l">
      <KeyHeader metadata={metadata} change={change} reload={reload} />
      <GeneralConfiguration metadata={metadata} />
      <Tabs
        ariaLabel="Key details"
        tabs={[
          { id: 'versions', label: 'Versions', content: <VersionsTable metadata={metadata} change={change} /> },
          { id: 'policy', label: 'Key policy', content: <PolicyTab key={policyVersion} metadata={metadata} change={change} /> },
          { id: 'grants', label: 'Grants', content: <GrantsTab keyId={metadata.keyId} change={change} /> },
          { id: 'tags', label: 'Tags', content: <TagsTab key={tagsVersion} metadata={metadata} change={change} /> },
          { id: 'access', label: 'Test your access', content: <AccessPanel keyId={metadata.keyId} /> },
        ]}
      />
    </SpaceBetween>
  );
}
