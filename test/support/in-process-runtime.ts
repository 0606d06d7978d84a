import { afterAll, beforeAll } from 'vitest';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configFromEnv, startLocalRuntime, type LocalRuntime, type LocalRuntimeOptions } from '../../local/runtime.js';

/**
 * The local runtime inside the test process, so the test can read what the emulators counted.
 * Handlers keep their caches per process: give each such test file its own settings.
 */
export async function startInProcessRuntime(env: Record<string, string> = {}, options: LocalRuntimeOptions = {}): Promise<LocalRuntime> {
  Object.assign(process.env, { POWERTOOLS_LOG_LEVEL: 'ERROR', ...env });
  return startLocalRuntime(
    {
      ...configFromEnv({ ...process.env, ENVELOPE_DATA_DIR: await mkdtemp(join(tmpdir(), 'envelope-inproc-')) }),
      port: 0,
      kmsPort: 0,
      dynamoDbPort: 0,
    },
    options,
  );
}

/** A runtime for one test file: started before its tests, closed after them. */
export function runtimeForFile(env: Record<string, string> = {}, options: LocalRuntimeOptions = {}): () => LocalRuntime {
  let runtime: LocalRuntime | undefined;
  beforeAll(async () => {
    runtime = await startInProcessRuntime(env, options);
  });
  afterAll(async () => runtime?.close());
  return () => runtime!;
}
