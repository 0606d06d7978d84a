import { randomBytes } from 'node:crypto';
import {
  GRANT_LIMITS,
  type CreateGrantRequest,
  type EncryptionContext,
  type Grant,
  type GrantConstraints,
  type GrantOperation,
} from '../../contract/index.js';
import type { DataKeyRecord } from './data-key.js';
import { ServiceError } from './errors.js';
import { isRoleSession, isSamePrincipal, principalIdentity } from './principals.js';

/**
 * Grants, with KMS's semantics: a grant lets one principal do a subset of a key's uses, within its
 * constraints, until it expires or is revoked or retired, without being on the key policy. It never
 * touches what the policy allows. Grants live in the key's record, so every change to them is a
 * conditional write on the record's revision, and a deleted key takes its grants with it.
 */
export type { Grant, GrantOperation };

const DAY_MS = 24 * 60 * 60 * 1000;

/** A grant id names its key (32 hex digits of its id) and 32 random hex digits: 64, as KMS's. */
export function newGrantId(keyId: string): string {
  return `${keyId.replaceAll('-', '')}${randomBytes(16).toString('hex')}`;
}

/** The key id a grant id names, or undefined for a malformed one. */
export function keyIdOfGrant(grantId: string): string | undefined {
  if (!/^[0-9a-f]{64}$/.test(grantId)) return undefined;
  const hex = grantId.slice(0, 32);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export const isActive = (grant: Grant, now: Date): boolean => Date.parse(grant.expiresAt) > now.getTime();

export function activeGrants(record: DataKeyRecord, now: Date): Grant[] {
  return Object.values(record.grants ?? {}).filter((grant) => isActive(grant, now));
}

/** Whether an active grant lets `caller` do `operation` with `context` (KMS's constraint meaning). */
export function isGranted(
  record: DataKeyRecord,
  caller: string,
  operation: GrantOperation,
  context: EncryptionContext | undefined | null,
  now: Date,
): boolean {
  return activeGrants(record, now).some(
    (grant) =>
      isSamePrincipal(grant.grantee, caller) &&
      grant.operations.includes(operation) &&
      (context === null || meetsConstraints(grant.constraints, context ?? {})),
  );
}

/** The caller's own active grants on the key. */
export const grantsOf = (record: DataKeyRecord, caller: string, now: Date): Grant[] =>
  activeGrants(record, now).filter((grant) => isSamePrincipal(grant.grantee, caller));

function meetsConstraints(constraints: GrantConstraints | null, context: EncryptionContext): boolean {
  if (constraints === null) return true;
  const required = 'contextEquals' in constraints ? constraints.contextEquals : constraints.contextSubset;
  const pairs = Object.entries(required);
  const contains = pairs.every(([key, value]) => Object.hasOwn(context, key) && context[key] === value);
  return 'contextEquals' in constraints ? contains && Object.keys(context).length === pairs.length : contains;
}

/** Checks a request and makes it a grant, its expiry defaulting to the longest allowed. */
export function grantFrom(request: CreateGrantRequest, keyId: string, caller: string, now: Date): Grant {
  if (isRoleSession(request.grantee)) {
    throw new ServiceError(
      'ValidationError',
      `grantee ${request.grantee} is a role session, which ends; name its role instead: ${principalIdentity(request.grantee)}.`,
    );
  }
  const latest = now.getTime() + GRANT_LIMITS.maxLifetimeDays * DAY_MS;
  const expiresAt = request.expiresAt === undefined ? latest : Date.parse(request.expiresAt);
  if (!(expiresAt > now.getTime() && expiresAt <= latest)) {
    throw new ServiceError('ValidationError', `expiresAt must be in the future and at most ${GRANT_LIMITS.maxLifetimeDays} days ahead.`);
  }
  return {
    grantId: newGrantId(keyId),
    keyId,
    grantee: principalIdentity(request.grantee),
    operations: [...new Set(request.operations)].sort(),
    constraints: request.constraints ?? null,
    expiresAt: new Date(expiresAt).toISOString(),
    name: request.name ?? null,
    createdAt: now.toISOString(),
    createdBy: caller,
  };
}

/** Same name, same grant: what KMS answers the same grantId for. */
export function isSameGrant(a: Grant, b: Grant): boolean {
  const shape = ({ grantee, operations, constraints, name }: Grant) => JSON.stringify([grantee, operations, constraints, name]);
  return shape(a) === shape(b);
}
