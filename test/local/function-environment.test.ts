import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiFunctionName } from '../../contract/index.js';
import { HANDLER_ENV } from '../../lambdas/config.js';
import { functionEnvironment, type FunctionEnvironmentProps } from '../../lib/function-environment.js';
import { API_FUNCTION_NAMES, API_FUNCTIONS } from '../../lib/functions.js';
import { configFromEnv, startLocalRuntime, type LocalRuntime } from '../../local/runtime.js';

/** What Lambda itself sets (region, the role's credentials), and the local runtime's stand-ins for AWS endpoints and X-Ray. */
const LAMBDA_PROVIDED = [
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_ENDPOINT_URL_KMS',
  'AWS_ENDPOINT_URL_DYNAMODB',
  'POWERTOOLS_TRACE_ENABLED',
];
/** Locally the audit trail is two files, where AWS has a log group and a secret. */
const LOCAL_STAND_INS: Record<string, string> = {
  [HANDLER_ENV.auditLogGroup]: HANDLER_ENV.auditFile,
  [HANDLER_ENV.auditKeySecretArn]: HANDLER_ENV.auditKeyFile,
};
/** Enables the bundle's source maps; the local runtime runs the sources themselves. */
const BUNDLE_ONLY = ['NODE_OPTIONS'];

let runtime: LocalRuntime;
/** Each function's variables in the synthesized API stack, with this deployment's values. */
let deployed: Record<ApiFunctionName, Record<string, unknown>>;

beforeAll(async () => {
  // No settings from this process's environment: the functions get what the template gives them.
  const config = configFromEnv({ ENVELOPE_DATA_DIR: await mkdtemp(join(tmpdir(), 'envelope-env-')) });
  runtime = await startLocalRuntime({ ...config, port: 0, kmsPort: 0, dynamoDbPort: 0 });
  const functions = runtime.policies.apiTemplate.resources('AWS::Lambda::Function');
  deployed = Object.fromEntries(
    API_FUNCTION_NAMES.map((fn) => {
      const [, properties] = functions.find(([, { Role }]) => Role === runtime.policies.functionRoles[fn].roleArn)!;
      return [fn, (properties.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {}];
    }),
  ) as typeof deployed;
});
afterAll(async () => runtime?.close());

describe("each function's environment in the local runtime", () => {
  it.each(API_FUNCTION_NAMES)('%s: the variables of its synthesized function, and only what Lambda adds besides', (fn) => {
    const local = runtime.environmentFor(fn);
    const expected = Object.keys(deployed[fn])
      .filter((name) => !BUNDLE_ONLY.includes(name))
      .map((name) => LOCAL_STAND_INS[name] ?? name);
    expect(Object.keys(local).sort()).toEqual([...expected, ...LAMBDA_PROVIDED].sort());
  });

  it.each(API_FUNCTION_NAMES)('%s: with the values the template resolves to for this deployment', (fn) => {
    const local = runtime.environmentFor(fn);
    for (const [name, value] of Object.entries(deployed[fn])) {
      if (!BUNDLE_ONLY.includes(name) && LOCAL_STAND_INS[name] === undefined) expect(local[name], name).toBe(String(value));
    }
  });

  it('gives the table and the master key only to the functions whose rights use them', () => {
    expect(Object.keys(deployed.health).sort()).toEqual(['NODE_OPTIONS', 'POWERTOOLS_SERVICE_NAME']);
    expect(runtime.environmentFor('masterKey')).not.toHaveProperty(HANDLER_ENV.cacheMaxAgeSeconds);
    expect(runtime.environmentFor('masterKey')).toHaveProperty(HANDLER_ENV.tableName);
  });
});

describe('settings from the environment of `npm start`', () => {
  const config = configFromEnv({
    [HANDLER_ENV.cacheMaxAgeSeconds]: '0',
    [HANDLER_ENV.maxKeysPerPrincipal]: '3',
    POWERTOOLS_LOG_LEVEL: 'ERROR',
    HOME: '/home/developer',
  });

  it('keeps the data-key settings given, and the cache age of the stack parameter otherwise', () => {
    expect(config.dataKeySettings).toEqual({ cacheMaxAgeSeconds: '0', maxKeysPerPrincipal: '3' });
    expect(configFromEnv({}).dataKeySettings).toEqual({ cacheMaxAgeSeconds: '60' });
    expect(config.powertoolsSettings).toEqual({ POWERTOOLS_LOG_LEVEL: 'ERROR' });
  });

  it('reach only the functions that read them', () => {
    const resources: FunctionEnvironmentProps = {
      serviceName: 'envelope-api-local',
      tableName: 'table',
      masterKeyArn: 'key',
      auditTrail: { sink: { file: 'audit.jsonl' }, key: { file: 'audit-key' } },
      dataKeySettings: config.dataKeySettings,
    };
    const quota = (fn: ApiFunctionName) => functionEnvironment(API_FUNCTIONS[fn].rights, resources)[HANDLER_ENV.maxKeysPerPrincipal];
    expect(API_FUNCTION_NAMES.map((fn) => [fn, quota(fn)])).toEqual([
      ['keys', '3'],
      ['crypto', '3'],
      ['masterKey', undefined],
      ['health', undefined],
    ]);
  });
});
