import Box from '@cloudscape-design/components/box';
import Checkbox from '@cloudscape-design/components/checkbox';
import Container from '@cloudscape-design/components/container';
import Header from '@cloudscape-design/components/header';
import SpaceBetween from '@cloudscape-design/components/space-between';
import { PrincipalsEditor } from '../../components/principals-editor.js';
import type { StepProps } from './details-step.js';

/** Steps 3 and 4: who administers the key, and who uses it, besides its creator. */
export function AdminsStep({ draft, onChange, showErrors, creator }: StepProps & { readonly creator: string }) {
  return (
    <Container header={<Header variant="h2">Key administrators</Header>}>
      <SpaceBetween size="l">
        <Box variant="p">
          Administrators manage the key: its policy, grants, tags, rotation, disabling and deletion. You ({creator}) are always its first
          administrator; add others here.
        </Box>
        <PrincipalsEditor
          label="Key administrators"
          description="IAM users or roles, by ARN."
          value={draft.admins}
          onChange={(admins) => onChange({ admins })}
          showErrors={showErrors}
          reserved={1}
        />
      </SpaceBetween>
    </Container>
  );
}

export function UsersStep({ draft, onChange, showErrors, creator }: StepProps & { readonly creator: string }) {
  return (
    <Container header={<Header variant="h2">Key users</Header>}>
      <SpaceBetween size="l">
        <Box variant="p">Users encrypt and decrypt with the key, and generate data keys under it.</Box>
        <Checkbox
          checked={draft.creatorIsUser}
          onChange={(event) => onChange({ creatorIsUser: event.detail.checked })}
          description="The API makes the key's creator a user too; clear this to only administer it."
        >
          Allow me ({creator}) to use the key
        </Checkbox>
        <PrincipalsEditor
          label="Key users"
          description="IAM users or roles, by ARN."
          value={draft.users}
          onChange={(users) => onChange({ users })}
          showErrors={showErrors}
          reserved={draft.creatorIsUser ? 1 : 0}
        />
      </SpaceBetween>
    </Container>
  );
}
