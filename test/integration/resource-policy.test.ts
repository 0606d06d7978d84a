import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PRINCIPALS_FILE, type LocalPrincipal } from '../../local/gateway/principals.js';
import type { LocalRuntime } from '../../local/runtime.js';
import { EnvelopeClient } from '../../packages/client/src/index.js';
import { startInProcessRuntime } from '../support/in-process-runtime.js';
import { failure } from '../support/principals.js';

/**
 * The API's resource policy as API Gateway evaluates it with IAM auth ("How API Gateway resource
 * policies affect authorization workflow", policy evaluation outcome tables), with the principals
 * of `-c callers=…` (ENVELOPE_CALLERS locally): across accounts, the resource policy and the
 * caller's own identity policy must both allow; in this account, listing a principal must not let
 * it bypass the route-scoped caller policies.
 */
const PARTNER_ACCOUNT = '444455556666';
const extra: LocalPrincipal[] = [
  {
    name: 'partner-no-policy',
    arn: `arn:aws:iam::${PARTNER_ACCOUNT}:user/partner-no-policy`,
    accessKeyId: 'AKIAENVELOPEPARTNER2',
    secretAccessKey: 'local-partner2-secret-00000000000000000',
    callerPolicies: [],
    keyAdministrator: false,
  },
];
const listed = [
  `arn:aws:iam::${PARTNER_ACCOUNT}:user/partner`,
  `arn:aws:iam::${PARTNER_ACCOUNT}:user/partner-no-policy`,
  // This account's stranger has no caller policy: being listed must not admit it.
  'arn:aws:iam::111122223333:user/stranger',
];

let principals: LocalPrincipal[];
const as = (runtime: LocalRuntime, name: string) => {
  const { accessKeyId, secretAccessKey } = principals.find((p) => p.name === name)!;
  return new EnvelopeClient({
    endpoint: runtime.apiUrl,
    region: 'us-east-1',
    credentials: { accessKeyId, secretAccessKey },
    retry: { maxAttempts: 1 },
  });
};

async function principalsFile(): Promise<string> {
  principals = [...(JSON.parse(await readFile(DEFAULT_PRINCIPALS_FILE, 'utf8')) as LocalPrincipal[]), ...extra];
  const file = join(await mkdtemp(join(tmpdir(), 'envelope-principals-')), 'principals.json');
  await writeFile(file, JSON.stringify(principals));
  return file;
}

describe.each<{ callers: string; env: Record<string, string>; partner: string }>([
  { callers: 'none listed', env: {}, partner: 'AccessDenied' },
  { callers: 'partners and a same-account principal listed', env: { ENVELOPE_CALLERS: listed.join(',') }, partner: 'allowed' },
])('with $callers', ({ env, partner }) => {
  let runtime: LocalRuntime;
  beforeAll(async () => {
    runtime = await startInProcessRuntime({ ENVELOPE_PRINCIPALS: await principalsFile(), ...env });
  });
  afterAll(async () => runtime?.close());

  it('admits a caller of this account with a caller policy (identity policy allows, resource policy names the account)', async () => {
    expect((await as(runtime, 'owner').listKeys()).keys).toBeDefined();
  });

  it('refuses a caller of this account without a caller policy, listed or not (a listed one would otherwise bypass the route policies)', async () => {
    expect(await failure(as(runtime, 'stranger').listKeys())).toMatchObject({ status: 403, code: 'AccessDenied' });
  });

  it(`answers a caller of another account with a caller policy: ${partner}`, async () => {
    const outcome = await as(runtime, 'partner')
      .listKeys()
      .then(
        () => 'allowed',
        (error: { code: string }) => error.code,
      );
    expect(outcome).toBe(partner);
  });

  it('refuses a caller of another account whose own account grants nothing, listed or not (both policies must allow across accounts)', async () => {
    expect(await failure(as(runtime, 'partner-no-policy').listKeys())).toMatchObject({ status: 403, code: 'AccessDenied' });
  });

  it('lets anybody, unsigned, call the public routes', async () => {
    expect((await fetch(`${runtime.apiUrl}/v1/health`)).status).toBe(200);
  });
});
