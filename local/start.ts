import { configFromEnv, MASTER_KEY_ALIAS, startLocalRuntime } from './runtime.js';

/** `npm start`: the whole API on this machine, no AWS account needed, with IAM enforced as in AWS. */
const config = configFromEnv();
const runtime = await startLocalRuntime(config);
const owner = runtime.principals.find((p) => p.callerPolicies.length > 0) ?? runtime.principals[0]!;
const keyAdmin = runtime.principals.find((p) => p.keyAdministrator);

console.log(`Envelope API listening on ${runtime.apiUrl}
  KMS emulator  ${runtime.kmsUrl}  (master key ${MASTER_KEY_ALIAS}: ${runtime.masterKeyArn})
  DynamoDB      ${runtime.dynamoDbUrl}  (${config.dynamoDbEngine}${config.dynamoDbEngine === 'dynamodb-local' ? ', restarted if it dies' : ''}, behind an IAM-enforcing proxy)
  Data          ${config.dataDir}

IAM is enforced with the policies of the synthesized stacks (stage local, account ${runtime.masterKeyArn.split(':')[4]}).
Principals (SigV4 credentials, region ${config.region}):
${runtime.principals.map((p) => `  ${p.name.padEnd(10)} ${p.arn}  ${p.accessKeyId} / ${p.secretAccessKey}  [${describe(p)}]`).join('\n')}

Try it:
  curl --aws-sigv4 "aws:amz:${config.region}:execute-api" --user "${owner.accessKeyId}:${owner.secretAccessKey}" \\
    -H 'content-type: application/json' -d '{"description":"my first key"}' ${runtime.apiUrl}/v1/keys
${
  keyAdmin
    ? `  AWS_ACCESS_KEY_ID=${keyAdmin.accessKeyId} AWS_SECRET_ACCESS_KEY=${keyAdmin.secretAccessKey} \\
    aws --region ${config.region} --endpoint-url ${runtime.kmsUrl} kms describe-key --key-id ${MASTER_KEY_ALIAS}
`
    : ''
}`);

function describe(p: (typeof runtime.principals)[number]): string {
  const roles = [...p.callerPolicies, ...(p.keyAdministrator ? ['master key administrator'] : [])];
  return roles.length > 0 ? roles.join(', ') : 'no caller policy';
}

const shutdown = async (status: number) => {
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
