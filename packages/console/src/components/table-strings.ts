import type { CollectionPreferencesProps } from '@cloudscape-design/components/collection-preferences';
import type { PaginationProps } from '@cloudscape-design/components/pagination';

// Cloudscape ships no default English strings without an I18nProvider, so the console gives them.

export const PAGINATION_LABELS: PaginationProps.Labels = {
  nextPageLabel: 'Next page',
  previousPageLabel: 'Previous page',
  pageLabel: (page) => `Page ${page}`,
};

export const PREFERENCES_LABELS: Pick<CollectionPreferencesProps, 'title' | 'confirmLabel' | 'cancelLabel'> = {
  title: 'Preferences',
  confirmLabel: 'Confirm',
  cancelLabel: 'Cancel',
};
