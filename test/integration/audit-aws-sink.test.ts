import { CloudWatchLogsClient, CreateLogGroupCommand, DescribeLogStreamsCommand, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditFacts, AuditHasher, type AuditRecord } from '../../lambdas/domain/audit-record.js';
import { logGroupSink, readAuditKey } from '../../lambdas/http/audit-sink.js';
import { type MotoServer, startMotoServer } from '../support/moto-server.js';

/**
 * The deployed audit sink and key reader, the unmodified AWS SDK clients of CloudWatch Logs and
 * Secrets Manager, against moto_server (an implementation nobody here wrote) at the SDK's endpoint
 * variables.
 */
let moto: MotoServer;
const saved = { ...process.env };

beforeAll(async () => {
  moto = await startMotoServer();
  const { endpoint } = moto;
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_SESSION_TOKEN: 'session',
    AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: endpoint,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoint,
    AWS_LAMBDA_FUNCTION_NAME: 'envelope-api-test-crypto',
  });
});
afterAll(() => {
  moto?.stop();
  process.env = saved;
});

const record = (): AuditRecord =>
  new AuditFacts().keyNamed('alias/orders').record(
    {
      time: new Date(),
      requestId: 'r-1',
      lambdaRequestId: 'l-1',
      caller: 'arn:aws:iam::111122223333:user/owner',
      sourceIp: '10.0.0.1',
      userAgent: 'test',
      route: 'POST /v1/encrypt',
      operation: 'encrypt',
      category: 'use',
      outcome: 'ok',
      status: 200,
      latencyMs: 1,
    },
    new AuditHasher('k'.repeat(32)),
  );

describe('the audit trail in AWS', () => {
  it('puts each record as one event into one log stream per execution environment', async () => {
    const logGroupName = '/envelope-api-test/audit';
    const logs = new CloudWatchLogsClient({});
    await logs.send(new CreateLogGroupCommand({ logGroupName }));
    const sink = logGroupSink(logGroupName);
    const [first, second] = [record(), record()];
    await sink.write(first, 2000);
    await sink.write(second, 2000);
    const { logStreams = [] } = await logs.send(new DescribeLogStreamsCommand({ logGroupName }));
    expect(logStreams).toHaveLength(1);
    expect(logStreams[0]!.logStreamName).toMatch(/^\d{4}\/\d{2}\/\d{2}\/envelope-api-test-crypto\/[0-9a-f-]{36}$/);
    const { events = [] } = await logs.send(
      new GetLogEventsCommand({ logGroupName, logStreamName: logStreams[0]!.logStreamName, startFromHead: true }),
    );
    expect(events.map((e) => JSON.parse(e.message!))).toEqual([first, second]);
    expect(events[0]!.timestamp).toBe(Date.parse(first.time));
  });

  it('fails a write the log group refuses, and one that runs out of time', async () => {
    await expect(logGroupSink('/no/such/group').write(record(), 2000)).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    await expect(logGroupSink('/envelope-api-test/audit').write(record(), 0)).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('reads the audit key from its secret', async () => {
    const secrets = new SecretsManagerClient({});
    const { ARN } = await secrets.send(new CreateSecretCommand({ Name: 'envelope-api-test/audit-key', SecretString: 'a'.repeat(64) }));
    expect(await readAuditKey({ secretArn: ARN! }, 2000)).toBe('a'.repeat(64));
    await expect(readAuditKey({ secretArn: `${ARN}-gone` }, 2000)).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });
});
