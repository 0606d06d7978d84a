import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import Container from '@cloudscape-design/components/container';
import Header from '@cloudscape-design/components/header';
import KeyValuePairs from '@cloudscape-design/components/key-value-pairs';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Table from '@cloudscape-design/components/table';
import type { ReactNode } from 'react';
import { ALIAS_PREFIX } from '../../../../../contract/limits.js';
import { tagsOf } from '../../components/tags.js';
import { type KeyDraft, STEPS, type Step } from './key-draft.js';

export interface ReviewStepProps {
  readonly draft: KeyDraft;
  readonly creator: string;
  readonly onEdit: (step: number) => void;
}

/** Step 5: everything the wizard gathered, each section with a way back to its step, as KMS reviews. */
export function ReviewStep({ draft, creator, onEdit }: ReviewStepProps) {
  const section = (step: Step, title: string, content: ReactNode) => (
    <Container
      header={
        <Header
          variant="h2"
          actions={
            <Button onClick={() => onEdit(STEPS.indexOf(step))} ariaLabel={`Edit ${title.toLowerCase()}`}>
              Edit
            </Button>
          }
        >
          {title}
        </Header>
      }
    >
      {content}
    </Container>
  );
  return (
    <SpaceBetween size="l">
      {section(
        'details',
        'Alias and description',
        <KeyValuePairs
          columns={2}
          items={[
            { label: 'Alias', value: draft.alias === '' ? '-' : `${ALIAS_PREFIX}${draft.alias}` },
            { label: 'Description', value: draft.description === '' ? '-' : draft.description },
          ]}
        />,
      )}
      {section('tags', 'Tags', <TagsTable draft={draft} />)}
      {section('admins', 'Key administrators', <Principals arns={[`${creator} (you)`, ...draft.admins]} />)}
      {section('users', 'Key users', <Principals arns={[...(draft.creatorIsUser ? [`${creator} (you)`] : []), ...draft.users]} />)}
    </SpaceBetween>
  );
}

function TagsTable({ draft }: { draft: KeyDraft }) {
  const items = Object.entries(tagsOf(draft.tags)).map(([key, value]) => ({ key, value }));
  return (
    <Table
      variant="borderless"
      items={items}
      trackBy="key"
      ariaLabels={{ tableLabel: 'Tags to add' }}
      columnDefinitions={[
        { id: 'key', header: 'Key', cell: (tag) => tag.key, isRowHeader: true },
        { id: 'value', header: 'Value', cell: (tag) => tag.value || '-' },
      ]}
      empty={<Box color="text-status-inactive">No tags</Box>}
    />
  );
}

function Principals({ arns }: { arns: readonly string[] }) {
  if (arns.length === 0) return <Box color="text-status-inactive">None</Box>;
  return (
    <SpaceBetween size="xxs">
      {arns.map((arn) => (
        <Box key={arn} variant="code">
          {arn}
        </Box>
      ))}
    </SpaceBetween>
  );
}
