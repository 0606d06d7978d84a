import { Command, Option } from 'commander';
import { addConsoleCommand } from './commands/console.js';
import { addFileCommands } from './commands/files.js';
import { addRewrapFileCommand } from './commands/rewrap-file.js';
import { addRewrapS3Command } from './commands/rewrap-s3.js';
import { addKeyCommands } from './commands/keys.js';
import { addMasterKeyCommand } from './commands/master-key.js';
import { addValueCommands } from './commands/values.js';
import { packageVersion } from '../version.js';
import { EXIT_CODES } from './errors.js';

const exitCodes = Object.values(EXIT_CODES)
  .map(({ code, meaning }) => `  ${String(code).padEnd(4)} ${meaning}`)
  .join('\n');

const AFTER_HELP = `
Exit codes:
${exitCodes}

Environment:
  ENVELOPE_API_URL     the API's base URL (or --endpoint)
  AWS_REGION           the region requests are signed for (or --region; else AWS_DEFAULT_REGION)
  AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_PROFILE…
                       credentials, from the AWS SDK's default provider chain (AWS_PROFILE or --profile)
  AWS_ENDPOINT_URL_S3  another S3 endpoint (path-style), e.g. moto or MinIO

Example:
  $ export ENVELOPE_API_URL=http://127.0.0.1:3000 AWS_REGION=us-east-1
  $ envelope keys create --alias orders
  $ envelope encrypt-file --key alias/orders big.bin big.bin.env
  $ envelope decrypt-file big.bin.env big.copy`;

/** The `envelope` program: errors are thrown (exitOverride), main.ts maps them to exit codes. */
export function createProgram(): Command {
  const program = new Command('envelope')
    .description('Envelope API command line: keys, small values, and files of any size (local, stdin/stdout or S3)')
    .version(packageVersion())
    .option('--endpoint <url>', "the API's base URL (default: $ENVELOPE_API_URL)")
    .option('--region <region>', 'the AWS region to sign for (default: $AWS_REGION, else $AWS_DEFAULT_REGION)')
    .option('--profile <name>', 'the AWS profile to sign with, from the shared config and credentials files (default: $AWS_PROFILE)')
    .addOption(new Option('-o, --output <format>', 'json (stable, for scripts) or table (for humans)').choices(['json', 'table']).default('table'))
    .option('-q, --quiet', 'no progress bar and no informational messages')
    .exitOverride()
    .addHelpText('after', AFTER_HELP);
  addKeyCommands(program);
  addValueCommands(program);
  addFileCommands(program);
  addRewrapFileCommand(program);
  addRewrapS3Command(program);
  addMasterKeyCommand(program);
  addConsoleCommand(program);
  return program;
}
