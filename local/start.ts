// First: the rehearsal's clock moves before any module reads it.
import './clock-setting.js';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describePrincipal, startLocalConsole } from './console.js';
import type { LocalPrincipal } from './gateway/principals.js';
import { PortInUseError } from './http-server.js';
import { configFromEnv, MASTER_KEY_ALIAS, startLocalRuntime } from './runtime.js';
import { OTHER_PORTS_EXAMPLE, setting, usage } from './settings.js';

/** `npm start`: the whole API on this machine, no AWS account needed, with IAM enforced as in AWS. */
if (process.argv.some((arg) => arg === '--help' || arg === '-h')) {
  process.stdout.write(usage());
  process.exit(0);
}
const config = configFromEnv();
const runtime = await orExplain(() => startLocalRuntime(config));
const consoleServer = await orExplain(
  () => startLocalConsole(runtime, { port: Number(setting(process.env, 'CONSOLE_PORT')) }),
  () => runtime.close(),
);

/** What `start` started, or one line on stderr and exit status 1 when a port it needs is taken (what started is stopped first). */
async function orExplain<T>(start: () => Promise<T>, stopStarted: () => Promise<void> = async () => {}): Promise<T> {
  try {
    return await start();
  } catch (error) {
    if (!(error instanceof PortInUseError)) throw error;
    await stopStarted();
    console.error(`npm start: ${error.message} Stop it, or choose other ports: ${OTHER_PORTS_EXAMPLE}`);
    process.exit(1);
  }
}
const caller = runtime.principals.find((p) => p.callerPolicies.length > 0) ?? runtime.principals[0]!;
const keyAdmin = runtime.principals.find((p) => p.keyAdministrator);
/** This clone's CLI, as `npm install` linked it: an absolute path, so the alias works from any folder, and never a registry's `envelope`. */
const cliPath = fileURLToPath(new URL('../node_modules/.bin/envelope', import.meta.url));

/**
 * The linked bin, with this Node.js (the project's, which npm start runs on) first on the PATH: the
 * bin's `env node` would otherwise find the shell's own, which may be older than the AWS SDK supports.
 */
const cliAlias = `PATH=${shellQuoted(dirname(process.execPath))}:"$PATH" ${shellQuoted(cliPath)}`;

console.log(`Envelope API listening on ${runtime.apiUrl}
  KMS emulator    ${runtime.kmsUrl}  (master key ${MASTER_KEY_ALIAS}: ${runtime.masterKeyArn})
  DynamoDB        ${runtime.dynamoDbEngineUrl}  (DYNAMODB_PORT; ${config.dynamoDbEngine}${config.dynamoDbEngine === 'dynamodb-local' ? ', restarted if it dies' : ''})
  DynamoDB proxy  ${runtime.dynamoDbUrl}  (enforces IAM; the functions reach DynamoDB through it, on a free port)
  Console         ${consoleServer.url}  (web console; pick an identity at the top right)
  Data            ${config.dataDir}

IAM is enforced with the policies of the synthesized stacks (stage local, account ${runtime.masterKeyArn.split(':')[4]}).
Principals (SigV4 credentials, region ${config.region}):
${runtime.principals.map((p) => `  ${p.name.padEnd(10)} ${p.arn}  ${p.accessKeyId} / ${p.secretAccessKey}  [${describePrincipal(p)}]`).join('\n')}

${cliLines(caller)}

${curlLines(caller)}
${keyAdmin ? `\n${keyAdminLines(keyAdmin)}\n` : ''}`);

/**
 * The shell lines that make `envelope` act as a caller of this API, to paste in the order printed. A
 * profile or session token left in the shell would sign in the caller's stead (the AWS SDK prefers
 * AWS_PROFILE to the access keys), and AWS_REGION is the region the local gateway verifies signatures for.
 */
function cliLines(p: LocalPrincipal): string {
  return `Try the envelope CLI as ${p.name}: paste these lines, in this order, into a shell (bash or zsh):
  unset AWS_PROFILE AWS_SESSION_TOKEN AWS_CREDENTIAL_EXPIRATION
  export ENVELOPE_API_URL=${runtime.apiUrl} AWS_REGION=${config.region}
  export AWS_ACCESS_KEY_ID=${p.accessKeyId} AWS_SECRET_ACCESS_KEY=${p.secretAccessKey}
  alias envelope=${shellQuoted(cliAlias)}
  envelope keys create --description "my first key"
  envelope keys list`;
}

function curlLines(p: LocalPrincipal): string {
  return `Or with curl, as ${p.name}:
  curl --aws-sigv4 "aws:amz:${config.region}:execute-api" --user "${p.accessKeyId}:${p.secretAccessKey}" \\
    -H 'content-type: application/json' -d '{"description":"my first key"}' ${runtime.apiUrl}/v1/keys`;
}

/**
 * The master key's administrator may call KMS only (the API answers it AccessDenied): its keys go to
 * one command, not into the shell, and a profile or session token in the shell is set aside for it.
 */
function keyAdminLines(p: LocalPrincipal): string {
  return `The master key, administered in KMS by ${p.name} (who cannot call the API), with the AWS CLI:
  env -u AWS_PROFILE -u AWS_SESSION_TOKEN AWS_ACCESS_KEY_ID=${p.accessKeyId} AWS_SECRET_ACCESS_KEY=${p.secretAccessKey} \\
    aws --region ${config.region} --endpoint-url ${runtime.kmsUrl} kms describe-key --key-id ${MASTER_KEY_ALIAS}`;
}

function shellQuoted(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

const shutdown = async (status: number) => {
  await consoleServer.close();
  await runtime.close();
  process.exit(status);
};
process.once('SIGINT', () => shutdown(0));
process.once('SIGTERM', () => shutdown(0));
// Better stopped, and seen to stop, than answering 503 for ever.
void runtime.failed.then((error) => {
  console.error(`\nEnvelope API stopped: ${error.message}\nRestart it with \`npm start\` once the cause is fixed.`);
  return shutdown(1);
});
