import AttributeEditor from '@cloudscape-design/components/attribute-editor';
import Autosuggest from '@cloudscape-design/components/autosuggest';
import FormField from '@cloudscape-design/components/form-field';
import { useState } from 'react';
import { MAX_POLICY_PRINCIPALS } from '../../../../contract/limits.js';
import { principalListErrors } from './principal-arns.js';
import { useIdentityOptions } from './use-identity-options.js';

export interface PrincipalsEditorProps {
  /** What the list is, such as "Key administrators"; each row's control is named after it. */
  readonly label: string;
  readonly description?: string;
  readonly value: readonly string[];
  readonly onChange: (value: string[]) => void;
  /** At least one principal is needed (administrators). */
  readonly required?: boolean;
  /** Shows every row's error, untouched rows included: set it once the user tries to go on. */
  readonly showErrors?: boolean;
  /** An error about the whole list from elsewhere, such as the API's answer. */
  readonly errorText?: string;
  /** Places in the list taken by principals added without it (the creator of a new key). @default 0 */
  readonly reserved?: number;
}

/**
 * A key policy's list of IAM principal ARNs, validated at each row as the API validates it. With
 * `npm start`, the local identities' ARNs are offered as suggestions.
 */
export function PrincipalsEditor({
  label,
  description,
  value,
  onChange,
  required,
  showErrors = false,
  errorText,
  reserved = 0,
}: PrincipalsEditorProps) {
  const limit = MAX_POLICY_PRINCIPALS - reserved;
  const [touched, setTouched] = useState<ReadonlySet<number>>(new Set());
  const errors = principalListErrors(value, { required });
  const options = useIdentityOptions();
  const rowError = (index: number) => (showErrors || touched.has(index) ? errors.rows[index] : undefined);

  const replace = (index: number, arn: string) => onChange(value.map((current, at) => (at === index ? arn : current)));
  const remove = (index: number) => {
    onChange(value.filter((_, at) => at !== index));
    setTouched((current) => new Set([...current].filter((at) => at !== index).map((at) => (at > index ? at - 1 : at))));
  };
  const touch = (index: number) => setTouched((current) => new Set(current).add(index));

  return (
    <FormField label={label} description={description} errorText={errorText ?? (showErrors || touched.size > 0 ? errors.list : undefined)} stretch>
      <AttributeEditor<string>
        items={value}
        addButtonText={`Add ${singular(label)}`}
        disableAddButton={value.length >= limit}
        additionalInfo={remaining(value.length, limit)}
        onAddButtonClick={() => onChange([...value, ''])}
        onRemoveButtonClick={(event) => remove(event.detail.itemIndex)}
        removeButtonText="Remove"
        empty={reserved > 0 ? `No ${label.toLowerCase()} besides you.` : `No ${label.toLowerCase()}.`}
        i18nStrings={{
          removeButtonAriaLabel: (arn) => `Remove ${arn || 'empty row'} from ${label.toLowerCase()}`,
          itemRemovedAriaLive: 'Principal removed',
          errorIconAriaLabel: 'Error',
        }}
        definition={[
          {
            label: 'Principal ARN',
            control: (arn, index) => (
              <Autosuggest
                value={arn}
                options={options}
                onChange={(event) => replace(index, event.detail.value)}
                onBlur={() => touch(index)}
                placeholder="arn:aws:iam::111122223333:role/Team"
                clearAriaLabel="Clear ARN"
                enteredTextLabel={(text) => `Use "${text}"`}
                empty="No local identity matches"
                invalid={rowError(index) !== undefined}
              />
            ),
            errorText: (_, index) => rowError(index),
          },
        ]}
      />
    </FormField>
  );
}

const remaining = (count: number, limit: number) =>
  count >= limit ? `A key policy names at most ${MAX_POLICY_PRINCIPALS} here, you included.` : `You can add up to ${limit - count} more.`;

/** "Key administrators" adds a "key administrator". */
const singular = (label: string) => label.toLowerCase().replace(/s$/, '');
