import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * The CDK app in a child process, as `cdk` runs it: what someone deploying sees when a context
 * value is wrong or no credentials are at hand.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CDK_CLI = join(ROOT, 'node_modules', 'aws-cdk', 'bin', 'cdk');
const work = mkdtempSync(join(tmpdir(), 'envelope-cdk-app-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Exit {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function run(args: readonly string[], env: NodeJS.ProcessEnv): Promise<Exit> {
  return new Promise((resolve) => {
    execFile(process.execPath, args, { cwd: ROOT, env, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
    );
  });
}

/** No AWS credentials nor configuration anywhere the CLI looks: it finds none, and calls nothing. */
function withoutAws(): NodeJS.ProcessEnv {
  const kept = Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_') && !name.startsWith('CDK_'));
  return {
    ...Object.fromEntries(kept),
    AWS_CONFIG_FILE: join(work, 'no-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(work, 'no-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    CDK_DISABLE_CLI_TELEMETRY: 'true',
  };
}

/** The app alone, given what the CLI gives it: context, an output folder and what it found of AWS. */
async function runApp(context: Record<string, unknown>, env: NodeJS.ProcessEnv = {}): Promise<Exit & { outdir: string }> {
  const outdir = mkdtempSync(join(work, 'out-'));
  const contextJson = JSON.stringify({ 'aws:cdk:bundling-stacks': [], ...context });
  const exit = await run(['--import', 'tsx', 'bin/envelope-api.ts'], { ...withoutAws(), CDK_OUTDIR: outdir, CDK_CONTEXT_JSON: contextJson, ...env });
  return { ...exit, outdir };
}

describe('a context value the app cannot take', () => {
  it.each([
    [{ stage: 'Prod' }, 'The stage context (or ENVELOPE_STAGE) must be 1 to 20 lowercase letters, digits or hyphens, such as dev or prod, not Prod.'],
    [{ tags: 'team=platform' }, `The tags context must be a JSON object such as '{"team":"platform"}' (quoted for the shell), not team=platform.`],
    [
      { tags: '{"aws:team":"x"}' },
      `The tags context is not valid: tag key "aws:team": must not start with aws:. Expected at most 50 tags with KMS's rules, such as '{"team":"platform"}'.`,
    ],
    [
      { callers: 'arn:aws:s3:::bucket' },
      'The callers context is not valid: caller 1 (arn:aws:s3:::bucket): must be an IAM role, user or account root ARN.',
    ],
    [
      { apiGatewayCloudWatchRole: 'none' },
      "The apiGatewayCloudWatchRole context must be create (the app sets the region's API Gateway CloudWatch role) or existing (the account already has one), not none.",
    ],
    [{ adoptTableName: 'x' }, 'The adoptTableName context must be a DynamoDB table name (3 to 255 of a-z, A-Z, 0-9, _ - .), not x.'],
  ])(
    '%j stops the app with one line saying why, and no stack trace',
    async (context, message) => {
      const { code, stderr } = await runApp(context);
      expect(code).toBe(1);
      expect(stderr).toBe(`${message}\n`);
    },
    60_000,
  );

  it('reaches someone running `cdk synth` as that line, with the exit code', async () => {
    const { code, stderr } = await run(
      [CDK_CLI, 'synth', '--no-notices', '-o', mkdtempSync(join(work, 'out-')), '-c', 'tags=team=platform'],
      withoutAws(),
    );
    expect(code).toBe(1);
    expect(stderr).toContain(`The tags context must be a JSON object such as '{"team":"platform"}' (quoted for the shell), not team=platform.\n`);
    expect(stderr).not.toMatch(/^\s+at /m);
  }, 120_000);
});

describe('the account and region', () => {
  const environmentOf = (outdir: string, stack: string) =>
    (JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8')) as { artifacts: Record<string, { environment?: string }> }).artifacts[stack]
      ?.environment;

  it('are those the CLI found; without credentials `cdk synth` works, and says what a deploy needs', async () => {
    const outdir = mkdtempSync(join(work, 'out-'));
    const args = [CDK_CLI, 'synth', 'EnvelopeKey-dev', '--exclusively', '--no-notices', '--region', 'eu-west-1', '-o', outdir];
    const { code, stderr } = await run(args, withoutAws());
    expect(code).toBe(0);
    expect(stderr).toContain('No usable AWS credentials (none found, or expired): `cdk synth` works without them, `cdk deploy` stops.');
    expect(stderr).toMatch(/--profile <name>.*AWS_PROFILE.*AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.*--region.*AWS_REGION.*\(now eu-west-1\)/);
    expect(environmentOf(outdir, 'EnvelopeKey-dev')).toBe('aws://unknown-account/eu-west-1');
  }, 120_000);

  it('are fixed in the stacks when the CLI found an account, without a warning', async () => {
    const { code, stderr, outdir } = await runApp(
      { stage: 'env' },
      { CDK_CLI_VERSION: '2', CDK_DEFAULT_ACCOUNT: '111122223333', CDK_DEFAULT_REGION: 'eu-west-2' },
    );
    expect(code).toBe(0);
    expect(stderr).not.toContain('AWS credentials');
    for (const stack of ['EnvelopeKey-env', 'EnvelopeData-env', 'EnvelopeApi-env']) {
      expect(environmentOf(outdir, stack), stack).toBe('aws://111122223333/eu-west-2');
    }
  }, 120_000);
});
