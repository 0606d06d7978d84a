import { Hash } from '@smithy/core/serde';
import { SignatureV4 } from '@smithy/signature-v4';

/**
 * A SigV4-signed call to an AWS JSON 1.1 API (CloudWatch Logs, Secrets Manager) with the role's
 * credentials from the environment, as Lambda hands them over. The audit trail needs two calls of
 * two services; their SDK clients would add tens of kilobytes to bundles at their size budget.
 */
export type AwsJsonService = 'logs' | 'secretsmanager';

/** The AWS SDK's own endpoint settings, so the local runtime and tests point these calls where they point the SDK's. */
const ENDPOINT_VARIABLES: Record<AwsJsonService, string> = {
  logs: 'AWS_ENDPOINT_URL_CLOUDWATCH_LOGS',
  secretsmanager: 'AWS_ENDPOINT_URL_SECRETS_MANAGER',
};

/** An error answer: `type` is the service's exception name (`ResourceAlreadyExistsException`). */
export class AwsJsonError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(`${type}: ${message}`);
    this.name = 'AwsJsonError';
  }
}

export async function awsJsonCall(service: AwsJsonService, target: string, input: object, timeoutMs: number): Promise<Record<string, unknown>> {
  if (timeoutMs <= 0) throw new AwsJsonError('Timeout', 'no time left for the call');
  const region = process.env.AWS_REGION ?? 'us-east-1';
  const endpoint = new URL(process.env[ENDPOINT_VARIABLES[service]] || `https://${service}.${region}.amazonaws.com`);
  const body = JSON.stringify(input);
  const signer = new SignatureV4({
    service,
    region,
    sha256: Hash.bind(null, 'sha256'),
    credentials: {
      accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? '',
      secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? '',
      sessionToken: process.env.AWS_SESSION_TOKEN || undefined,
    },
  });
  const signed = await signer.sign({
    method: 'POST',
    protocol: endpoint.protocol,
    hostname: endpoint.hostname,
    port: endpoint.port ? Number(endpoint.port) : undefined,
    path: endpoint.pathname,
    query: {},
    headers: { host: endpoint.host, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target },
    body,
  });
  // fetch sets Host itself, from the URL that was signed.
  const { host: _host, ...headers } = signed.headers;
  const response = await fetch(endpoint, { method: 'POST', headers, body, signal: AbortSignal.timeout(timeoutMs) });
  const text = await response.text();
  const answer = parseObject(text);
  if (!response.ok) {
    const type = String(answer.__type ?? response.headers.get('x-amzn-errortype') ?? `HTTP${response.status}`)
      .split('#')
      .pop()!
      .split(':')[0]!;
    throw new AwsJsonError(type, String(answer.message ?? answer.Message ?? response.statusText));
  }
  return answer;
}

function parseObject(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
