import * as z from 'zod/mini';

/** A stage names every resource of its stacks (`envelope-api-<stage>-…`), within IAM's and S3's lengths. */
export const STAGE_NAME = { pattern: /^[a-z0-9-]{1,20}$/, rule: '1 to 20 lowercase letters, digits or hyphens' } as const;

/** Reads `-c stage=<name>` (or ENVELOPE_STAGE): `dev` when not given. */
export function stageFromContext(value: unknown): string {
  if (value === undefined) return 'dev';
  if (typeof value === 'string' && STAGE_NAME.pattern.test(value)) return value;
  throw new Error(`The stage context (or ENVELOPE_STAGE) must be ${STAGE_NAME.rule}, such as dev or prod, not ${shown(value)}.`);
}

/** Whether the app creates API Gateway's CloudWatch role (see EnvelopeStageOptions). */
export type ApiGatewayCloudWatchRoleChoice = 'create' | 'existing';

const CHOICES: readonly ApiGatewayCloudWatchRoleChoice[] = ['create', 'existing'];

/** Reads `-c apiGatewayCloudWatchRole=create|existing`. */
export function apiGatewayCloudWatchRoleFromContext(value: unknown): ApiGatewayCloudWatchRoleChoice {
  if (value === undefined) return 'create';
  if (CHOICES.includes(value as ApiGatewayCloudWatchRoleChoice)) return value as ApiGatewayCloudWatchRoleChoice;
  throw new Error(
    `The apiGatewayCloudWatchRole context must be create (the app sets the region's API Gateway CloudWatch role) or existing (the account already has one), not ${shown(value)}.`,
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
  if (!Array.isArray(list)) throw new Error(`The callers context must be ARNs separated by commas or a JSON list, not ${shown(value)}.`);
  const result = z.array(PrincipalArn).safeParse(list, ENGLISH);
  if (!result.success) {
    const caller = ([index]: readonly PropertyKey[]) =>
      `caller ${Number(index) + 1}${typeof list[Number(index)] === 'string' ? ` (${list[Number(index)]})` : ''}`;
    throw new Error(`The callers context is not valid: ${issuesInOneLine(result.error, caller)}.`);
  }
  return [...new Set(result.data)];
}

/** A context value as the command line or cdk.json gave it. */
export const shown = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value));

/** Zod's messages in English, for checks that do not give their own. */
export const ENGLISH = { error: z.locales.en().localeError };

/** A failed parse's issues on one line, each after what it is about: a record's key, or the value at a path. */
export function issuesInOneLine(error: z.core.$ZodError, subject: (path: readonly PropertyKey[], key: boolean) => string): string {
  return error.issues
    .flatMap((issue) =>
      issue.code === 'invalid_key'
        ? issue.issues.map((cause) => `${subject(issue.path, true)}: ${cause.message}`)
        : [issue.path.length === 0 ? issue.message : `${subject(issue.path, false)}: ${issue.message}`],
    )
    .join('; ');
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
  throw new Error(`The adoptTableName context must be a DynamoDB table name (3 to 255 of a-z, A-Z, 0-9, _ - .), not ${shown(value)}.`);
}
