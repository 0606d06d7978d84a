import Button from '@cloudscape-design/components/button';
import Container from '@cloudscape-design/components/container';
import Header from '@cloudscape-design/components/header';
import SpaceBetween from '@cloudscape-design/components/space-between';
import { useState } from 'react';
import { api } from '../../api/client.js';
import type { KeyMetadata } from '../../api/types.js';
import { tagRows, tagsError, tagsOf } from '../../components/tags.js';
import { TagsEditor } from '../../components/tags-editor.js';
import { keyPath } from './key-path.js';
import { sameTags } from './same-tags.js';
import type { KeyChange } from './use-key-change.js';
import { usePending } from './use-pending.js';

/** The key's tags, replaced as a whole by `PUT /v1/keys/{key}/tags`. */
export function TagsTab({ metadata, change }: { metadata: KeyMetadata; change: KeyChange }) {
  const [rows, setRows] = useState(() => tagRows(metadata.tags));
  const [showErrors, setShowErrors] = useState(false);
  const [saving, pending] = usePending();
  const tags = tagsOf(rows);
  const changed = !sameTags(tags, metadata.tags) || rows.some((row) => !row.existing && !row.markedForRemoval);

  const save = async () => {
    setShowErrors(true);
    if (tagsError(rows) !== undefined) return;
    await pending(() =>
      change({
        call: () => api<KeyMetadata>('PUT', keyPath(metadata.keyId, '/tags'), { body: { tags } }),
        success: () => 'Tags saved.',
        failure: 'The tags were not saved',
      }),
    );
  };

  return (
    <Container
      header={
        <Header
          variant="h2"
          description="Names for sorting keys: team, cost centre, data class. The keys list filters by them."
          actions={
            <SpaceBetween direction="horizontal" size="xs">
              <Button onClick={() => setRows(tagRows(metadata.tags))} disabled={!changed}>
                Reset
              </Button>
              <Button variant="primary" onClick={save} loading={saving} disabled={!changed}>
                Save changes
              </Button>
            </SpaceBetween>
          }
        >
          Tags
        </Header>
      }
    >
      <TagsEditor rows={rows} onChange={setRows} showErrors={showErrors} hideLabel />
    </Container>
  );
}
