import type { Environment } from 'aws-cdk-lib';

/**
 * The account and region to deploy to: those the CDK CLI found in the AWS configuration it runs
 * with (`--profile`, `--region`, AWS_PROFILE, AWS_REGION, ~/.aws/config). Without an account the
 * stacks suit any account, which `cdk synth` needs no credentials for.
 */
export function deploymentEnvironment(env: NodeJS.ProcessEnv = process.env): Environment {
  return { account: env.CDK_DEFAULT_ACCOUNT, region: env.CDK_DEFAULT_REGION };
}

/**
 * What to set when the CLI found no usable credentials. The CLI runs the app alike for `synth` and
 * `deploy`, so this is a warning: synthesizing goes on, and a deploy stops at the CLI's own terse
 * "Unable to resolve AWS account", after this has said why.
 */
export function missingCredentialsWarning(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const runByCli = env.CDK_CLI_VERSION !== undefined;
  if (!runByCli || env.CDK_DEFAULT_ACCOUNT !== undefined) return undefined;
  return [
    'No usable AWS credentials (none found, or expired): `cdk synth` works without them, `cdk deploy` stops.',
    'To deploy, sign in and name the profile (`aws sso login --profile <name>`, then `--profile <name>` or AWS_PROFILE=<name>),',
    'or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN).',
    `The region is --region, else AWS_REGION, else the profile's, else us-east-1 (now ${env.CDK_DEFAULT_REGION ?? 'none'}).`,
  ].join(' ');
}
