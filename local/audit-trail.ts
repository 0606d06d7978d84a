import { randomBytes } from 'node:crypto';
import { type FileHandle, open, readFile, writeFile } from 'node:fs/promises';
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
  const cut = await cutTornRecord(auditFileIn(dataDir));
  if (cut > 0) process.stderr.write(`audit trail: removed ${cut} bytes of a record a stopped process left unfinished\n`);
  return { [HANDLER_ENV.auditFile]: auditFileIn(dataDir), [HANDLER_ENV.auditKeyFile]: keyFile };
}

/**
 * Cuts the file after its last line break, returning how many bytes went. A process killed while
 * appending a record can leave part of one (Linux ends a write early on a fatal signal, between
 * pages); appended to, that part would run into the next record and spoil both. Nothing is lost
 * with it: a record is whole before the change it announces starts, or before the answer it
 * reports is sent, so a torn intent's change never began, and a torn outcome leaves its intent
 * unfinished, as an investigator should see it.
 */
export async function cutTornRecord(file: string): Promise<number> {
  const handle = await open(file, 'r+').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (handle === undefined) return 0;
  try {
    const { size } = await handle.stat();
    const end = await lastLineEnd(handle, size);
    if (end < size) await handle.truncate(end);
    return size - end;
  } finally {
    await handle.close();
  }
}

/** The offset just past the file's last line break (0 if it has none), read backwards a block at a time. */
async function lastLineEnd(handle: FileHandle, size: number): Promise<number> {
  const block = Buffer.alloc(64 * 1024);
  for (let end = size; end > 0; end -= block.length) {
    const start = Math.max(0, end - block.length);
    const { bytesRead } = await handle.read(block, 0, end - start, start);
    const at = block.subarray(0, bytesRead).lastIndexOf(0x0a);
    if (at >= 0) return start + at + 1;
  }
  return 0;
}

/** The local audit key, as the functions read it. */
export const readLocalAuditKey = async (dataDir: string): Promise<string> => (await readFile(auditKeyFileIn(dataDir), 'utf8')).trim();
