import FormField from '@cloudscape-design/components/form-field';
import TagEditor, { type TagEditorProps } from '@cloudscape-design/components/tag-editor';
import { TAG_LIMITS } from '../../../../contract/limits.js';
import { type TagRow, tagsError } from './tags.js';

export interface TagsEditorProps {
  readonly rows: readonly TagRow[];
  readonly onChange: (rows: TagRow[]) => void;
  readonly description?: string;
  /** Leaves out the field's own "Tags" label, where a header above already names it. @default false */
  readonly hideLabel?: boolean;
  /** Shows the set's own error (such as a duplicate key), once the user tries to go on. */
  readonly showErrors?: boolean;
}

/** A key's tags, with KMS's rules (the contract's limits), each row checked as it is typed. */
export function TagsEditor({ rows, onChange, description, hideLabel = false, showErrors = false }: TagsEditorProps) {
  const error = showErrors ? tagsError(rows) : undefined;
  return (
    <FormField label={hideLabel ? undefined : 'Tags'} description={description} errorText={error} stretch>
      <TagEditor
        tags={rows}
        tagLimit={TAG_LIMITS.maxTags}
        i18nStrings={I18N}
        onChange={(event) =>
          onChange(event.detail.tags.map(({ key, value, existing, markedForRemoval }) => ({ key, value, existing, markedForRemoval })))
        }
      />
    </FormField>
  );
}

// Cloudscape ships no default English strings without an I18nProvider, so the console gives them.
const I18N: TagEditorProps.I18nStrings = {
  keyPlaceholder: 'Enter key',
  valuePlaceholder: 'Enter value',
  addButton: 'Add new tag',
  removeButton: 'Remove',
  undoButton: 'Undo',
  undoPrompt: 'This tag will be removed upon saving changes',
  loading: 'Loading tags',
  keyHeader: 'Key',
  valueHeader: 'Value',
  optional: 'optional',
  keySuggestion: 'Custom tag key',
  valueSuggestion: 'Custom tag value',
  emptyTags: 'No tags associated with the key.',
  tooManyKeysSuggestion: 'You have more keys than can be displayed',
  tooManyValuesSuggestion: 'You have more values than can be displayed',
  keysSuggestionLoading: 'Loading tag keys',
  keysSuggestionError: 'Tag keys could not be retrieved',
  valuesSuggestionLoading: 'Loading tag values',
  valuesSuggestionError: 'Tag values could not be retrieved',
  emptyKeyError: 'You must specify a tag key',
  maxKeyCharLengthError: `The maximum number of characters you can use in a tag key is ${TAG_LIMITS.maxKeyLength}.`,
  maxValueCharLengthError: `The maximum number of characters you can use in a tag value is ${TAG_LIMITS.maxValueLength}.`,
  duplicateKeyError: 'You must specify a unique tag key.',
  invalidKeyError: 'Invalid key. Keys can only contain letters, digits, spaces and _ . : / = + - @',
  invalidValueError: 'Invalid value. Values can only contain letters, digits, spaces and _ . : / = + - @',
  awsPrefixError: 'Cannot start with aws:',
  errorIconAriaLabel: 'Error',
  clearAriaLabel: 'Clear',
  itemRemovedAriaLive: 'Tag removed',
  tagLimit: (available, limit) =>
    available === limit
      ? `You can add up to ${limit} tags.`
      : available === 0
        ? 'You cannot add any more tags.'
        : `You can add up to ${available} more tags.`,
  tagLimitReached: (limit) => `You have reached the limit of ${limit} tags.`,
  tagLimitExceeded: (limit) => `You have exceeded the limit of ${limit} tags.`,
  enteredKeyLabel: (key) => `Use "${key}"`,
  enteredValueLabel: (value) => `Use "${value}"`,
  removeButtonAriaLabel: (tag) => `Remove tag ${tag.key || 'with no key'}`,
};
