/**
 * The request conditions the service relies on, each in words: what a request carries when it
 * comes from where the policies expect it. A cell allowed only with some of them names them.
 * KMS condition keys: "Condition keys for AWS KMS",
 * https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html (kms:ViaService,
 * kms:CallerAccount, kms:EncryptionContext:<key>, kms:EncryptionContextKeys).
 */
import { HEALTH_PROBE_ITEM, KMS_CONTEXT_KEYS, TABLE_SCHEMA, VERSION_LAST_USED_ATTRIBUTE } from '../../contract/index.js';

/** The names of this deployment the conditions mention. */
export interface ConditionNames {
  readonly account: string;
  readonly region: string;
  readonly auditKeySecretArn: string;
  /** The audit log group as CloudWatch Logs names it in its encryption context (no `:*`). */
  readonly auditLogGroupArn: string;
  readonly alarmTopicArn: string;
}

export interface ConditionFacet {
  readonly id: string;
  /** As a cell says it: "only …". */
  readonly words: string;
  /** Facets of one group exclude each other: a request has one encryption context, and comes through one service. */
  readonly group?: 'encryptionContext' | 'viaService';
  readonly context: Readonly<Record<string, string | readonly string[]>>;
}

const code = (text: string) => `\`${text}\``;

function encryptionContext(pairs: Readonly<Record<string, string>>): Record<string, string | readonly string[]> {
  return {
    'kms:EncryptionContextKeys': Object.keys(pairs),
    ...Object.fromEntries(Object.entries(pairs).map(([k, v]) => [`kms:EncryptionContext:${k}`, v])),
  };
}

export function conditionFacets(names: ConditionNames): readonly ConditionFacet[] {
  const contextKeys = Object.values(KMS_CONTEXT_KEYS);
  const viaService = (service: string) => `${service}.${names.region}.amazonaws.com`;
  return [
    {
      id: 'dataKeyContext',
      words: `with encryption context keys ${contextKeys.map(code).join(' and ')}`,
      group: 'encryptionContext',
      context: encryptionContext(Object.fromEntries(contextKeys.map((key) => [key, key === KMS_CONTEXT_KEYS.dataKeyVersion ? '1' : 'example']))),
    },
    {
      id: 'auditKeySecretContext',
      words: 'for the audit key secret',
      group: 'encryptionContext',
      context: encryptionContext({ SecretARN: names.auditKeySecretArn }),
    },
    {
      id: 'auditLogGroupContext',
      words: 'for the audit log group',
      group: 'encryptionContext',
      context: encryptionContext({ 'aws:logs:arn': names.auditLogGroupArn }),
    },
    {
      id: 'alarmTopicContext',
      words: 'for the alarm topic',
      group: 'encryptionContext',
      context: encryptionContext({ 'aws:sns:topicArn': names.alarmTopicArn }),
    },
    { id: 'viaDynamoDB', words: 'through DynamoDB', group: 'viaService', context: { 'kms:ViaService': viaService('dynamodb') } },
    { id: 'viaSecretsManager', words: 'through Secrets Manager', group: 'viaService', context: { 'kms:ViaService': viaService('secretsmanager') } },
    {
      id: 'healthProbePartition',
      words: `on the health probe's partition (${code(HEALTH_PROBE_ITEM.partitionKey)})`,
      context: { 'dynamodb:LeadingKeys': [HEALTH_PROBE_ITEM.partitionKey] },
    },
    {
      id: 'lastUsedAttributeOnly',
      words: `on a version's last-use hour (${code(VERSION_LAST_USED_ATTRIBUTE)}), returning nothing`,
      context: {
        'dynamodb:Attributes': [TABLE_SCHEMA.partitionKey, TABLE_SCHEMA.sortKey, VERSION_LAST_USED_ATTRIBUTE],
        'dynamodb:ReturnValues': 'NONE',
      },
    },
    {
      id: 'thisAccountsAlarms',
      words: "for this account's alarms",
      context: {
        'aws:SourceAccount': names.account,
        'aws:SourceArn': `arn:aws:cloudwatch:${names.region}:${names.account}:alarm:example`,
      },
    },
  ];
}

/** Whether a request for an action can carry the facet: every key it sets is one of the action's condition keys, or global. */
export function facetApplies(facet: ConditionFacet, actionConditionKeys: readonly string[]): boolean {
  return Object.keys(facet.context).every(
    (key) =>
      key.startsWith('aws:') ||
      actionConditionKeys.some((known) => known === key || (known.includes('${') && key.startsWith(known.slice(0, known.indexOf('${'))))),
  );
}
