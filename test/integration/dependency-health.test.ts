import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { rename } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DisableKeyCommand, EnableKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { describe, expect, it } from 'vitest';
import type { DependencyHealth } from '../../contract/index.js';
import { DEFAULT_PRINCIPALS_FILE, type LocalPrincipal } from '../../local/gateway/principals.js';
import { auditKeyFileIn } from '../../local/audit-trail.js';
import { EnvelopeClient } from '../../packages/client/src/index.js';
import { runtimeForFile } from '../support/in-process-runtime.js';
import { clientFor, failure, kmsClientFor, signedHeaders } from '../support/principals.js';

/**
 * The operators' check, `GET /v1/health/dependencies`, through the whole local runtime: SigV4 at
 * the gateway, the caller managed policies, the operator function acting as its role against the
 * KMS emulator, DynamoDB behind the IAM proxy and the audit trail. Faults are real states of the
 * dependencies: a disabled storage key makes the table inaccessible (as DynamoDB does), a disabled
 * master key is unusable, a missing audit key cannot be read.
 */

/** A caller with the data and key policies, not the operator's: what a team's application role would have. */
const analyst: LocalPrincipal = {
  name: 'analyst',
  arn: 'arn:aws:iam::111122223333:user/analyst',
  accessKeyId: 'AKIAENVELOPEANALYST1',
  secretAccessKey: 'local-analyst-secret-0000000000000000000',
  callerPolicies: ['dataUser', 'keyManager'],
  keyAdministrator: false,
};

function principalsWithAnalyst(): string {
  const file = join(mkdtempSync(join(tmpdir(), 'envelope-principals-')), 'principals.json');
  writeFileSync(file, JSON.stringify([...(JSON.parse(readFileSync(DEFAULT_PRINCIPALS_FILE, 'utf8')) as LocalPrincipal[]), analyst]));
  return file;
}

const runtime = runtimeForFile({ ENVELOPE_PRINCIPALS: principalsWithAnalyst() });
const operator = () => clientFor(runtime().apiUrl, 'owner');

/** CloudFormation's role administers the storage key: nobody else is named in its policy. */
const asDeployer = () => {
  const { accessKeyId, secretAccessKey, sessionToken } = runtime().deployer;
  return new KMSClient({ endpoint: runtime().kmsUrl, region: 'us-east-1', credentials: { accessKeyId, secretAccessKey, sessionToken } });
};

/** Runs `body` with `fault` in place, and undoes it whatever happens. */
async function whileBroken(fault: () => Promise<unknown>, repair: () => Promise<unknown>, body: () => Promise<void>): Promise<void> {
  await fault();
  try {
    await body();
  } finally {
    await repair();
  }
}

const ok = { status: 'ok', latencyMs: expect.any(Number) };

describe('GET /v1/health', () => {
  it('stays public and shallow: 200 without a signature, naming no dependency', async () => {
    const response = await fetch(`${runtime().apiUrl}/v1/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });
});

describe('GET /v1/health/dependencies', () => {
  it('answers an operator 200 with every dependency ok, each with its latency, and the master key enabled', async () => {
    const report = await operator().dependencyHealth();
    expect(report).toEqual({ status: 'ok', dependencies: { kms: { ...ok, keyState: 'Enabled' }, dynamodb: ok, auditTrail: ok } });
    for (const { latencyMs } of Object.values(report.dependencies)) expect(latencyMs).toBeLessThan(3_000);
  });

  it('refuses callers without the operator policy at the gateway: a data user, a stranger, nobody', async () => {
    const dataUser = new EnvelopeClient({
      endpoint: runtime().apiUrl,
      region: 'us-east-1',
      credentials: { accessKeyId: analyst.accessKeyId, secretAccessKey: analyst.secretAccessKey },
      retry: { maxAttempts: 1 },
    });
    expect((await dataUser.listKeys()).keys).toBeDefined();
    const refused = await failure(dataUser.dependencyHealth());
    expect(refused).toMatchObject({ status: 403, code: 'AccessDenied' });
    expect(refused.message).toMatch(/user\/analyst is not authorized to perform: execute-api:Invoke/);
    expect(await failure(clientFor(runtime().apiUrl, 'stranger').dependencyHealth())).toMatchObject({ status: 403, code: 'AccessDenied' });
    const unsigned = await fetch(`${runtime().apiUrl}/v1/health/dependencies`);
    expect(unsigned.status).toBe(403);
  });

  it('answers 503 naming DynamoDB while the table is inaccessible (its storage key disabled), then 200 again', async () => {
    await whileBroken(
      () => asDeployer().send(new DisableKeyCommand({ KeyId: runtime().storageKeyArn })),
      () => asDeployer().send(new EnableKeyCommand({ KeyId: runtime().storageKeyArn })),
      async () => {
        const response = await signedCheck();
        expect(response.status).toBe(503);
        expect(response.report).toEqual({
          status: 'unavailable',
          dependencies: {
            kms: { ...ok, keyState: 'Enabled' },
            dynamodb: { status: 'unavailable', latencyMs: expect.any(Number), reason: 'AccessDenied' },
            auditTrail: ok,
          },
        });
        // What DynamoDB said stays in the function's log: no ARN, key or message in the answer.
        expect(response.text).not.toMatch(/arn:|KMS key|access denied|\bat\b|\.ts:/i);
        // The client takes the 503 report for an answer, not an error.
        expect(await operator().dependencyHealth()).toMatchObject({ status: 'unavailable', dependencies: { dynamodb: { reason: 'AccessDenied' } } });
      },
    );
    expect((await operator().dependencyHealth()).status).toBe('ok');
  });

  it('answers 503 naming KMS, with the key state, while the master key is disabled', async () => {
    await whileBroken(
      () => kmsClientFor(runtime().kmsUrl).send(new DisableKeyCommand({ KeyId: runtime().masterKeyArn })),
      () => kmsClientFor(runtime().kmsUrl).send(new EnableKeyCommand({ KeyId: runtime().masterKeyArn })),
      async () => {
        const { status, report } = await signedCheck();
        expect(status).toBe(503);
        expect(report.dependencies.kms).toEqual({ status: 'unavailable', latencyMs: expect.any(Number), reason: 'NotUsable', keyState: 'Disabled' });
        expect(report.dependencies.dynamodb.status).toBe('ok');
      },
    );
  });

  it('answers 503 naming the audit trail while its key cannot be read', async () => {
    // The function read the key at its first request and keeps it, so this request is still audited.
    const keyFile = auditKeyFileIn(runtime().dataDir);
    await whileBroken(
      () => rename(keyFile, `${keyFile}.away`),
      () => rename(`${keyFile}.away`, keyFile),
      async () => {
        const { status, report } = await signedCheck();
        expect(status).toBe(503);
        expect(report.dependencies.auditTrail).toEqual({ status: 'unavailable', latencyMs: expect.any(Number), reason: 'Failed' });
        expect(report.dependencies.kms.status).toBe('ok');
      },
    );
  });
});

/** The check signed by an operator, as it comes over the wire: the status, the report, the body as sent. */
async function signedCheck(): Promise<{ status: number; report: DependencyHealth; text: string }> {
  const url = new URL('/v1/health/dependencies', runtime().apiUrl);
  const response = await fetch(url, { headers: await signedHeaders('owner', 'GET', url) });
  const text = await response.text();
  return { status: response.status, report: JSON.parse(text) as DependencyHealth, text };
}
