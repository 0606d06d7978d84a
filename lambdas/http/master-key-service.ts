import { KMSClient } from '@aws-sdk/client-kms';
import { MasterKey } from '../domain/master-key.js';
import { HANDLER_ENV } from '../routes.js';

/**
 * Wiring shared by the handlers, created once per execution environment. KMS only, so that the
 * master-key function's bundle carries no DynamoDB client.
 */
export function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`Environment variable ${name} is not set.`);
  return value;
}

export const once = <T>(create: () => T): (() => T) => {
  let value: T | undefined;
  return () => (value ??= create());
};

export const getMasterKey = once(() => new MasterKey(new KMSClient({}), requiredEnv(HANDLER_ENV.masterKeyArn)));
