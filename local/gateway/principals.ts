import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { CALLER_POLICIES, type CallerPolicy } from '../../lib/naming.js';

/**
 * A local stand-in for an IAM principal with long-term credentials, with the caller managed
 * policies a deployer would attach to it, and whether the master key's policy names it as a key
 * administrator (the stack's `KeyAdminPrincipalArns`).
 */
export const LocalPrincipal = z.strictObject({
  name: z.string().min(1),
  arn: z.string().regex(/^arn:aws[a-z-]*:(iam|sts)::\d{12}:.+$/),
  accessKeyId: z.string().min(16),
  secretAccessKey: z.string().min(16),
  callerPolicies: z.array(z.enum(Object.keys(CALLER_POLICIES) as [CallerPolicy, ...CallerPolicy[]])).default([]),
  keyAdministrator: z.boolean().default(false),
});
export type LocalPrincipal = z.infer<typeof LocalPrincipal>;

export const DEFAULT_PRINCIPALS_FILE = new URL('../principals.json', import.meta.url).pathname;

export async function loadPrincipals(file = process.env.ENVELOPE_PRINCIPALS ?? DEFAULT_PRINCIPALS_FILE): Promise<LocalPrincipal[]> {
  const principals = z
    .array(LocalPrincipal)
    .min(1)
    .parse(JSON.parse(await readFile(file, 'utf8')));
  const ids = new Set(principals.map((p) => p.accessKeyId));
  if (ids.size !== principals.length) throw new Error(`${file}: access key ids must be unique.`);
  return principals;
}
