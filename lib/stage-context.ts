import * as z from 'zod/mini';

/** Whether the app creates API Gateway's CloudWatch role (see EnvelopeStageOptions). */
export type ApiGatewayCloudWatchRoleChoice = 'create' | 'existing';

const CHOICES: readonly ApiGatewayCloudWatchRoleChoice[] = ['create', 'existing'];

/** Reads `-c apiGatewayCloudWatchRole=create|existing`. */
export function apiGatewayCloudWatchRoleFromContext(value: unknown): ApiGatewayCloudWatchRoleChoice {
  if (value === undefined) return 'create';
  if (CHOICES.includes(value as ApiGatewayCloudWatchRoleChoice)) return value as ApiGatewayCloudWatchRoleChoice;
  throw new Error(
    `The apiGatewayCloudWatchRole context must be create (the app sets the region's API Gateway CloudWatch role) or existing (the account already has one), not ${String(value)}.`,
  );
}

const PrincipalArn = z
  .string()
  .check(
    z.regex(/^arn:aws[a-z-]*:(iam::\d{12}:(root|role\/.+|user\/.+)|sts::\d{12}:assumed-role\/.+)$/, 'must be an IAM role, user or account root ARN'),
  );

/**
 * Reads `-c callers=arn1,arn2` (or a JSON list, or a list in cdk.json): principals of other
 * accounts that may invoke the API. Fixed at synth time, so that a change redeploys the API.
 */
export function crossAccountCallersFromContext(value: unknown): string[] {
  if (value === undefined || value === '') return [];
  let list: unknown = value;
  if (typeof value === 'string') list = value.trim().startsWith('[') ? parseJson(value) : value.split(',').map((arn) => arn.trim());
  const result = z.array(PrincipalArn).safeParse(list);
  if (!result.success) throw new Error(`The callers context is not valid: ${z.prettifyError(result.error)}`);
  return [...new Set(result.data)];
}

function parseJson(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    throw new Error(`The callers context must be ARNs separated by commas or a JSON list, not ${value}.`);
  }
}

/** Reads `-c adoptTableName=<name>`: an existing table for the data stack to adopt, named as DynamoDB allows. */
export function adoptTableNameFromContext(value: unknown): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value === 'string' && /^[a-zA-Z0-9_.-]{3,255}$/.test(value)) return value;
  throw new Error(`The adoptTableName context must be a DynamoDB table name (3 to 255 of a-z, A-Z, 0-9, _ - .), not ${String(value)}.`);
}
