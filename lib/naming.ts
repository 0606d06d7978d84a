import type { ApiFunctionName } from '../lambdas/routes.js';

/**
 * Names both stacks derive from the stage alone. The key stack's policy names the API's function
 * roles by ARN without referring to the API stack, which would make the two stacks depend on each
 * other (the API stack already needs the key).
 */
export const serviceName = (stage: string) => `envelope-api-${stage}`;

export const functionRoleName = (stage: string, fn: ApiFunctionName) =>
  `${serviceName(stage)}-${fn.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

export const masterKeyAlias = (stage: string) => `alias/${serviceName(stage)}`;
