import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EnvelopeApiError, type EnvelopeClient } from '../../packages/client/src/index.js';
import { AuditHasher, type AuditRecord } from '../../lambdas/domain/audit-record.js';
import { readAuditEntries, unfinishedIntents } from '../../local/audit-query.js';
import { auditFileIn, readLocalAuditKey } from '../../local/audit-trail.js';
import { startRuntimeProcess, type RuntimeProcess } from '../support/local-runtime-process.js';
import { clientFor, principal } from '../support/principals.js';

/**
 * The hostile campaign's crash rounds, kept: writers send changes with idempotency keys while the
 * runtime is killed with `kill -9` at a random moment; after the restart every request left
 * unanswered is retried with its key until it gets a final answer. Then each change must have
 * happened exactly once (one key per create, one version per rotation, one grant per grant
 * request) and have its audit records: an outcome for every change, and no intent left without one.
 */
const ROUNDS = 4;
const WRITERS = 6;
const TARGETS = 3;
/** How long a retry keeps trying through 409 (the dead attempt's lock, until it expires) and 503. */
const RETRY_BUDGET_MS = 40_000;

type Kind = 'create' | 'createWithAlias' | 'rotate' | 'grant';

interface Sent {
  readonly kind: Kind;
  readonly idempotencyKey: string;
  readonly target?: string;
  readonly send: (client: EnvelopeClient) => Promise<Answer>;
  answer?: Answer;
  /** A final API error: the request did not change anything. */
  refused?: string;
  attempts: number;
}

interface Answer {
  readonly keyId?: string;
  readonly createdVersion?: number;
  readonly grantId?: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const pick = <T>(values: readonly T[]): T => values[Math.floor(Math.random() * values.length)]!;
/** An answer a client does not retry: not `Conflict` (the dead attempt's lock, a concurrent change), 429 or 503. */
const isFinal = (error: unknown): error is EnvelopeApiError => error instanceof EnvelopeApiError && error.code !== 'Conflict' && !error.retryable;

let runtime: RuntimeProcess | undefined;
afterAll(async () => runtime?.stop());

function request(kind: Kind, idempotencyKey: string, targets: readonly string[]): Sent {
  const options = { idempotencyKey };
  const target = kind === 'rotate' || kind === 'grant' ? pick(targets) : undefined;
  const send = {
    create: (client: EnvelopeClient) => client.createKey({ description: idempotencyKey }, options),
    createWithAlias: (client: EnvelopeClient) => client.createKey({ alias: `crash-${idempotencyKey}` }, options),
    rotate: (client: EnvelopeClient) => client.request<Answer>('POST', `v1/keys/${target}/rotate`, undefined, {}, options),
    grant: (client: EnvelopeClient) =>
      client.request<Answer>('POST', `v1/keys/${target}/grants`, { grantee: principal('teammate').arn, operations: ['encrypt'] }, {}, options),
  }[kind];
  return { kind, idempotencyKey, target, send, attempts: 0 };
}

/** One attempt: its answer, a final refusal, or nothing (no answer, or one that asks for a retry). */
async function attempt(sent: Sent, client: EnvelopeClient): Promise<void> {
  sent.attempts++;
  try {
    sent.answer = await sent.send(client);
  } catch (error) {
    if (isFinal(error)) sent.refused = error.code;
  }
}

const settled = (sent: Sent) => sent.answer !== undefined || sent.refused !== undefined;

async function retryUntilSettled(sent: Sent, client: EnvelopeClient): Promise<void> {
  const deadline = Date.now() + RETRY_BUDGET_MS;
  while (!settled(sent) && Date.now() < deadline) {
    await attempt(sent, client);
    if (!settled(sent)) await sleep(250);
  }
}

async function listAll(client: EnvelopeClient): Promise<string[]> {
  const keyIds: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await client.listKeys({ limit: 100, ...(nextToken && { nextToken }) });
    keyIds.push(...page.keys.map((key) => key.keyId));
    nextToken = page.nextToken;
  } while (nextToken);
  return keyIds;
}

