/** Encrypt, decrypt and rewrap under data keys: one item, or a batch of up to 1,000. */
import type { DataKeyValue, OpenedValue, SealedValue } from '../contract/index.js';
import type {
  CiphertextItem as CiphertextInput,
  ItemOutcome,
  OpenedResult,
  PlaintextItem as PlaintextInput,
  SealedResult,
} from './domain/envelope-encryption.js';
import { apiHandler, type ApiRequest } from './http/api-handler.js';
import { batchBody, planBatch } from './http/batch.js';
import { assertPlaintextSize, decodedLength, decodePlaintext, parseInput } from './http/request.js';
import { jsonResponse } from './http/responses.js';
import { CiphertextBatchBody, CiphertextBody, CiphertextItem, DataKeyBody, EncryptBatchBody, EncryptBody, PlaintextItem } from './http/schemas.js';
import { envelopeEncryption } from './http/services.js';

const isBatch = (body: unknown): boolean => typeof body === 'object' && body !== null && 'items' in body;
const sealed = ({ ciphertext, keyId, keyVersion }: SealedResult): SealedValue => ({ ciphertext: ciphertext.toString(), keyId, keyVersion });
const opened = ({ plaintext, keyId, keyVersion }: OpenedResult): OpenedValue => {
  const encoded = plaintext.toString('base64');
  plaintext.fill(0);
  return { plaintext: encoded, keyId, keyVersion };
};

async function encryptOne({ caller, body }: ApiRequest) {
  const input = parseInput(EncryptBody, body, 'body');
  const plaintext = decodePlaintext(input.plaintext);
  try {
    return jsonResponse(200, sealed(await envelopeEncryption().encrypt(caller, input.keyId, { plaintext, context: input.context })));
  } finally {
    plaintext.fill(0);
  }
}

async function encryptBatch({ caller, body }: ApiRequest) {
  const { keyId, items } = parseInput(EncryptBatchBody, body, 'body');
  assertPlaintextSize(items.reduce<number>((sum, item) => sum + decodedLength(String((item as { plaintext?: unknown })?.plaintext ?? '')), 0));
  const plan = planBatch(items, (raw, index): PlaintextInput => {
    const item = parseInput(PlaintextItem, raw, `items.${index}`);
    return { plaintext: decodePlaintext(item.plaintext, `items.${index}.plaintext`), context: item.context };
  });
  try {
    const outcomes = await envelopeEncryption().encryptMany(caller, keyId, plan.valid);
    return jsonResponse(200, batchBody(plan, outcomes, sealed));
  } finally {
    for (const item of plan.valid) item.plaintext.fill(0);
  }
}

/** Decrypt and rewrap share their input shape, one item or a batch. */
function ciphertextRoute<R>(
  one: (caller: string, item: CiphertextInput) => Promise<R>,
  many: (caller: string, items: CiphertextInput[]) => Promise<ItemOutcome<R>[]>,
  render: (value: R) => object,
) {
  return async ({ caller, body }: ApiRequest) => {
    if (!isBatch(body)) return jsonResponse(200, render(await one(caller, parseInput(CiphertextBody, body, 'body'))));
    const { items } = parseInput(CiphertextBatchBody, body, 'body');
    const plan = planBatch(items, (raw, index): CiphertextInput => {
      const { ciphertext, context } = parseInput(CiphertextItem, raw, `items.${index}`);
      return { ciphertext, context };
    });
    return jsonResponse(200, batchBody(plan, await many(caller, plan.valid), render));
  };
}

async function generateDataKey({ caller, body }: ApiRequest) {
  const { keyId, context, withoutPlaintext } = parseInput(DataKeyBody, body, 'body');
  const generated = await envelopeEncryption().generateDataKey(caller, keyId, { context, withPlaintext: withoutPlaintext !== true });
  const { ciphertext, plaintextKey, ...ref } = generated;
  const answer: DataKeyValue = {
    encryptedKey: ciphertext.toString(),
    ...ref,
    ...(plaintextKey && { plaintextKey: plaintextKey.toString('base64') }),
  };
  plaintextKey?.fill(0);
  return jsonResponse(200, answer);
}

export const handler = apiHandler<'crypto'>({
  'POST /v1/data-keys': generateDataKey,
  'POST /v1/encrypt': (request) => (isBatch(request.body) ? encryptBatch(request) : encryptOne(request)),
  'POST /v1/decrypt': ciphertextRoute(
    (c, i) => envelopeEncryption().decrypt(c, i),
    (c, i) => envelopeEncryption().decryptMany(c, i),
    opened,
  ),
  'POST /v1/rewrap': ciphertextRoute(
    (c, i) => envelopeEncryption().rewrap(c, i),
    (c, i) => envelopeEncryption().rewrapMany(c, i),
    sealed,
  ),
});
