import { DEFAULT_PRINCIPALS_FILE } from './gateway/principals.js';

/**
 * The local runtime's own settings, read from the environment: `configFromEnv` takes their defaults
 * from here, and `npm start -- --help` lists them. What the functions themselves read is in
 * lambdas/config.ts (docs/reference/environment.md).
 */
export const RUNTIME_SETTINGS = {
  PORT: { default: '3000', meaning: 'port of the API gateway' },
  KMS_PORT: { default: '3001', meaning: 'port of the KMS emulator' },
  DYNAMODB_PORT: { default: '3002', meaning: 'port of DynamoDB (the functions reach it through an IAM-enforcing proxy on a free port)' },
  CONSOLE_PORT: { default: '3003', meaning: 'port of the web console (docs/console.md)' },
  AWS_REGION: { default: 'us-east-1', meaning: 'the region signatures are verified for' },
  ENVELOPE_DATA_DIR: { default: '.envelope', meaning: 'the state folder: keys, table, audit trail' },
  ENVELOPE_DYNAMODB_ENGINE: { default: 'dynalite', meaning: 'dynalite (in process) or dynamodb-local (AWS DynamoDB Local, Java)' },
  ENVELOPE_PRINCIPALS: { default: DEFAULT_PRINCIPALS_FILE, meaning: 'a JSON file of the principals (callers and key administrators)' },
  ENVELOPE_KEY_MATERIAL_ORIGIN: { default: 'AWS_KMS', meaning: 'EXTERNAL to rehearse bringing your own key material' },
  ENVELOPE_CLOCK_OFFSET_DAYS: {
    default: '0',
    meaning:
      "run the whole rehearsal this many days ahead, to see deletions and version destructions reach their dates (sign with the same offset: the client's systemClockOffset)",
  },
  ENVELOPE_CALLERS: { default: undefined, meaning: "principals of other accounts the API's resource policy admits (a deploy's callers context)" },
} as const satisfies Record<string, { readonly default: string | undefined; readonly meaning: string }>;

export type RuntimeSetting = keyof typeof RUNTIME_SETTINGS;

/** A setting's value, or its default. */
export const setting = (env: NodeJS.ProcessEnv, name: RuntimeSetting): string | undefined => env[name] ?? RUNTIME_SETTINGS[name].default;

/** How to choose other ports, as `npm start` suggests when one is taken. */
export const OTHER_PORTS_EXAMPLE = 'PORT=3100 KMS_PORT=3101 DYNAMODB_PORT=3102 CONSOLE_PORT=3103 npm start';

/** `npm start -- --help`. */
export function usage(): string {
  const width = Math.max(...Object.keys(RUNTIME_SETTINGS).map((name) => name.length));
  const lines = Object.entries(RUNTIME_SETTINGS).map(
    ([name, { default: value, meaning }]) => `  ${name.padEnd(width)}  ${meaning}${value === undefined ? '' : ` (default ${value})`}`,
  );
  return `npm start: the Envelope API on this machine, no AWS account needed: the API gateway, a KMS emulator
and DynamoDB, with IAM enforced as the synthesized stacks deploy it (docs/local-runtime.md).

Environment variables:
${lines.join('\n')}
  POWERTOOLS_*, ENVELOPE_CACHE_*…  passed to the functions as on the deployed ones (docs/reference/environment.md)

Other ports, for example: ${OTHER_PORTS_EXAMPLE}
`;
}
