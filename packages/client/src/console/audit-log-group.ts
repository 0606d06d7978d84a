import { type CloudWatchLogsClient, DescribeQueryDefinitionsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { EnvelopeApiError } from '../errors.js';
import { logsError } from './activity-logs-insights.js';

const SERVICE_PREFIX = 'envelope-api-';
/** `envelope-api-<stage>/audit/<query>`: the stack's saved queries (lib/constructs/audit-trail.ts). */
const SAVED_QUERY = /^envelope-api-[^/]+\/audit\//;

/**
 * The stage's saved queries' folder, `envelope-api-<stage>/audit/`: the API's stage is its URL's
 * last path segment (`…amazonaws.com/prod`). None for a custom domain, whose path names no stage.
 */
export function savedQueryFolder(endpoint: string): string | undefined {
  const stage = new URL(endpoint).pathname.split('/').filter(Boolean).at(-1);
  return stage === undefined ? undefined : `${SERVICE_PREFIX}${stage}/audit/`;
}

/**
 * The audit log group, as the stack's saved Logs Insights queries name it: those of the endpoint's
 * stage, else the only stage's in the region. Found once; a failure is tried again on the next call.
 */
export function auditLogGroupFinder(logs: Pick<CloudWatchLogsClient, 'send'>, endpoint: string): () => Promise<string> {
  let found: Promise<string> | undefined;
  return () => {
    found ??= findAuditLogGroup(logs, savedQueryFolder(endpoint)).catch((error: unknown) => {
      found = undefined;
      throw error;
    });
    return found;
  };
}

async function findAuditLogGroup(logs: Pick<CloudWatchLogsClient, 'send'>, folder: string | undefined): Promise<string> {
  const prefix = folder ?? SERVICE_PREFIX;
  const { queryDefinitions = [] } = await logs
    .send(new DescribeQueryDefinitionsCommand({ queryDefinitionNamePrefix: prefix, maxResults: 1000 }))
    .catch((error: Error) => Promise.reject(logsError(error, 'DescribeQueryDefinitions', `saved queries ${prefix}*`)));
  const groups = new Set(queryDefinitions.filter(({ name }) => SAVED_QUERY.test(name ?? '')).flatMap(({ logGroupNames = [] }) => logGroupNames));
  if (groups.size === 1) return [...groups][0]!;
  throw new EnvelopeApiError(
    404,
    'NotFound',
    groups.size === 0
      ? `No saved audit queries named ${prefix}… in this region, to find the audit log group: start the console with --audit-log-group <name>.`
      : `The saved audit queries name several log groups (${[...groups].join(', ')}): start the console with --audit-log-group <name>.`,
  );
}
