import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Vitest's global setup: one temporary directory for the whole run, as TMPDIR, so that every
 * directory a test makes (`mkdtemp(join(tmpdir(), …))`), and every one the processes it starts
 * make (DynamoDB Local's Java is told so), is inside it, and all go when the run ends, however a
 * test ended. The workers and their children inherit TMPDIR; os.tmpdir() reads it on each call. A
 * run interrupted before its teardown leaves this one directory.
 */
export default async function setup(): Promise<() => Promise<void>> {
  const root = await mkdtemp(join(tmpdir(), 'envelope-tests-'));
  const previous = process.env.TMPDIR;
  process.env.TMPDIR = root;
  return async () => {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    await rm(root, { recursive: true, force: true });
  };
}
