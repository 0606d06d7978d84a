import { TAG_LIMITS } from '../contract/index.js';
import { Tags } from '../lambdas/http/schemas.js';
import { ENGLISH, issuesInOneLine, shown } from './stage-context.js';

/** Tags a deployment puts on the master key and every other taggable resource of its stacks. */
export type DeploymentTags = Readonly<Record<string, string>>;

const EXAMPLE = `'{"team":"platform"}'`;

/**
 * Reads the `tags` context value: a JSON object as given on the command line
 * (`-c tags='{"team":"platform"}'`) or an object from `cdk.json`, checked with KMS's tag rules.
 */
export function deploymentTagsFromContext(value: unknown): DeploymentTags {
  if (value === undefined) return {};
  const parsed = typeof value === 'string' ? parseJson(value) : value;
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new Error(`The tags context must be a JSON object such as ${EXAMPLE} (quoted for the shell), not ${shown(value)}.`);
  }
  const result = Tags.safeParse(parsed, ENGLISH);
  if (!result.success) {
    const tag = ([name]: readonly PropertyKey[], key: boolean) =>
      key ? `tag key ${JSON.stringify(name)}` : `the value of tag ${JSON.stringify(name)}`;
    throw new Error(
      `The tags context is not valid: ${issuesInOneLine(result.error, tag)}. Expected at most ${TAG_LIMITS.maxTags} tags with KMS's rules, such as ${EXAMPLE}.`,
    );
  }
  return result.data;
}

function parseJson(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}
