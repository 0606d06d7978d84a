import Container from '@cloudscape-design/components/container';
import FormField from '@cloudscape-design/components/form-field';
import Header from '@cloudscape-design/components/header';
import Input from '@cloudscape-design/components/input';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Textarea from '@cloudscape-design/components/textarea';
import { ALIAS_PREFIX, MAX_DESCRIPTION_LENGTH } from '../../../../../contract/limits.js';
import { aliasError, descriptionError, type KeyDraft } from './key-draft.js';

export interface StepProps {
  readonly draft: KeyDraft;
  readonly onChange: (change: Partial<KeyDraft>) => void;
  /** Show every field's error: the user tried to go on. */
  readonly showErrors: boolean;
}

/** Step 1: the alias and the description. */
export function DetailsStep({
  draft,
  onChange,
  takenAlias,
}: StepProps & { readonly takenAlias?: { readonly alias: string; readonly error: string } }) {
  return (
    <Container header={<Header variant="h2">Key details</Header>}>
      <SpaceBetween size="l">
        <FormField
          label="Alias"
          description={`A name for the key, unique in the service. Callers can use ${ALIAS_PREFIX}<name> wherever a key id is expected.`}
          constraintText="Optional. 1 to 64 letters, digits, _ and -. You cannot change it later."
          errorText={aliasError(draft.alias) ?? (takenAlias?.alias === draft.alias ? takenAlias.error : undefined)}
        >
          <Input value={draft.alias} onChange={(event) => onChange({ alias: event.detail.value })} placeholder="orders" autoFocus />
        </FormField>
        <FormField
          label="Description"
          description="What the key protects, and for whom."
          constraintText={`Optional. ${draft.description.length} of ${MAX_DESCRIPTION_LENGTH} characters.`}
          errorText={descriptionError(draft.description)}
        >
          <Textarea value={draft.description} onChange={(event) => onChange({ description: event.detail.value })} rows={3} />
        </FormField>
      </SpaceBetween>
    </Container>
  );
}
