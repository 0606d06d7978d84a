import type { TableProps } from '@cloudscape-design/components/table';
import type { Grant } from '../../api/types.js';
import { formatDate } from '../../components/format.js';
import { describeConstraints } from './grant-text.js';

export const GRANT_COLUMNS: TableProps.ColumnDefinition<Grant>[] = [
  { id: 'name', header: 'Name', cell: (grant) => grant.name ?? '-', isRowHeader: true },
  { id: 'grantee', header: 'Grantee', cell: (grant) => grant.grantee },
  { id: 'operations', header: 'Operations', cell: (grant) => grant.operations.join(', ') },
  { id: 'constraints', header: 'Constraints', cell: (grant) => describeConstraints(grant.constraints) },
  { id: 'expiresAt', header: 'Expires', cell: (grant) => formatDate(grant.expiresAt) },
  { id: 'createdAt', header: 'Created', cell: (grant) => formatDate(grant.createdAt) },
  { id: 'createdBy', header: 'Created by', cell: (grant) => grant.createdBy },
  { id: 'grantId', header: 'Grant ID', cell: (grant) => grant.grantId },
];
