import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { LOCAL_TABLE_NAME } from '../../local/runtime.js';
import { EnvelopeClient, type EnvelopeApiError } from '../../packages/client/src/index.js';
import { startRuntimeProcess, type RuntimeProcess } from '../support/local-runtime-process.js';
import { principal, type PrincipalName } from '../support/principals.js';
import { rejection } from '../support/rejection.js';

/**
 * Retiring and destroying key versions over HTTP against `npm start`, then with the whole runtime
 * restarted eight days ahead (ENVELOPE_CLOCK_OFFSET_DAYS), past the destruction date. The
 * functions cache nothing here (ENVELOPE_CACHE_MAX_AGE_SECONDS=0), so each change shows at once;
 * with the deployed 60 s the same holds within that age.
 */
const DAY_MS = 86_400_000;
const context = { order: '7' };
let runtime: RuntimeProcess | undefined;
afterAll(() => runtime?.stop());

function clientOf(name: PrincipalName, systemClockOffset = 0): EnvelopeClient {
  const { accessKeyId, secretAccessKey } = principal(name);
  return new EnvelopeClient({
    endpoint: runtime!.apiUrl,
    region: 'us-east-1',
    credentials: { accessKeyId, secretAccessKey },
    retry: { maxAttempts: 1 },
    systemClockOffset,
  });
}

const hourOf = (ms: number) => new Date(Math.floor(ms / 3_600_000) * 3_600_000).toISOString();
const refusal = async (call: Promise<unknown>) => (await rejection(call)) as EnvelopeApiError;

