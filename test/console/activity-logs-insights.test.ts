import {
  DescribeQueryDefinitionsCommand,
  GetQueryResultsCommand,
  type GetQueryResultsCommandOutput,
  type QueryDefinition,
  type ResultField,
  StartQueryCommand,
  type StartQueryCommandInput,
} from '@aws-sdk/client-cloudwatch-logs';
import { describe, expect, it } from 'vitest';
import { logsInsightsActivity } from '../../packages/client/src/console/activity-logs-insights.js';
import { auditLogGroupFinder, savedQueryFolder } from '../../packages/client/src/console/audit-log-group.js';
import { ACTIVITY_LIMIT, type ActivityQuery } from '../../packages/client/src/console/protocol.js';
import { type EnvelopeClient, EnvelopeApiError } from '../../packages/client/src/index.js';

/**
 * The Activity page in AWS, against a scripted CloudWatch Logs: moto_server implements neither
 * DescribeQueryDefinitions nor the Logs Insights language (filter, JSON fields, stats), so these
 * are the query building, the result mapping, the bounds and the errors, as narrow units.
 */
const GROUP = '/envelope-api-prod/audit';
const KEY_ID = '6f1c2a4e-9b1d-4c3e-8a2f-1d2c3b4a5e6f';
const OWNER = 'arn:aws:iam::111122223333:role/owner';
const HOUR = '2026-12-06T09:00:00.000Z';

type Row = Record<string, string>;
const fields = (row: Row): ResultField[] => Object.entries(row).map(([field, value]) => ({ field, value }));
const message = (record: Record<string, unknown>): Row => ({ '@timestamp': '2026-12-06 09:10:00.000', '@message': JSON.stringify(record) });
const auditRecord = (status: number, outcome: string) => ({
  phase: 'outcome',
  time: '2026-12-06T09:10:00.000Z',
  caller: OWNER,
  operation: 'encrypt',
  status,
  outcome,
  keyIds: [KEY_ID],
  aliases: ['hmac-sha256:00'],
});

interface Script {
  readonly records?: Row[];
  readonly hourly?: Row[];
  /** GetQueryResults' status, for ever. @default Complete */
  readonly status?: GetQueryResultsCommandOutput['status'];
  readonly failure?: Error;
}

/** A CloudWatch Logs client that answers from a script and keeps the queries it was asked. */
function scriptedLogs(script: Script) {
  const started: StartQueryCommandInput[] = [];
  const send = async (command: unknown) => {
    if (script.failure) throw script.failure;
    if (command instanceof StartQueryCommand) {
      started.push(command.input);
      return { queryId: command.input.queryString!.includes('stats') ? 'hourly' : 'records' };
    }
    if (command instanceof GetQueryResultsCommand) {
      const rows = command.input.queryId === 'hourly' ? script.hourly : script.records;
      return { status: script.status ?? 'Complete', results: (rows ?? []).map(fields) };
    }
    throw new Error(`unexpected ${String(command)}`);
  };
  return { logs: { send } as never, started };
}

const client = {
  getKey: async (key: string) => {
    if (key === 'alias/orders') return { keyId: KEY_ID };
    throw new EnvelopeApiError(404, 'KeyNotFound', `No key ${key}.`);
  },
} as unknown as EnvelopeClient;

async function activity(script: Script, query: ActivityQuery = {}, bounds = {}) {
  const { logs, started } = scriptedLogs(script);
  const page = await logsInsightsActivity({ logs, logGroup: async () => GROUP, ...bounds })(query, client);
  return { page, started };
}

async function failure(call: Promise<unknown>) {
  const error = await call.then(
    () => expect.fail('expected a failure'),
    (thrown: { status: number; code: string; message: string }) => thrown,
  );
  return { status: error.status, code: error.code, message: error.message };
}

