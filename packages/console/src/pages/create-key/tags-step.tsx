import Container from '@cloudscape-design/components/container';
import Header from '@cloudscape-design/components/header';
import { TagsEditor } from '../../components/tags-editor.js';
import type { StepProps } from './details-step.js';

/** Step 2: tags, to sort keys by team, cost centre or data class. */
export function TagsStep({ draft, onChange, showErrors }: StepProps) {
  return (
    <Container header={<Header variant="h2">Tags</Header>}>
      <TagsEditor
        rows={draft.tags}
        onChange={(tags) => onChange({ tags })}
        showErrors={showErrors}
        hideLabel
        description="Tags name what the key is for: a team, a cost centre, a data class. The keys list filters by them."
      />
    </Container>
  );
}