describe('kill -9 under write traffic', () => {
  it('leaves every change made exactly once, answered to its retries, and audited', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'envelope-crash-'));
    runtime = await startRuntimeProcess({ dataDir });
    const setup = clientFor(runtime.apiUrl, 'owner');
    const targets = await Promise.all(Array.from({ length: TARGETS }, async () => (await setup.createKey()).keyId));
    const ledger: Sent[] = [];
    let interrupted = 0;

    for (let round = 0; round < ROUNDS; round++) {
      const client = clientFor(runtime.apiUrl, 'owner');
      let killed = false;
      const writers = Array.from({ length: WRITERS }, async (_, writer) => {
        for (let n = 0; !killed; n++) {
          const sent = request(pick<Kind>(['create', 'createWithAlias', 'rotate', 'rotate', 'grant']), `r${round}-w${writer}-${n}`, targets);
          ledger.push(sent);
          await attempt(sent, client);
        }
      });
      await sleep(400 + Math.random() * 1200);
      killed = true;
      await runtime.kill();
      await Promise.all(writers);
      const unanswered = ledger.filter((sent) => !settled(sent));
      interrupted += unanswered.length;

      runtime = await startRuntimeProcess({ dataDir });
      const retrying = clientFor(runtime.apiUrl, 'owner');
      await Promise.all(unanswered.map((sent) => retryUntilSettled(sent, retrying)));
      expect(unanswered.filter((sent) => !settled(sent)).map((sent) => sent.idempotencyKey)).toEqual([]);
    }

    const client = clientFor(runtime.apiUrl, 'owner');
    const ok = (kind: Kind) => ledger.filter((sent) => sent.kind === kind && sent.answer !== undefined);
    // Creates: one key per request, and no key that no request answered.
    const created = [...ok('create'), ...ok('createWithAlias')].map((sent) => sent.answer!.keyId!);
    expect(new Set(created).size).toBe(created.length);
    expect((await listAll(client)).sort()).toEqual([...targets, ...created].sort());
    // Rotations: one version per request, each answered with its own.
    let duplicates = 0;
    for (const target of targets) {
      const versions = ok('rotate')
        .filter((sent) => sent.target === target)
        .map((sent) => sent.answer!.createdVersion!)
        .sort((a, b) => a - b);
      duplicates += versions.length - new Set(versions).size;
      const key = await client.getKey(target);
      expect(versions).toEqual(Array.from({ length: key.currentVersion - 1 }, (_, i) => i + 2));
      const grants = ok('grant').filter((sent) => sent.target === target);
      const listed = (await client.listGrants(target, { limit: 100 })).grants.map((grant) => grant.grantId);
      expect(listed.sort()).toEqual(grants.map((sent) => sent.answer!.grantId!).sort());
    }
    duplicates += created.length - new Set(created).size;

    // Audit: every change has an outcome record naming it, and every intent is completed.
    const entries = await readAuditEntries(auditFileIn(dataDir));
    const outcomes = entries.filter((entry): entry is AuditRecord => entry.phase === 'outcome');
    const hasher = new AuditHasher(await readLocalAuditKey(dataDir));
    for (const sent of ledger.filter((s) => s.answer !== undefined)) {
      const key = hasher.hash(sent.idempotencyKey);
      const records = outcomes.filter((record) => record.idempotencyKey === key && record.status < 300);
      expect(records.length, sent.idempotencyKey).toBeGreaterThan(0);
      if (sent.kind === 'rotate') {
        expect(records.some((record) => record.keyVersions.includes(sent.answer!.createdVersion!))).toBe(true);
      }
    }
    expect(unfinishedIntents(entries)).toEqual([]);

    const retries = ledger.reduce((sum, sent) => sum + sent.attempts - 1, 0);
    const recovered = outcomes.filter((record) => record.replay === 'recovered').length;
    const stored = outcomes.filter((record) => record.replay === 'stored').length;
    console.log(
      `crash campaign: ${ROUNDS} rounds, ${ledger.length} requests, ${interrupted} interrupted, ${retries} retries ` +
        `(${recovered} answered from a change found, ${stored} from a stored answer), duplicates found: ${duplicates}`,
    );
    expect(interrupted).toBeGreaterThan(0);
    expect(duplicates).toBe(0);
  }, 300_000);
});
