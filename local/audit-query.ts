import { readFile } from 'node:fs/promises';
import { isDataKeyId } from '../lambdas/domain/ciphertext-token.js';
import type { AuditHasher, AuditRecord } from '../lambdas/domain/audit-record.js';

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
export function auditRecordFilter(query: AuditQuery, hasher: AuditHasher): (record: AuditRecord) => boolean {
  const keyId = query.key !== undefined && isDataKeyId(query.key) ? query.key : undefined;
  const alias = query.key !== undefined && keyId === undefined ? hasher.hash(query.key.replace(/^alias\//, '')) : undefined;
  const context = Object.entries(query.context ?? {}).map(([name, value]) => [name, hasher.hash(value)] as const);
  return (record) =>
    (keyId === undefined || record.keyIds.includes(keyId)) &&
    (alias === undefined || record.aliases.includes(alias)) &&
    (query.principal === undefined || record.caller === query.principal) &&
    (query.since === undefined || Date.parse(record.time) >= query.since.getTime()) &&
    (query.until === undefined || Date.parse(record.time) <= query.until.getTime()) &&
    context.every(([name, hashed]) => record.context?.[name] === hashed);
}

/** The records of a JSON-lines audit file, in the order written; none if there is no file yet. */
export async function readAuditRecords(file: string): Promise<AuditRecord[]> {
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return '';
    throw error;
  });
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as AuditRecord);
}
