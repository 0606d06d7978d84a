import { configFromEnv, MASTER_KEY_ALIAS, startLocalRuntime } from './runtime.js';

/** `npm start`: the whole API on this machine, no AWS account needed. */
const config = configFromEnv();
const runtime = await startLocalRuntime(config);
const owner = runtime.principals[0]!;

console.log(`Envelope API listening on ${runtime.apiUrl}
  KMS emulator  ${runtime.kmsUrl}  (master key ${MASTER_KEY_ALIAS}: ${runtime.masterKeyArn})
  DynamoDB      ${runtime.dynamoDbUrl}  (${config.dynamoDbEngine})
  Data          ${config.dataDir}

Principals (SigV4 credentials, region ${config.region}, service execute-api):
${runtime.principals.map((p) => `  ${p.name.padEnd(10)} ${p.arn}  ${p.accessKeyId} / ${p.secretAccessKey}`).join('\n')}

Try it:
  curl --aws-sigv4 "aws:amz:${config.region}:execute-api" --user "${owner.accessKeyId}:${owner.secretAccessKey}" \\
    -H 'content-type: application/json' -d '{"description":"my first key"}' ${runtime.apiUrl}/v1/keys
`);

const shutdown = async () => {
  await runtime.close();
  process.exit(0);
};
process.once('SIGINT', shutdown);
process.once('SIGTERM', shutdown);
