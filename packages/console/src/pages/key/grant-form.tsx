import Autosuggest from '@cloudscape-design/components/autosuggest';
import DatePicker from '@cloudscape-design/components/date-picker';
import FormField from '@cloudscape-design/components/form-field';
import Input from '@cloudscape-design/components/input';
import Multiselect from '@cloudscape-design/components/multiselect';
import RadioGroup from '@cloudscape-design/components/radio-group';
import SpaceBetween from '@cloudscape-design/components/space-between';
import { GRANT_LIMITS, GRANT_OPERATIONS } from '../../../../../contract/limits.js';
import type { GrantOperation } from '../../api/types.js';
import { useIdentityOptions } from '../../components/use-identity-options.js';
import { ContextEditor } from './context-editor.js';
import { type ConstraintType, type GrantDraft, type GrantErrors, isAllowedExpiry } from './grant-draft.js';

const OPERATION_LABELS: Record<GrantOperation, string> = {
  encrypt: 'Encrypt',
  decrypt: 'Decrypt',
  rewrap: 'Rewrap',
  generateDataKey: 'Generate data key',
};
const OPERATION_OPTIONS = GRANT_OPERATIONS.map((value) => ({ value, label: OPERATION_LABELS[value] }));

const CONSTRAINTS: { value: ConstraintType; label: string; description: string }[] = [
  { value: 'none', label: 'None', description: 'Any encryption context.' },
  { value: 'contextEquals', label: 'Context equals', description: 'The request’s context must be exactly these pairs.' },
  { value: 'contextSubset', label: 'Context includes', description: 'The request’s context must include these pairs, and may have more.' },
];

export interface GrantFormProps {
  readonly draft: GrantDraft;
  readonly onChange: (draft: GrantDraft) => void;
  /** The draft's errors, shown once the user tried to create the grant. */
  readonly errors: GrantErrors | undefined;
}

/** The fields of a grant, as `POST /v1/keys/{key}/grants` takes them. */
export function GrantForm({ draft, onChange, errors }: GrantFormProps) {
  const set = (change: Partial<GrantDraft>) => onChange({ ...draft, ...change });
  const identities = useIdentityOptions();
  return (
    <SpaceBetween size="l">
      <FormField
        label="Grantee principal ARN"
        description="The IAM role or user the grant is for (a role, not a role session)."
        errorText={errors?.grantee}
      >
        <Autosuggest
          value={draft.grantee}
          options={identities}
          onChange={(event) => set({ grantee: event.detail.value })}
          placeholder="arn:aws:iam::111122223333:role/Team"
          enteredTextLabel={(text) => `Use "${text}"`}
          empty="No local identity matches"
          clearAriaLabel="Clear ARN"
        />
      </FormField>
      <FormField label="Operations" description="What the grantee may do with the key." errorText={errors?.operations}>
        <Multiselect
          selectedOptions={OPERATION_OPTIONS.filter((option) => draft.operations.includes(option.value))}
          options={OPERATION_OPTIONS}
          onChange={(event) => set({ operations: event.detail.selectedOptions.map((option) => option.value as GrantOperation) })}
          placeholder="Choose operations"
        />
      </FormField>
      <FormField label="Constraint" description="Which encryption contexts the grant allows.">
        <RadioGroup value={draft.constraint} items={CONSTRAINTS} onChange={(event) => set({ constraint: event.detail.value as ConstraintType })} />
      </FormField>
      {draft.constraint === 'none' ? null : (
        <ContextEditor label="Constraint pairs" pairs={draft.pairs} onChange={(pairs) => set({ pairs })} errorText={errors?.pairs?.list} />
      )}
      <FormField
        label="Expiry date - optional"
        description="The grant ends at the start of that day, local time."
        constraintText={`At most ${GRANT_LIMITS.maxLifetimeDays} days ahead; without a date, a year ahead.`}
        errorText={errors?.expiryDate}
      >
        <DatePicker
          value={draft.expiryDate}
          onChange={(event) => set({ expiryDate: event.detail.value })}
          isDateEnabled={(date) => isAllowedExpiry(date, new Date())}
          placeholder="YYYY/MM/DD"
          openCalendarAriaLabel={(selected) => `Choose the expiry date${selected ? `, selected ${selected}` : ''}`}
        />
      </FormField>
      <FormField
        label="Name - optional"
        description="Unique on the key: creating the same grant again under its name answers the same grant."
        constraintText={`Letters, digits and : / _ -; at most ${GRANT_LIMITS.maxNameLength} characters.`}
        errorText={errors?.name}
      >
        <Input value={draft.name} onChange={(event) => set({ name: event.detail.value })} />
      </FormField>
    </SpaceBetween>
  );
}
