import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
  TransactWriteItemsCommand,
  BatchGetItemCommand,
  BatchWriteItemCommand,
} from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDynamoDbAccessProxy, type DynamoDbAccessProxy } from '../../local/dynamodb-access-proxy.js';
import { startDynamoDb, type LocalDynamoDb } from '../../local/dynamodb.js';
import { SigV4Verifier } from '../../local/gateway/sigv4-verifier.js';

/**
 * The IAM front door of the local DynamoDB, through the unmodified SDK: every (action, table or
 * index) a request needs is asked for, and one refusal refuses the whole request before DynamoDB
 * sees it. The access decisions here come from a plain allow-list; the local runtime's come from
 * the synthesized policies (see test/integration/iam-enforcement.test.ts).
 */
const REGION = 'us-east-1';
const ACCOUNT = '111122223333';
const arn = (resource: string) => `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${resource}`;
const principal = {
  arn: 'arn:aws:iam::111122223333:user/app',
  accessKeyId: 'AKIAAPPLICATION00001',
  secretAccessKey: 'app-secret-app-secret-app-secret',
};
const allowed = new Set<string>();
const asked: string[] = [];
/** `dynamodb:LeadingKeys` of each authorization asked, in order. */
const leadingKeys: (readonly string[] | undefined)[] = [];
let dynamoDb: LocalDynamoDb;
let proxy: DynamoDbAccessProxy;
let app: DynamoDBClient;
let direct: DynamoDBClient;

beforeAll(async () => {
  dynamoDb = await startDynamoDb('dynalite', 0, await mkdtemp(join(tmpdir(), 'ddb-proxy-')));
  const verifier = new SigV4Verifier([principal], REGION, 'dynamodb');
  proxy = await startDynamoDbAccessProxy({
    upstream: dynamoDb.url,
    region: REGION,
    accountId: ACCOUNT,
    port: 0,
    accessControl: {
      authenticate: async (request) => {
        const verdict = await verifier.verify(request);
        return verdict.ok ? { ok: true, principalArn: verdict.principal.arn } : { ok: false, type: verdict.error, message: verdict.reason };
      },
      authorize: async ({ action, resource, context }) => {
        asked.push(`${action} ${resource}`);
        leadingKeys.push(context?.['dynamodb:LeadingKeys'] as readonly string[] | undefined);
        return allowed.has(`${action} ${resource}`)
          ? undefined
          : `User: ${principal.arn} is not authorized to perform: ${action} on resource: ${resource}`;
      },
    },
  });
  const credentials = { accessKeyId: principal.accessKeyId, secretAccessKey: principal.secretAccessKey };
  app = new DynamoDBClient({ endpoint: proxy.url, region: REGION, credentials, maxAttempts: 1 });
  direct = new DynamoDBClient({ endpoint: dynamoDb.url, region: REGION, credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  for (const TableName of ['alpha', 'bravo']) {
    await direct.send(
      new CreateTableCommand({
        TableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'g', AttributeType: 'S' },
        ],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        GlobalSecondaryIndexes: [{ IndexName: 'byG', KeySchema: [{ AttributeName: 'g', KeyType: 'HASH' }], Projection: { ProjectionType: 'ALL' } }],
      }),
    );
  }
});
afterAll(async () => {
  await proxy?.close();
  await dynamoDb?.close();
});

async function refusal(call: Promise<unknown>): Promise<string> {
  return call.then(
    () => 'allowed',
    (error: Error) => error.name,
  );
}

const stored = async (table: string, pk: string) => (await direct.send(new GetItemCommand({ TableName: table, Key: { pk: { S: pk } } }))).Item;

