/**
 * The key policy's lockout safety check: as KMS's PutKeyPolicy, the API refuses a policy that would
 * leave the caller unable to administer the key, with a ValidationError that names the bypass.
 */
export function isLockoutRefusal(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return code === 'ValidationError' && typeof message === 'string' && message.includes('bypassLockoutSafetyCheck');
}
