/**
 * The app of one checkout synthesized as `cdk synth` runs it: bin/envelope-api.ts with the CDK's
 * app protocol (CDK_OUTDIR, CDK_CONTEXT_JSON, CDK_DEFAULT_ACCOUNT/REGION) and the checkout's own
 * cdk.json context, so a checkout of an older commit synthesizes its own stacks. The functions'
 * code is not bundled: the report reads policies, not code.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { DeploymentTarget } from '../../local/iam/synthesized-templates.js';
import type { CfnTemplate } from '../../local/iam/template-values.js';

/** Every stack the app deploys, by its role; the account stack exists when the app creates API Gateway's role. */
export interface StackTemplates {
  readonly key: CfnTemplate;
  readonly data: CfnTemplate;
  readonly api: CfnTemplate;
  readonly account?: CfnTemplate;
}

const STACK_ROLES: readonly [keyof StackTemplates, RegExp][] = [
  ['key', /^EnvelopeKey-/],
  ['data', /^EnvelopeData-/],
  ['api', /^EnvelopeApi-/],
  ['account', /^EnvelopeAccount$/],
];

interface Manifest {
  readonly artifacts: Readonly<Record<string, { readonly type: string; readonly properties?: { readonly templateFile?: string } }>>;
}

export async function synthesizeCheckout(checkout: string, target: DeploymentTarget): Promise<StackTemplates> {
  const outdir = await mkdtemp(join(tmpdir(), 'envelope-review-'));
  try {
    const { context = {} } = JSON.parse(await readFile(join(checkout, 'cdk.json'), 'utf8')) as { context?: Record<string, unknown> };
    const appContext = {
      ...context,
      stage: target.stage,
      callers: [...(target.crossAccountCallers ?? [])],
      'aws:cdk:bundling-stacks': [],
      // The report answers for policies that cdk-nag would refuse too: a reviewer must see what such a change would allow.
      '@aws-cdk/core:failSynthOnValidationErrors': false,
    };
    await promisify(execFile)(process.execPath, ['--import', 'tsx', 'bin/envelope-api.ts'], {
      cwd: checkout,
      maxBuffer: 16 * 1024 * 1024,
      env: {
        ...process.env,
        CDK_OUTDIR: outdir,
        CDK_CONTEXT_JSON: JSON.stringify(appContext),
        CDK_DEFAULT_ACCOUNT: target.account,
        CDK_DEFAULT_REGION: target.region,
      },
    }).catch((error: { stderr?: string; message: string }) => {
      const said = (error.stderr || error.message).split('\n').slice(0, 20).join('\n');
      throw new Error(`Synthesizing the app in ${checkout} failed:\n${said}`);
    });
    return await readStacks(outdir);
  } finally {
    await rm(outdir, { recursive: true, force: true });
  }
}

async function readStacks(outdir: string): Promise<StackTemplates> {
  const manifest = JSON.parse(await readFile(join(outdir, 'manifest.json'), 'utf8')) as Manifest;
  const stacks: Partial<Record<keyof StackTemplates, CfnTemplate>> = {};
  for (const [name, artifact] of Object.entries(manifest.artifacts)) {
    if (artifact.type !== 'aws:cloudformation:stack' || !artifact.properties?.templateFile) continue;
    const role = STACK_ROLES.find(([, pattern]) => pattern.test(name))?.[0];
    if (!role) throw new Error(`The app synthesized a stack the report does not know: ${name}.`);
    stacks[role] = JSON.parse(await readFile(join(outdir, artifact.properties.templateFile), 'utf8')) as CfnTemplate;
  }
  const { key, data, api, account } = stacks;
  if (!key || !data || !api) throw new Error('The app did not synthesize the key, data and API stacks.');
  return { key, data, api, ...(account && { account }) };
}
