import { type AuditConfig, HANDLER_ENV } from '../lambdas/config.js';
import type { FunctionRights } from './functions.js';

/** The data-key functions' settings (read by `dataKeyConfig`), by their HANDLER_ENV key. */
export const DATA_KEY_SETTINGS = ['cacheMaxAgeSeconds', 'cacheMaxMessages', 'cacheMaxBytes', 'cacheMaxEntries', 'maxKeysPerPrincipal'] as const;
export type DataKeySetting = (typeof DATA_KEY_SETTINGS)[number];

/**
 * What the functions' variables point at: CDK tokens in the API stack, the emulated resources'
 * names in the local runtime.
 */
export interface FunctionEnvironmentProps {
  /** The `service` of the functions' logs, metrics and traces: stages sharing an account keep theirs apart. */
  readonly serviceName: string;
  readonly tableName: string;
  readonly masterKeyArn: string;
  /** In AWS a log group and a Secrets Manager secret; locally two files. */
  readonly auditTrail: AuditConfig;
  /** Settings of the functions that use data keys; those not given keep the handlers' defaults. */
  readonly dataKeySettings: Readonly<Partial<Record<DataKeySetting, string>>>;
}

/** The environment variables a function with these rights reads, and no others. */
export function functionEnvironment(rights: FunctionRights, props: FunctionEnvironmentProps): Record<string, string> {
  const usesDataKeys = rights.table !== undefined;
  return {
    POWERTOOLS_SERVICE_NAME: props.serviceName,
    ...((usesDataKeys || rights.dependencyChecks) && { [HANDLER_ENV.tableName]: props.tableName }),
    ...(rights.masterKey !== undefined && { [HANDLER_ENV.masterKeyArn]: props.masterKeyArn }),
    ...(usesDataKeys && dataKeyVariables(props.dataKeySettings)),
    ...(rights.audited && auditVariables(props.auditTrail)),
  };
}

function dataKeyVariables(settings: FunctionEnvironmentProps['dataKeySettings']): Record<string, string> {
  return Object.fromEntries(
    DATA_KEY_SETTINGS.flatMap((setting) => (settings[setting] === undefined ? [] : [[HANDLER_ENV[setting], settings[setting]]])),
  );
}

function auditVariables({ sink, key }: AuditConfig): Record<string, string> {
  return {
    ...('logGroupName' in sink ? { [HANDLER_ENV.auditLogGroup]: sink.logGroupName } : { [HANDLER_ENV.auditFile]: sink.file }),
    ...('secretArn' in key ? { [HANDLER_ENV.auditKeySecretArn]: key.secretArn } : { [HANDLER_ENV.auditKeyFile]: key.file }),
  };
}
