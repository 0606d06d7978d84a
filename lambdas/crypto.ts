/** Encrypt, decrypt and rewrap under data keys: one item, or a batch of up to 1,000. */
import type { DataKeyValue, OpenedValue, SealedValue } from '../contract/index.js';
import type {
  CiphertextItem as CiphertextInput,
  ItemOutcome,
  OpenedResult,
  PlaintextItem as PlaintextInput,
  SealedResult,
} from './domain/envelope-encryption.js';
import type { AuditFacts, AuditKeyRef } from './domain/audit-record.js';
import { namedKeyRef } from './domain/ciphertext-token.js';
import { apiHandler, type ApiRequest } from './http/api-handler.js';
import { batchBody, planBatch, type BatchPlan } from './http/batch.js';
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

/** What the audit record keeps of one batch item: the key version it named or used, its outcome, and the one its result came from. */
interface AuditedItem {
  readonly ref: AuditKeyRef | undefined;
  readonly outcome: string;
  readonly used: AuditKeyRef | undefined;
}

const sameRef = (a: AuditKeyRef | undefined, b: AuditKeyRef | undefined) => a?.keyId === b?.keyId && a?.keyVersion === b?.keyVersion;
const sameItem = (a: AuditedItem, b: AuditedItem) => a.outcome === b.outcome && sameRef(a.ref, b.ref) && sameRef(a.used, b.used);

/**
 * A batch's items for its audit record, counted per key version and outcome: `keyOf` says which
 * key version a valid item named (if known before it ran), or the one its result came from. Runs
 * of alike items (most batches are one run) are reported once, with their count.
 */
function auditItems<I, R extends AuditKeyRef>(
  audit: AuditFacts,
  plan: BatchPlan<I>,
  outcomes: readonly ItemOutcome<R>[],
  keyOf: (item: I) => AuditKeyRef | undefined,
): void {
  const audited = (slot: BatchPlan<I>['slots'][number]): AuditedItem => {
    if (typeof slot !== 'number') return { ref: undefined, outcome: slot.code, used: undefined };
    const outcome = outcomes[slot]!;
    const used = outcome.ok ? outcome.value : undefined;
    return { ref: keyOf(plan.valid[slot]!) ?? used, outcome: outcome.ok ? 'ok' : outcome.error.code, used };
  };
  let run: { item: AuditedItem; count: number } | undefined;
  const report = () => run && audit.itemDone(run.item.ref, run.item.outcome, run.count).keyUsed(run.item.used);
  for (const slot of plan.slots) {
    const item = audited(slot);
    if (run && sameItem(run.item, item)) run.count++;
    else {
      report();
      run = { item, count: 1 };
    }
  }
  report();
}

const namedBy = ({ ciphertext }: CiphertextInput): AuditKeyRef | undefined => (typeof ciphertext === 'string' ? namedKeyRef(ciphertext) : undefined);

async function encryptOne({ caller, body, audit }: ApiRequest) {
  const input = parseInput(EncryptBody, body, 'body');
  audit.keyNamed(input.keyId).contextGiven(input.context);
  const plaintext = decodePlaintext(input.plaintext);
  try {
    const result = await envelopeEncryption().encrypt(caller, input.keyId, { plaintext, context: input.context });
    audit.keyUsed(result);
    return jsonResponse(200, sealed(result));
  } finally {
    plaintext.fill(0);
  }
}

async function encryptBatch({ caller, body, audit }: ApiRequest) {
  const { keyId, items } = parseInput(EncryptBatchBody, body, 'body');
  audit.keyNamed(keyId).batchOf(items.length);
  assertPlaintextSize(items.reduce<number>((sum, item) => sum + decodedLength(String((item as { plaintext?: unknown })?.plaintext ?? '')), 0));
  const plan = planBatch(items, (raw, index): PlaintextInput => {
    const item = parseInput(PlaintextItem, raw, `items.${index}`);
    return { plaintext: decodePlaintext(item.plaintext, `items.${index}.plaintext`), context: item.context };
  });
  try {
    const outcomes = await envelopeEncryption().encryptMany(caller, keyId, plan.valid);
    auditItems(audit, plan, outcomes, () => undefined);
    return jsonResponse(200, batchBody(plan, outcomes, sealed));
  } finally {
    for (const item of plan.valid) item.plaintext.fill(0);
  }
}

/** Decrypt and rewrap share their input shape, one item or a batch. */
function ciphertextRoute<R extends AuditKeyRef>(
  one: (caller: string, item: CiphertextInput) => Promise<R>,
  many: (caller: string, items: CiphertextInput[]) => Promise<ItemOutcome<R>[]>,
  render: (value: R) => object,
) {
  return async ({ caller, body, audit }: ApiRequest) => {
    if (!isBatch(body)) {
      const item = parseInput(CiphertextBody, body, 'body');
      audit.keyUsed(namedBy(item)).contextGiven(item.context);
      const result = await one(caller, item);
      audit.keyUsed(result);
      return jsonResponse(200, render(result));
    }
    const { items } = parseInput(CiphertextBatchBody, body, 'body');
    audit.batchOf(items.length);
    const plan = planBatch(items, (raw, index): CiphertextInput => {
      const { ciphertext, context } = parseInput(CiphertextItem, raw, `items.${index}`);
      return { ciphertext, context };
    });
    const outcomes = await many(caller, plan.valid);
    auditItems(audit, plan, outcomes, namedBy);
    return jsonResponse(200, batchBody(plan, outcomes, render));
  };
}

async function generateDataKey({ caller, body, audit }: ApiRequest) {
  const { keyId, context, withoutPlaintext } = parseInput(DataKeyBody, body, 'body');
  audit.keyNamed(keyId).contextGiven(context);
  const generated = await envelopeEncryption().generateDataKey(caller, keyId, { context, withPlaintext: withoutPlaintext !== true });
  audit.keyUsed(generated);
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