describe('key versions over HTTP', () => {
  it('retire, refused, lowered, works; last use shown; destruction scheduled, cancelled, then completed with the clock moved', async () => {
    const startedAt = Date.now();
    runtime = await startRuntimeProcess({ env: { ENVELOPE_CACHE_MAX_AGE_SECONDS: '0' } });
    const owner = clientOf('owner');
    const teammate = clientOf('teammate');
    const { keyId } = await owner.createKey({ alias: 'retiring' });
    const sealed: string[] = [];
    for (let version = 1; version <= 3; version++) {
      if (version > 1) await owner.rotateKey(keyId);
      const { ciphertext, keyVersion } = await owner.encrypt(keyId, `v${version}`, context);
      expect(keyVersion).toBe(version);
      sealed.push(ciphertext);
    }
    await owner.createGrant(keyId, { grantee: principal('teammate').arn, operations: ['decrypt', 'rewrap'] });
    expect((await teammate.decrypt(sealed[0]!, context)).plaintext.toString()).toBe('v1');

    const retired = await owner.retireKeyVersions(keyId, 3);
    expect(retired.versions.map((v) => v.state)).toEqual(['Retired', 'Retired', 'Enabled']);
    for (const [client, ciphertext] of [
      [owner, sealed[0]!],
      [teammate, sealed[1]!],
    ] as const) {
      const refused = await refusal(client.decrypt(ciphertext, context));
      expect({ status: refused.status, code: refused.code }).toEqual({ status: 409, code: 'KeyVersionRetired' });
      expect((await refusal(client.rewrap(ciphertext, context))).code).toBe('KeyVersionRetired');
    }
    const batch = await owner.decryptMany(sealed.map((ciphertext) => ({ ciphertext, context })));
    expect(batch.map((item) => ('error' in item ? item.error.code : 'ok'))).toEqual(['KeyVersionRetired', 'KeyVersionRetired', 'ok']);
    expect((await refusal(owner.retireKeyVersions(keyId, 4))).code).toBe('InvalidKeyState');
    expect((await refusal(teammate.retireKeyVersions(keyId, 1))).status).toBe(403);

    await owner.retireKeyVersions(keyId, 1);
    expect((await teammate.decrypt(sealed[0]!, context)).plaintext.toString()).toBe('v1');
    // Rewrapped to the current version, old data needs no old version.
    const moved = await owner.rewrap(sealed[0]!, context);
    expect(moved.keyVersion).toBe(3);

    const described = await owner.getKey(keyId);
    // Version 1 decrypted and rewrapped, version 3 decrypted in the batch, version 2 refused only;
    // each in the hour the test began, or the next if it crossed one.
    const [first, , third] = described.versions.map((v) => v.lastUsedAt);
    expect(described.versions[1]!.lastUsedAt).toBeNull();
    for (const used of [first, third]) expect([hourOf(startedAt), hourOf(Date.now())]).toContain(used);

    await owner.retireKeyVersions(keyId, 3);
    const scheduled = await owner.scheduleKeyVersionDestruction(keyId, 7);
    expect(scheduled.versionDestruction?.throughVersion).toBe(2);
    expect(scheduled.versions.map((v) => v.state)).toEqual(['PendingDestruction', 'PendingDestruction', 'Enabled']);
    expect((await owner.cancelKeyVersionDestruction(keyId)).versions.map((v) => v.state)).toEqual(['Retired', 'Retired', 'Enabled']);
    const { versionDestruction } = await owner.scheduleKeyVersionDestruction(keyId, 7);
    expect(Date.parse(versionDestruction!.destructionDate) - Date.now()).toBeGreaterThan(7 * DAY_MS - 60_000);

    // Eight days later: the same data folder, the whole runtime's clock ahead, callers signing with it.
    const { dataDir } = runtime;
    await runtime.stop();
    runtime = await startRuntimeProcess({ dataDir, env: { ENVELOPE_CACHE_MAX_AGE_SECONDS: '0', ENVELOPE_CLOCK_OFFSET_DAYS: '8' } });
    const later = clientOf('owner', 8 * DAY_MS);
    const gone = await refusal(later.decrypt(sealed[0]!, context));
    expect({ status: gone.status, code: gone.code }).toEqual({ status: 400, code: 'InvalidCiphertext' });
    expect((await refusal(clientOf('teammate', 8 * DAY_MS).decrypt(sealed[1]!, context))).code).toBe('InvalidCiphertext');
    expect((await later.decrypt(sealed[2]!, context)).plaintext.toString()).toBe('v3');
    // A caller that does not know finds out from the first refusal, as the AWS SDKs correct clock skew.
    expect((await clientOf('owner').decrypt(sealed[2]!, context)).plaintext.toString()).toBe('v3');
    expect((await later.decrypt(moved.ciphertext, context)).plaintext.toString()).toBe('v1');
    const destroyed = await later.getKey(keyId);
    expect(destroyed).toMatchObject({ destroyedThroughVersion: 2, versionDestruction: null });
    expect(destroyed.versions.map((v) => v.state)).toEqual(['Destroyed', 'Destroyed', 'Enabled']);
    expect((await refusal(later.cancelKeyVersionDestruction(keyId))).code).toBe('InvalidKeyState');
    expect((await refusal(later.retireKeyVersions(keyId, 2))).code).toBe('InvalidKeyState');

    // Every item holding a destroyed version's wrapped key has expired: DynamoDB's TTL sweep removes them.
    const db = new DynamoDBClient({ endpoint: runtime.dynamoDbUrl, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
    const { Items = [] } = await db.send(new ScanCommand({ TableName: LOCAL_TABLE_NAME, ConsistentRead: true }));
    const versions = Items.filter((item) => item.pk?.S === `KEY#${keyId}` && item.sk?.S?.startsWith('V#'));
    const expiry = Object.fromEntries(versions.map((item) => [Number(item.sk!.S!.slice(2)), item.expiresAt?.N]));
    const nowSeconds = (Date.now() + 8 * DAY_MS) / 1000;
    expect(Number(expiry[1])).toBeLessThanOrEqual(nowSeconds);
    expect(Number(expiry[2])).toBeLessThanOrEqual(nowSeconds);
    expect(expiry[3]).toBeUndefined();
  }, 180_000);
});
