import * as z from 'zod/mini';
import { Tags } from '../lambdas/http/schemas.js';

/** Tags a deployment puts on the master key and every other taggable resource of its stacks. */
export type DeploymentTags = Readonly<Record<string, string>>;

/**
 * Reads the `tags` context value: a JSON object as given on the command line
 * (`-c tags='{"team":"platform"}'`) or an object from `cdk.json`, checked with KMS's tag rules.
 */
export function deploymentTagsFromContext(value: unknown): DeploymentTags {
  if (value === undefined) return {};
  let parsed: unknown = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch {
      throw new Error(`The tags context must be a JSON object such as {"team":"platform"}, not ${value}.`);
    }
  }
  const result = Tags.safeParse(parsed);
  if (!result.success) throw new Error(`The tags context is not valid: ${z.prettifyError(result.error)}`);
  return result.data;
}
