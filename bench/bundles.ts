import { execFile } from 'node:child_process';
import { copyFile, mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import type { ApiFunctionName } from '../contract/index.js';
import { API_FUNCTION_NAMES } from '../lib/functions.js';
import { deployedBundle, type SynthesizedApp, synthesizeApp } from '../test/infra/synthesize.js';
import { median, RUNS } from './measure.js';

const run = promisify(execFile);
/** The bench's own work folder, in the project's cache (the bundles import nothing but Node's built-ins, so any folder would do). */
const WORK_DIR = fileURLToPath(new URL('../node_modules/.cache/envelope-api/bench-bundles/', import.meta.url));

export interface BundleFigures {
  readonly bytes: number;
  readonly initMs: number;
}

/**
 * The bundles `cdk deploy` uploads (synthesized by the stack itself, so their settings cannot drift
 * from it), and the time to import each in a fresh process, with its source map beside it and its
 * environment as in Lambda: the function's own variables (NODE_OPTIONS makes Node read the map) and
 * the runtime's AWS_EXECUTION_ENV, with which the tracer loads.
 */
export async function measureBundles(): Promise<Record<ApiFunctionName, BundleFigures>> {
  const app = synthesizeApp('bench');
  try {
    return await measureEach(app);
  } finally {
    await rm(app.outdir, { recursive: true, force: true });
  }
}

async function measureEach(app: SynthesizedApp): Promise<Record<ApiFunctionName, BundleFigures>> {
  const figures: Partial<Record<ApiFunctionName, BundleFigures>> = {};
  for (const name of API_FUNCTION_NAMES) {
    const dir = join(WORK_DIR, name);
    await mkdir(dir, { recursive: true });
    const bundle = join(dir, 'index.mjs');
    await copyFile(deployedBundle(app, name), bundle);
    await copyFile(`${deployedBundle(app, name)}.map`, `${bundle}.map`);
    const probe = join(dir, 'init.mjs');
    await writeFile(probe, `const t = performance.now(); await import('./index.mjs'); console.log(performance.now() - t);`);
    const env = { ...process.env, ...lambdaEnvironment(app, name) };
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const { stdout } = await run(process.execPath, [probe], { env });
      times.push(Number(stdout.trim()));
    }
    figures[name] = { bytes: (await stat(bundle)).size, initMs: median(times) };
  }
  return figures as Record<ApiFunctionName, BundleFigures>;
}

/** What a function's process sees in Lambda: its literal variables, placeholders for references, and the runtime's. */
function lambdaEnvironment({ app, apiStack }: SynthesizedApp, name: ApiFunctionName): Record<string, string> {
  const cfn = apiStack.functions[name].function.node.defaultChild as CfnFunction;
  const { variables = {} } = (apiStack.resolve(cfn.environment) ?? {}) as { variables?: Record<string, unknown> };
  const { Parameters = {} } = app.synth().getStackByName(apiStack.stackName).template as { Parameters?: Record<string, { Default?: unknown }> };
  const literal = (key: string, value: unknown): string => {
    if (typeof value === 'string') return value;
    const parameter = (value as { Ref?: string }).Ref;
    return parameter !== undefined && Parameters[parameter]?.Default !== undefined
      ? String(Parameters[parameter].Default)
      : `bench-${key.toLowerCase()}`;
  };
  return {
    ...Object.fromEntries(Object.entries(variables).map(([key, value]) => [key, literal(key, value)])),
    MASTER_KEY_ARN: 'arn:aws:kms:us-east-1:000000000000:key/bench',
    AWS_REGION: 'us-east-1',
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
  };
}