describe('the DynamoDB access proxy', () => {
  it('lets an allowed call through and refuses another, writing nothing', async () => {
    allowed.clear();
    allowed.add(`dynamodb:PutItem ${arn('alpha')}`);
    await app.send(new PutItemCommand({ TableName: 'alpha', Item: { pk: { S: 'one' }, g: { S: 'x' } } }));
    expect(await stored('alpha', 'one')).toBeDefined();
    expect(await refusal(app.send(new PutItemCommand({ TableName: 'bravo', Item: { pk: { S: 'one' }, g: { S: 'x' } } })))).toBe(
      'AccessDeniedException',
    );
    expect(await stored('bravo', 'one')).toBeUndefined();
    expect(await refusal(app.send(new GetItemCommand({ TableName: 'alpha', Key: { pk: { S: 'one' } } })))).toBe('AccessDeniedException');
  });

  it('refuses a batch whole when one of its tables is refused', async () => {
    allowed.clear();
    allowed.add(`dynamodb:BatchWriteItem ${arn('alpha')}`);
    const put = (pk: string) => ({ PutRequest: { Item: { pk: { S: pk }, g: { S: 'x' } } } });
    expect(await refusal(app.send(new BatchWriteItemCommand({ RequestItems: { alpha: [put('batch')], bravo: [put('batch')] } })))).toBe(
      'AccessDeniedException',
    );
    expect(await stored('alpha', 'batch')).toBeUndefined();
    await app.send(new BatchWriteItemCommand({ RequestItems: { alpha: [put('batch')] } }));
    expect(await stored('alpha', 'batch')).toBeDefined();
  });

  it('asks for each part of a transaction by its own action', async () => {
    allowed.clear();
    asked.length = 0;
    allowed.add(`dynamodb:PutItem ${arn('alpha')}`);
    const transaction = new TransactWriteItemsCommand({
      TransactItems: [
        { Put: { TableName: 'alpha', Item: { pk: { S: 'tx' }, g: { S: 'x' } } } },
        { Update: { TableName: 'bravo', Key: { pk: { S: 'tx' } }, UpdateExpression: 'SET g = :g', ExpressionAttributeValues: { ':g': { S: 'y' } } } },
      ],
    });
    expect(await refusal(app.send(transaction))).toBe('AccessDeniedException');
    expect(asked).toEqual([`dynamodb:PutItem ${arn('alpha')}`, `dynamodb:UpdateItem ${arn('bravo')}`]);
    expect(await stored('alpha', 'tx')).toBeUndefined();
  });

  it('checks a query on an index against the index ARN', async () => {
    allowed.clear();
    allowed.add(`dynamodb:Query ${arn('alpha')}`);
    const query = new QueryCommand({
      TableName: 'alpha',
      IndexName: 'byG',
      KeyConditionExpression: 'g = :g',
      ExpressionAttributeValues: { ':g': { S: 'x' } },
    });
    expect(await refusal(app.send(query))).toBe('AccessDeniedException');
    allowed.add(`dynamodb:Query ${arn('alpha/index/byG')}`);
    expect((await app.send(query)).Count).toBeGreaterThan(0);
  });

  it('sets dynamodb:LeadingKeys to the partition key values each request names, per table and per transaction part', async () => {
    allowed.clear();
    for (const action of ['GetItem', 'PutItem', 'UpdateItem', 'BatchGetItem', 'BatchWriteItem', 'Query', 'Scan']) {
      for (const table of ['alpha', 'bravo', 'alpha/index/byG']) allowed.add(`dynamodb:${action} ${arn(table)}`);
    }
    const askedFor = async (call: Promise<unknown>) => {
      leadingKeys.length = 0;
      await call;
      return [...leadingKeys];
    };
    const item = (pk: string) => ({ pk: { S: pk }, g: { S: 'x' } });
    expect(await askedFor(app.send(new GetItemCommand({ TableName: 'alpha', Key: { pk: { S: 'one' } } })))).toEqual([['one']]);
    const batch = {
      alpha: [{ PutRequest: { Item: item('a') } }, { DeleteRequest: { Key: { pk: { S: 'b' } } } }, { PutRequest: { Item: item('a') } }],
    };
    expect(await askedFor(app.send(new BatchWriteItemCommand({ RequestItems: batch })).catch(() => undefined))).toEqual([['a', 'b']]);
    const gets = { alpha: { Keys: [{ pk: { S: 'c' } }] }, bravo: { Keys: [{ pk: { S: 'd' } }, { pk: { S: 'e' } }] } };
    expect(await askedFor(app.send(new BatchGetItemCommand({ RequestItems: gets })))).toEqual([['c'], ['d', 'e']]);
    const transaction = new TransactWriteItemsCommand({
      TransactItems: [
        { Put: { TableName: 'alpha', Item: item('tx') } },
        { Update: { TableName: 'bravo', Key: { pk: { S: 'ty' } }, UpdateExpression: 'SET g = :g', ExpressionAttributeValues: { ':g': { S: 'y' } } } },
      ],
    });
    expect(await askedFor(refusal(app.send(transaction)))).toEqual([['tx'], ['ty']]);
    const query = { TableName: 'alpha', ExpressionAttributeValues: { ':v': { S: 'q' } } };
    const byName = new QueryCommand({ ...query, KeyConditionExpression: '#p = :v', ExpressionAttributeNames: { '#p': 'pk' } });
    expect(await askedFor(app.send(byName))).toEqual([['q']]);
    const onIndex = new QueryCommand({ ...query, IndexName: 'byG', KeyConditionExpression: 'g = :v' });
    expect(await askedFor(app.send(onIndex))).toEqual([undefined]);
    expect(await askedFor(app.send(new ScanCommand({ TableName: 'alpha' })))).toEqual([undefined]);
  });

  it('refuses unknown credentials, a bad signature and an unsigned request', async () => {
    allowed.add(`dynamodb:GetItem ${arn('alpha')}`);
    const stranger = new DynamoDBClient({
      endpoint: proxy.url,
      region: REGION,
      credentials: { accessKeyId: 'AKIANOBODY0000000000', secretAccessKey: 'x' },
      maxAttempts: 1,
    });
    expect(await refusal(stranger.send(new GetItemCommand({ TableName: 'alpha', Key: { pk: { S: 'one' } } })))).toBe('UnrecognizedClientException');
    const forged = new DynamoDBClient({
      endpoint: proxy.url,
      region: REGION,
      credentials: { accessKeyId: principal.accessKeyId, secretAccessKey: 'wrong' },
      maxAttempts: 1,
    });
    expect(await refusal(forged.send(new GetItemCommand({ TableName: 'alpha', Key: { pk: { S: 'one' } } })))).toBe('InvalidSignatureException');
    const unsigned = await fetch(proxy.url, { method: 'POST', headers: { 'x-amz-target': 'DynamoDB_20120810.GetItem' }, body: 'null' });
    expect(unsigned.status).toBe(403);
  });
});
