import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { type PrincipalName, principal } from './principals.js';

/**
 * Requests signed by SigV4 signers other than the project's own, against the local runtime:
 * botocore (the AWS CLI's and boto3's) and curl --aws-sigv4. Each answer is its status and JSON body.
 */
const run = promisify(execFile);

export interface SignedAnswer<Body = unknown> {
  readonly status: number;
  readonly body: Body;
}

export interface BotocoreRequest {
  readonly url: string;
  /** Given to AWSRequest as `params`, which botocore encodes itself; otherwise the query is the URL's. */
  readonly params?: Record<string, string>;
  readonly headers?: Record<string, string>;
}

const BOTOCORE_SCRIPT = `
import json, sys, urllib.request, urllib.error
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
spec = json.load(sys.stdin)
answers = []
for r in spec['requests']:
    request = AWSRequest(method='GET', url=r['url'], params=r.get('params') or {}, headers=r.get('headers') or {})
    SigV4Auth(Credentials(spec['accessKeyId'], spec['secretAccessKey']), 'execute-api', 'us-east-1').add_auth(request)
    prepared = request.prepare()
    try:
        response = urllib.request.urlopen(urllib.request.Request(prepared.url, headers=dict(prepared.headers)))
        status, body = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, body = error.code, error.read()
    answers.append({'status': status, 'body': json.loads(body)})
print(json.dumps(answers))
`;

/** GET requests signed by botocore's SigV4Auth and sent with urllib, one after the other, in one Python process. */
export async function botocoreGets<Body = unknown>(requests: readonly BotocoreRequest[], as: PrincipalName = 'owner'): Promise<SignedAnswer<Body>[]> {
  const { accessKeyId, secretAccessKey } = principal(as);
  const child = run('python3', ['-c', BOTOCORE_SCRIPT]);
  child.child.stdin!.end(JSON.stringify({ requests, accessKeyId, secretAccessKey }));
  return JSON.parse((await child).stdout) as SignedAnswer<Body>[];
}

/** Signed by curl --aws-sigv4, which signs the headers given with -H and the URL as typed. */
export async function curlSigned<Body = unknown>(
  url: string,
  args: readonly string[] = [],
  as: PrincipalName = 'owner',
): Promise<SignedAnswer<Body>> {
  const { accessKeyId, secretAccessKey } = principal(as);
  const { stdout } = await run('curl', [
    '--silent',
    '--write-out',
    '\n%{http_code}',
    '--aws-sigv4',
    'aws:amz:us-east-1:execute-api',
    '--user',
    `${accessKeyId}:${secretAccessKey}`,
    ...args,
    url,
  ]);
  const at = stdout.lastIndexOf('\n');
  return { status: Number(stdout.slice(at + 1)), body: JSON.parse(stdout.slice(0, at)) as Body };
}
