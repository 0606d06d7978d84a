import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateAliasCommand,
  CreateKeyCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  ListAliasesCommand,
  ListKeysCommand,
} from '@aws-sdk/client-kms';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { INPUTS } from '../../local/kms-emulator/input-shapes.js';
import { startKmsEmulator, type KmsEmulator } from '../../local/kms-emulator/server.js';
import { rejection } from '../support/rejection.js';
import { kmsClient, rawRequest } from './clients.js';

/**
 * Requests no SDK would send: each is answered with the documented 400 (SerializationException
 * for a value of the wrong JSON type, ValidationException for one outside its constraints), never
 * a 500 that clients retry, and no name inherited from Object.prototype reaches anything.
 */
let emulator: KmsEmulator;
const raw = (target: string, body: string) => rawRequest(emulator.url, target, body);
const prototypeNames = () => Object.getOwnPropertyNames(Object.prototype).sort();
const pristine = prototypeNames();

beforeAll(async () => {
  emulator = await startKmsEmulator({ port: 0 });
});
afterAll(async () => emulator?.close());
afterEach(() => {
  expect(prototypeNames()).toEqual(pristine);
  expect(({} as Record<string, unknown>).state).toBeUndefined();
});

describe('malformed request bodies', () => {
  it('answer a body that is not a JSON object with 400 SerializationException', async () => {
    for (const body of ['null', '[]', '"text"', '42', 'true', '{', '{"KeyId":']) {
      expect(await raw('TrentService.DescribeKey', body), body).toMatchObject({ status: 400, type: 'SerializationException' });
    }
  });

  it('answer a member of the wrong JSON type with 400 SerializationException', async () => {
    for (const [target, body] of [
      ['DescribeKey', { KeyId: 5 }],
      ['DescribeKey', { KeyId: { toString: 'x' } }],
      ['DescribeKey', { KeyId: ['a'] }],
      ['Encrypt', { KeyId: 'k', Plaintext: 'not base64!' }],
      ['Encrypt', { KeyId: 'k', Plaintext: 'eA==', EncryptionContext: 'x' }],
      ['Encrypt', { KeyId: 'k', Plaintext: 'eA==', EncryptionContext: { a: 1 } }],
      ['Encrypt', { KeyId: 'k', Plaintext: 'eA==', EncryptionAlgorithm: { toString: 1 } }],
      ['Encrypt', { KeyId: 'k', Plaintext: 'eA==', DryRun: 'yes' }],
      ['ListKeys', { Limit: '5' }],
      ['ListKeys', { Limit: 1.5 }],
      ['CreateKey', { Tags: [{ TagKey: 1, TagValue: 'v' }] }],
      ['CreateKey', { Tags: { TagKey: 'k' } }],
      ['DescribeKey', { KeyId: 'k', GrantTokens: 'x' }],
    ] as const) {
      expect(await raw(`TrentService.${target}`, JSON.stringify(body)), JSON.stringify(body)).toMatchObject({
        status: 400,
        type: 'SerializationException',
      });
    }
  });

  it('answer values outside their constraints with 400 ValidationException, every violation listed as KMS lists them', async () => {
    expect(await raw('TrentService.DescribeKey', '{}')).toMatchObject({
      status: 400,
      type: 'ValidationException',
      message: "1 validation error detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null",
    });
    expect(await raw('TrentService.Encrypt', JSON.stringify({ KeyId: '', Plaintext: Buffer.alloc(4097).toString('base64') }))).toMatchObject({
      status: 400,
      type: 'ValidationException',
      message:
        "2 validation errors detected: Value '' at 'keyId' failed to satisfy constraint: Member must have length greater than or equal to 1; " +
        "Value at 'plaintext' failed to satisfy constraint: Member must have length less than or equal to 4096",
    });
    expect(await raw('TrentService.GenerateDataKey', JSON.stringify({ KeyId: 'k', NumberOfBytes: 0 }))).toMatchObject({
      message:
        "1 validation error detected: Value '0' at 'numberOfBytes' failed to satisfy constraint: Member must have value greater than or equal to 1",
    });
    expect(await raw('TrentService.Encrypt', JSON.stringify({ KeyId: 'k', Plaintext: 'eA==', EncryptionAlgorithm: 'ROT13' }))).toMatchObject({
      message:
        "1 validation error detected: Value 'ROT13' at 'encryptionAlgorithm' failed to satisfy constraint: Member must satisfy enum value set: [SYMMETRIC_DEFAULT, RSAES_OAEP_SHA_1, RSAES_OAEP_SHA_256, SM2PKE]",
    });
  });

  it('never answer 500, whatever value any member of any operation is given', async () => {
    const values = [
      'null',
      '0',
      '-1',
      '1.5',
      '1e308',
      'true',
      '""',
      '"x"',
      '"\\u0000"',
      JSON.stringify('é'.repeat(3000)),
      '[]',
      '[1]',
      '["a",null]',
      '{}',
      '{"__proto__":{"state":1}}',
      '{"constructor":"x"}',
      '{"toString":1}',
      '[{"toString":null}]',
    ];
    for (const [operation, shape] of Object.entries(INPUTS)) {
      for (const member of Object.keys(shape.members)) {
        for (const value of values) {
          const body = `{${JSON.stringify(member)}:${value}}`;
          const answer = await raw(`TrentService.${operation}`, body);
          expect(answer.status, `${operation} ${body}`).toBeLessThan(500);
        }
      }
    }
  });
});

