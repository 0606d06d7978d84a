import { Command, Option } from 'commander';
import { addFileCommands } from './commands/files.js';
import { addKeyCommands } from './commands/keys.js';
import { addMasterKeyCommand } from './commands/master-key.js';
import { addValueCommands } from './commands/values.js';
import { packageVersion } from '../version.js';

const EXIT_CODES = `
Exit codes:
  0  success
  1  the API refused or failed the request (printed as "error: <Code>: <message>"), or could not be reached
  2  usage or configuration error (unknown option, missing argument, no endpoint, region or credentials)
  3  a local file, stdin/stdout or S3 object could not be read or written
  4  invalid data: a tampered, truncated or foreign encrypted file or token, or an unexpected context
  129, 130, 143  interrupted by SIGHUP, SIGINT (Ctrl-C) or SIGTERM (128 + the signal's number); a file
                 command leaves no output behind

Environment:
  ENVELOPE_API_URL     the API's base URL (or --endpoint)
  AWS_REGION           the region requests are signed for (or --region)
  AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_PROFILE…
                       credentials, from the AWS SDK's default provider chain
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
    .option('--region <region>', 'the AWS region to sign for (default: $AWS_REGION)')
    .addOption(new Option('-o, --output <format>', 'json (stable, for scripts) or table (for humans)').choices(['json', 'table']).default('table'))
    .option('-q, --quiet', 'no progress bar and no informational messages')
    .exitOverride()
    .addHelpText('after', EXIT_CODES);
  addKeyCommands(program);
  addValueCommands(program);
  addFileCommands(program);
  addMasterKeyCommand(program);
  return program;
}
