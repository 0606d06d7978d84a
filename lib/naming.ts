import type { ApiFunctionName } from '../contract/index.js';

/**
 * Names both stacks derive from the stage alone. The key stack's policy names the API's function
 * roles by ARN without referring to the API stack, which would make the two stacks depend on each
 * other (the API stack already needs the key).
 */
export const serviceName = (stage: string) => `envelope-api-${stage}`;

export const functionRoleName = (stage: string, fn: ApiFunctionName) => `${serviceName(stage)}-${fn.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

export const masterKeyAlias = (stage: string) => `alias/${serviceName(stage)}`;

/** The audit log group, which the master key's policy (key stack) lets CloudWatch Logs encrypt for. */
export const auditLogGroupName = (stage: string) => `/${serviceName(stage)}/audit`;

/** The managed policies teams attach to their roles, by the name suffix each is deployed under. */
export const CALLER_POLICIES = { dataUser: 'data-user', keyManager: 'key-manager', operator: 'operator' } as const;
export type CallerPolicy = keyof typeof CALLER_POLICIES;

export const callerPolicyName = (stage: string, policy: CallerPolicy) => `${serviceName(stage)}-${CALLER_POLICIES[policy]}`;