describe('the Activity page from Logs Insights', () => {
  it('runs the records and hourly queries on the audit group over the range, with the filters given', async () => {
    const query = { key: KEY_ID, principal: OWNER, from: '2026-12-06T08:00:00.500Z', to: '2026-12-06T10:00:00Z' };
    const { started } = await activity({}, query);
    expect(started.map(({ logGroupName, startTime, endTime }) => ({ logGroupName, startTime, endTime }))).toEqual(
      Array(2).fill({ logGroupName: GROUP, startTime: Date.parse('2026-12-06T08:00:00Z') / 1000, endTime: Date.parse(query.to) / 1000 }),
    );
    const filter = `filter phase = "outcome" and @message like "${KEY_ID}" and caller = "${OWNER}"`;
    expect(started.map((input) => input.queryString)).toEqual([
      `${filter}\n| fields @timestamp, @message\n| sort @timestamp desc\n| limit ${ACTIVITY_LIMIT + 1}`,
      `${filter}\n| stats count(*) as requests by bin(1h), status`,
    ]);
  });

  it('maps each record as the local trail is mapped, and counts uses and denials per hour', async () => {
    const { page } = await activity(
      {
        records: [message(auditRecord(403, 'AccessDenied')), message(auditRecord(200, 'ok'))],
        hourly: [
          { 'bin(1h)': '2026-12-06 09:00:00.000', status: '200', requests: '7' },
          { 'bin(1h)': '2026-12-06 09:00:00.000', status: '403', requests: '2' },
          { 'bin(1h)': '2026-12-06 09:00:00.000', status: '409', requests: '1' },
        ],
      },
      { from: '2026-12-06T08:30:00Z', to: '2026-12-06T09:30:00Z' },
    );
    expect(page).toEqual({
      source: 'logs-insights',
      records: [
        { time: '2026-12-06T09:10:00.000Z', caller: OWNER, operation: 'encrypt', status: 403, outcome: 'AccessDenied', keyIds: [KEY_ID] },
        { time: '2026-12-06T09:10:00.000Z', caller: OWNER, operation: 'encrypt', status: 200, outcome: 'Success', keyIds: [KEY_ID] },
      ],
      from: '2026-12-06T08:30:00.000Z',
      to: '2026-12-06T09:30:00.000Z',
      hourly: [
        { hour: '2026-12-06T08:00:00.000Z', uses: 0, denials: 0 },
        { hour: HOUR, uses: 7, denials: 2 },
      ],
    });
  });

  it(`holds ${ACTIVITY_LIMIT} records and says it is truncated when the query found more`, async () => {
    const { page } = await activity({ records: Array(ACTIVITY_LIMIT + 1).fill(message(auditRecord(200, 'ok'))) });
    expect(page.records).toHaveLength(ACTIVITY_LIMIT);
    expect(page.truncated).toBe(true);
  });

  it('finds a key by its alias through the API, so that the queries carry its id and never the alias', async () => {
    const { started } = await activity({}, { key: 'orders' });
    for (const { queryString } of started) {
      expect(queryString).toContain(`@message like "${KEY_ID}"`);
      expect(queryString).not.toContain('orders');
    }
  });

  it("answers the API's own refusal for an alias it does not know", async () => {
    expect(await failure(activity({}, { key: 'alias/unknown' }))).toEqual({ status: 404, code: 'KeyNotFound', message: 'No key alias/unknown.' });
  });

  it('refuses a principal that is not an ARN (nothing can break out of the query), 400 ValidationError', async () => {
    expect(await failure(activity({}, { principal: 'x" or caller like "' }))).toMatchObject({ status: 400, code: 'ValidationError' });
  });

  it('answers 503 DependencyUnavailable when a query does not complete in time, or ends otherwise', async () => {
    expect(await failure(activity({ status: 'Running' }, {}, { timeoutMs: 60, pollMs: 20 }))).toEqual({
      status: 503,
      code: 'DependencyUnavailable',
      message: 'The Logs Insights query did not complete within 0.06 s.',
    });
    expect(await failure(activity({ status: 'Failed' }))).toMatchObject({ status: 503, message: 'The Logs Insights query ended Failed.' });
  });

  it('answers 403 AccessDenied naming the permission Logs refused, on the audit group, and the policy that grants it', async () => {
    const denied = Object.assign(new Error('User is not authorized to perform: logs:StartQuery'), { name: 'AccessDeniedException' });
    const { status, code, message } = await failure(activity({ failure: denied }));
    expect({ status, code }).toEqual({ status: 403, code: 'AccessDenied' });
    expect(message).toContain(`logs:StartQuery on ${GROUP}`);
    expect(message).toContain('operator managed policy');
  });
});

describe('the audit log group', () => {
  const describing = (definitions: QueryDefinition[]) => {
    const asked: string[] = [];
    const send = async (command: unknown) => {
      if (!(command instanceof DescribeQueryDefinitionsCommand)) throw new Error('unexpected');
      asked.push(command.input.queryDefinitionNamePrefix!);
      return { queryDefinitions: definitions.filter(({ name }) => name!.startsWith(command.input.queryDefinitionNamePrefix!)) };
    };
    return { logs: { send } as never, asked };
  };
  const saved = (stage: string): QueryDefinition => ({
    name: `envelope-api-${stage}/audit/who-used-a-key`,
    logGroupNames: [`/envelope-api-${stage}/audit`],
  });

  it("is the one the endpoint's stage's saved queries name", async () => {
    expect(savedQueryFolder('https://abc.execute-api.eu-west-1.amazonaws.com/prod/')).toBe('envelope-api-prod/audit/');
    const { logs, asked } = describing([saved('prod'), saved('staging')]);
    const find = auditLogGroupFinder(logs, 'https://abc.execute-api.eu-west-1.amazonaws.com/prod');
    expect(await find()).toBe('/envelope-api-prod/audit');
    await find();
    expect(asked).toEqual(['envelope-api-prod/audit/']);
  });

  it("is the region's only stage's for an endpoint whose path names no stage (a custom domain), and is asked for when there are several", async () => {
    expect(await auditLogGroupFinder(describing([saved('prod')]).logs, 'https://envelope.example.com')()).toBe('/envelope-api-prod/audit');
    const several = await failure(auditLogGroupFinder(describing([saved('prod'), saved('dev')]).logs, 'https://envelope.example.com')());
    expect(several).toMatchObject({ status: 404, code: 'NotFound', message: expect.stringContaining('--audit-log-group') });
    const none = await failure(auditLogGroupFinder(describing([]).logs, 'https://abc.execute-api.eu-west-1.amazonaws.com/prod')());
    expect(none.message).toContain('No saved audit queries named envelope-api-prod/audit/');
  });
});
