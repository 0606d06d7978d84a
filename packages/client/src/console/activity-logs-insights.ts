import { type CloudWatchLogsClient, GetQueryResultsCommand, type ResultField, StartQueryCommand } from '@aws-sdk/client-cloudwatch-logs';
import type { EnvelopeClient } from '../client.js';
import { EnvelopeApiError } from '../errors.js';
import { hourlyActivity, rangeOf } from './activity-page.js';
import { type ActivityRange, activityRange } from './activity-range.js';
import { hourlyQuery, isKeyId, logsFilter, recordOfRow, recordsQuery, tallyOfRow } from './activity-queries.js';
import { ACTIVITY_LIMIT, type ActivityPage } from './protocol.js';
import type { ActivitySource } from './server.js';

export interface LogsInsightsOptions {
  /** CloudWatch Logs, with the user's credentials, in the API's region. */
  readonly logs: Pick<CloudWatchLogsClient, 'send'>;
  /** The audit log group: given, or found from the stack's saved queries (see audit-log-group.ts). */
  readonly logGroup: () => Promise<string>;
  /** A query still running after this long is abandoned: 503. @default 20 s */
  readonly timeoutMs?: number;
  /** @default 500 ms */
  readonly pollMs?: number;
}

const DEFAULT_TIMEOUT_MS = 20_000;

/**
 * The Activity page for `envelope console`: two Logs Insights queries over the audit log group, run
 * with the user's own credentials (the operator managed policy grants them): the newest records,
 * and their counts per hour and status. An alias is first resolved to its key id through the API.
 */
export function logsInsightsActivity(options: LogsInsightsOptions): ActivitySource {
  return async (query, client) => {
    const range = activityRange(query);
    const filter = logsFilter({ keyId: await keyIdOf(range.key, client), principal: range.principal });
    const logGroup = await options.logGroup();
    const deadline = Date.now() + (options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    const run = (queryString: string) => runQuery(options, { logGroup, queryString, range, deadline });
    const [rows, tallies] = await Promise.all([run(recordsQuery(filter)), run(hourlyQuery(filter))]);
    return page(rows, tallies, range);
  };
}

function page(rows: ResultField[][], tallies: ResultField[][], range: ActivityRange): ActivityPage {
  return {
    source: 'logs-insights',
    records: rows.slice(0, ACTIVITY_LIMIT).map(recordOfRow),
    ...(rows.length > ACTIVITY_LIMIT && { truncated: true }),
    ...rangeOf(range),
    hourly: hourlyActivity(range, tallies.map(tallyOfRow)),
  };
}

/** The records hold a key by id, and an alias only hashed: the API tells which key an alias names today. */
async function keyIdOf(key: string | undefined, client: EnvelopeClient): Promise<string | undefined> {
  if (key === undefined || isKeyId(key)) return key;
  const alias = key.startsWith('alias/') ? key : `alias/${key}`;
  const found = await client.getKey(alias).catch((error: unknown) => {
    throw error instanceof EnvelopeApiError ? error : unavailable(`The API could not be reached to find ${alias}.`);
  });
  return found.keyId;
}

interface QueryRun {
  readonly logGroup: string;
  readonly queryString: string;
  readonly range: ActivityRange;
  /** When to give up, as a time in ms. */
  readonly deadline: number;
}

async function runQuery(options: LogsInsightsOptions, run: QueryRun): Promise<ResultField[][]> {
  const { logs, pollMs = 500 } = options;
  const { queryId } = await logsCall('StartQuery', run.logGroup, () => logs.send(new StartQueryCommand(startOf(run))));
  for (;;) {
    const result = await logsCall('GetQueryResults', run.logGroup, () => logs.send(new GetQueryResultsCommand({ queryId })));
    if (result.status === 'Complete') return result.results ?? [];
    if (result.status !== 'Running' && result.status !== 'Scheduled') throw unavailable(`The Logs Insights query ended ${result.status}.`);
    if (Date.now() + pollMs > run.deadline) throw unavailable(`The Logs Insights query did not complete within ${timeoutSeconds(options)} s.`);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

/** Logs Insights takes whole seconds: the range is widened to them (by less than a second at each end). */
const startOf = ({ logGroup, queryString, range }: QueryRun) => ({
  logGroupName: logGroup,
  queryString,
  startTime: Math.floor(range.from.getTime() / 1000),
  endTime: Math.ceil(range.to.getTime() / 1000),
});

const timeoutSeconds = (options: LogsInsightsOptions) => (options.timeoutMs ?? DEFAULT_TIMEOUT_MS) / 1000;

/** A Logs call, its refusal said as the API says one: which permission is missing, on what. */
async function logsCall<T>(action: string, logGroup: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw logsError(error as Error, action, logGroup);
  }
}

export function logsError(error: Error, action: string, logGroup: string): EnvelopeApiError {
  if (error.name === 'AccessDeniedException') {
    return new EnvelopeApiError(
      403,
      'AccessDenied',
      `CloudWatch Logs refused logs:${action} on ${logGroup}: attach the stack's operator managed policy (OperatorPolicyArn), which grants it. (${error.message})`,
    );
  }
  if (error.name === 'ResourceNotFoundException') return new EnvelopeApiError(404, 'NotFound', `No log group ${logGroup}: ${error.message}`);
  return unavailable(`CloudWatch Logs failed (${error.name}): ${error.message}`);
}

const unavailable = (message: string) => new EnvelopeApiError(503, 'DependencyUnavailable', message);
