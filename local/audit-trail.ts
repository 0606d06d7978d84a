import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HANDLER_ENV } from '../lambdas/config.js';

/** Where the local runtime's functions write their audit records, in the data folder. */
export const auditFileIn = (dataDir: string): string => join(dataDir, 'audit.jsonl');
export const auditKeyFileIn = (dataDir: string): string => join(dataDir, 'audit-key');

/**
 * The local audit trail: the key created once (random, 256 bits as hex, readable by its owner
 * only) and kept with the rest of the data folder's state, and the functions' settings naming
 * the key file and the records file, as the stack names the secret and the log group.
 */
export async function localAuditTrail(dataDir: string): Promise<Record<string, string>> {
  const keyFile = auditKeyFileIn(dataDir);
  await writeFile(keyFile, `${randomBytes(32).toString('hex')}\n`, { flag: 'wx', mode: 0o600 }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
  return { [HANDLER_ENV.auditFile]: auditFileIn(dataDir), [HANDLER_ENV.auditKeyFile]: keyFile };
}

/** The local audit key, as the functions read it. */
export const readLocalAuditKey = async (dataDir: string): Promise<string> => (await readFile(auditKeyFileIn(dataDir), 'utf8')).trim();
