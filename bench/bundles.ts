import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import type { ApiFunctionName } from '../contract/index.js';
import { FUNCTION_ENTRIES } from '../lambdas/routes.js';
import { median, RUNS } from './measure.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../', import.meta.url));

export interface BundleFigures {
  readonly bytes: number;
  readonly initMs: number;
}

/** Bundles each function as the CDK stack does, and times its module initialisation in a fresh process. */
export async function measureBundles(): Promise<Record<ApiFunctionName, BundleFigures>> {
  const dir = await mkdtemp(join(tmpdir(), 'envelope-bundles-'));
  const figures: Partial<Record<ApiFunctionName, BundleFigures>> = {};
  for (const [name, entry] of Object.entries(FUNCTION_ENTRIES) as [ApiFunctionName, string][]) {
    const outfile = join(dir, `${name}.mjs`);
    // The same esbuild settings as EnvelopeFunction (lib/constructs/envelope-function.ts).
    const result = await build({
      entryPoints: [join(ROOT, entry)],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node24',
      minify: true,
      mainFields: ['module', 'main'],
      metafile: true,
      logLevel: 'error',
      banner: { js: "import { createRequire } from 'module';const require = createRequire(import.meta.url);" },
      alias: { '@aws-sdk/credential-provider-node': join(ROOT, 'lambdas/lambda-credentials.ts') },
    });
    const bytes = Object.values(result.metafile.outputs)[0]!.bytes;
    const probe = join(dir, `${name}-init.mjs`);
    await writeFile(probe, `const t = performance.now(); await import(${JSON.stringify(outfile)}); console.log(performance.now() - t);`);
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const { stdout } = await run(process.execPath, [probe], {
        env: { ...process.env, TABLE_NAME: 'bench', MASTER_KEY_ARN: 'arn:aws:kms:us-east-1:000000000000:key/bench', AWS_REGION: 'us-east-1' },
      });
      times.push(Number(stdout.trim()));
    }
    figures[name] = { bytes, initMs: median(times) };
  }
  return figures as Record<ApiFunctionName, BundleFigures>;
}
