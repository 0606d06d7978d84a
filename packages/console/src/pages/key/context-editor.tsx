import AttributeEditor from '@cloudscape-design/components/attribute-editor';
import FormField from '@cloudscape-design/components/form-field';
import Input from '@cloudscape-design/components/input';
import { type ContextPair, contextErrors } from './context-pairs.js';

export interface ContextEditorProps {
  /** What the pairs are, such as "Encryption context"; each row's inputs are named after it. */
  readonly label: string;
  readonly description?: string;
  readonly pairs: readonly ContextPair[];
  readonly onChange: (pairs: ContextPair[]) => void;
  /** An error about the pairs as a whole from elsewhere (none at all where some are needed). */
  readonly errorText?: string;
}

/** Key-value pairs of an encryption context, validated at each row as the API validates a context. */
export function ContextEditor({ label, description, pairs, onChange, errorText }: ContextEditorProps) {
  const errors = contextErrors(pairs);
  const replace = (index: number, pair: Partial<ContextPair>) =>
    onChange(pairs.map((current, at) => (at === index ? { ...current, ...pair } : current)));
  return (
    <FormField label={label} description={description} errorText={errorText ?? errors.list} stretch>
      <AttributeEditor<ContextPair>
        items={pairs}
        addButtonText="Add pair"
        removeButtonText="Remove"
        empty="No pairs."
        onAddButtonClick={() => onChange([...pairs, { key: '', value: '' }])}
        onRemoveButtonClick={(event) => onChange(pairs.filter((_, at) => at !== event.detail.itemIndex))}
        i18nStrings={{
          removeButtonAriaLabel: (pair) => `Remove pair ${pair.key || '(empty key)'} from ${label.toLowerCase()}`,
          itemRemovedAriaLive: 'Pair removed',
          errorIconAriaLabel: 'Error',
        }}
        definition={[
          {
            label: 'Key',
            control: (pair, index) => (
              <Input
                value={pair.key}
                onChange={(event) => replace(index, { key: event.detail.value })}
                ariaLabel={`${label}: key ${index + 1}`}
                invalid={errors.rows[index] !== undefined}
              />
            ),
            errorText: (_, index) => errors.rows[index],
          },
          {
            label: 'Value',
            control: (pair, index) => (
              <Input
                value={pair.value}
                onChange={(event) => replace(index, { value: event.detail.value })}
                ariaLabel={`${label}: value ${index + 1}`}
              />
            ),
          },
        ]}
      />
    </FormField>
  );
}