describe('names inherited from Object.prototype', () => {
  it('are no operations: UnknownOperationException (400), revealing nothing', async () => {
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf']) {
      const answer = await raw(`TrentService.${name}`, '{}');
      expect(answer, name).toMatchObject({ status: 400, type: 'UnknownOperationException' });
      expect(answer.text).not.toMatch(/materials|"key"|policy/i);
    }
  });

  it('name no key and no alias: NotFoundException, and Object.prototype stays as it was', async () => {
    const kms = kmsClient(emulator.url);
    await kms.send(new CreateKeyCommand({}));
    for (const keyId of [
      'key/__proto__',
      '__proto__',
      'alias/__proto__',
      'constructor',
      'alias/constructor',
      'arn:aws:kms:us-east-1:000000000000:key/__proto__',
      'arn:aws:kms:us-east-1:000000000000:alias/__proto__',
    ]) {
      expect((await rejection(kms.send(new DescribeKeyCommand({ KeyId: keyId })))).name, keyId).toBe('NotFoundException');
      expect((await rejection(kms.send(new DisableKeyCommand({ KeyId: keyId })))).name, keyId).toBe('NotFoundException');
    }
    expect((await rejection(kms.send(new CreateAliasCommand({ AliasName: 'alias/x', TargetKeyId: '__proto__' })))).name).toBe('NotFoundException');
  });

  it('in a state file are not loaded', async () => {
    const dataFile = join(await mkdtemp(join(tmpdir(), 'kms-hostile-')), 'kms.json');
    const material = { id: '00'.repeat(16), key: Buffer.alloc(32).toString('base64'), createdAt: 0 };
    const planted = {
      keyId: '__proto__',
      arn: 'arn:aws:kms:us-east-1:000000000000:key/__proto__',
      state: 'Enabled',
      materials: [material],
      policy: '{}',
      tags: [],
    };
    await writeFile(
      dataFile,
      `{"keys":{"__proto__":${JSON.stringify(planted)},"constructor":${JSON.stringify(planted)}},"aliases":{"__proto__":"__proto__","alias/planted":"__proto__"}}`,
    );
    const loaded = await startKmsEmulator({ port: 0, dataFile });
    const kms = kmsClient(loaded.url);
    expect((await kms.send(new ListKeysCommand({}))).Keys).toEqual([]);
    expect((await kms.send(new ListAliasesCommand({}))).Aliases).toEqual([]);
    expect((await rejection(kms.send(new DescribeKeyCommand({ KeyId: 'alias/planted' })))).name).toBe('NotFoundException');
    await loaded.close();
  });
});
