import { readFile } from 'node:fs/promises';
import { isDataKeyId } from '../lambdas/domain/ciphertext-token.js';
import type { AuditEntry, AuditHasher, AuditIntent, AuditRecord } from '../lambdas/domain/audit-record.js';

/** What an investigator looks for; every given criterion must hold. */
export interface AuditQuery {
  /** A key id (UUID), or an alias (`alias/orders` or `orders`), found through its hash. */
  readonly key?: string;
  /** The caller's ARN, exactly as authenticated. */
  readonly principal?: string;
  readonly since?: Date;
  readonly until?: Date;
  /** Context pairs the request carried: the values are hashed as the records hold them. */
  readonly context?: Readonly<Record<string, string>>;
}

/** A test for records matching the query, with the values hashed once under the deployment's audit key. */
export function auditRecordFilter(query: AuditQuery, hasher: AuditHasher): (record: AuditEntry) => boolean {
  const keyId = query.key !== undefined && isDataKeyId(query.key) ? query.key : undefined;
  const alias = query.key !== undefined && keyId === undefined ? hasher.hash(query.key.replace(/^alias\//, '')) : undefined;
  const context = Object.entries(query.context ?? {}).map(([name, value]) => [name, hasher.hash(value)] as const);
  return (record) =>
    (keyId === undefined || record.keyIds.includes(keyId)) &&
    (alias === undefined || record.aliases.includes(alias)) &&
    (query.principal === undefined || record.caller === query.principal) &&
    (query.since === undefined || Date.parse(record.time) >= query.since.getTime()) &&
    (query.until === undefined || Date.parse(record.time) <= query.until.getTime()) &&
    context.every(([name, hashed]) => record.phase !== 'intent' && record.context?.[name] === hashed);
}

/** The outcome records of a JSON-lines audit file, one per request that reached a function, in the order written. */
export async function readAuditRecords(file: string): Promise<AuditRecord[]> {
  return (await readAuditEntries(file)).filter((entry): entry is AuditRecord => entry.phase !== 'intent');
}

/**
 * Every entry of a JSON-lines audit file (intents and outcomes), in the order written; none if there
 * is no file yet. Only whole lines count: bytes after the last line break are a record still being
 * written, or one a killed process never finished (the runtime cuts those when it starts again).
 */
export async function readAuditEntries(file: string): Promise<AuditEntry[]> {
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return '';
    throw error;
  });
  return text
    .slice(0, text.lastIndexOf('\n') + 1)
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as AuditEntry);
}

/**
 * The intents no outcome completes: changes whose invocation died before answering and that no
 * retry finished since. An intent is complete once its invocation answered (the same
 * `lambdaRequestId`), or once a later attempt of the same request (caller, route and hashed
 * `Idempotency-Key`) got a final answer: one that a client does not retry (not `Conflict`, 429 or 5xx).
 */
export function unfinishedIntents(entries: readonly AuditEntry[]): AuditIntent[] {
  const outcomes = entries.filter((entry): entry is AuditRecord => entry.phase !== 'intent');
  const answered = new Set(outcomes.map((outcome) => outcome.lambdaRequestId));
  const finals = outcomes.filter((outcome) => outcome.idempotencyKey !== undefined && isFinal(outcome));
  return entries.filter(
    (entry): entry is AuditIntent =>
      entry.phase === 'intent' && !answered.has(entry.lambdaRequestId) && !finals.some((outcome) => isLaterAttempt(outcome, entry)),
  );
}

const isFinal = ({ status, outcome }: AuditRecord) => status < 500 && status !== 429 && outcome !== 'Conflict';

const isLaterAttempt = (outcome: AuditRecord, intent: AuditIntent) =>
  outcome.idempotencyKey === intent.idempotencyKey &&
  outcome.caller === intent.caller &&
  outcome.route === intent.route &&
  Date.parse(outcome.time) >= Date.parse(intent.time);
