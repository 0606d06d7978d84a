import type { ApiFunctionName } from '../contract/index.js';

/**
 * Names the stacks derive from the stage (and, for account-global IAM names, the region) alone.
 * The key stack's policy names the API's function roles by ARN without referring to the API
 * stack, which would make the two stacks depend on each other (the API stack already needs the
 * key); the data stack's resources have fixed names so that the API stack finds the same ones
 * after any redeploy.
 */
export const serviceName = (stage: string) => `envelope-api-${stage}`;

/** IAM names are global to the account: the region keeps one stage in two regions apart. */
const iamName = (stage: string, region: string, suffix: string) => `${serviceName(stage)}-${region}-${suffix}`;

export const functionRoleName = (stage: string, region: string, fn: ApiFunctionName) =>
  iamName(
    stage,
    region,
    fn.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`),
  );

export const masterKeyAlias = (stage: string) => `alias/${serviceName(stage)}`;

/** The data stack's own key: the table, the audit log group and the audit key secret are encrypted with it. */
export const storageKeyAlias = (stage: string) => `alias/${serviceName(stage)}-storage`;

export const dataKeyTableName = (stage: string) => `${serviceName(stage)}-data-keys`;

/** The audit log group, which the storage key's policy lets CloudWatch Logs encrypt for. */
export const auditLogGroupName = (stage: string) => `/${serviceName(stage)}/audit`;

export const auditKeySecretName = (stage: string) => `${serviceName(stage)}/audit-key`;

/** The managed policies teams attach to their roles, by the name suffix each is deployed under. */
export const CALLER_POLICIES = { dataUser: 'data-user', keyManager: 'key-manager', operator: 'operator' } as const;
export type CallerPolicy = keyof typeof CALLER_POLICIES;

export const callerPolicyName = (stage: string, region: string, policy: CallerPolicy) => iamName(stage, region, CALLER_POLICIES[policy]);
