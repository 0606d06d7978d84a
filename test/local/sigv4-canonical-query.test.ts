import { execFileSync } from 'node:child_process';
import { get as httpGet } from 'node:http';
import { Hash } from '@smithy/core/serde';
import { SignatureV4 } from '@smithy/signature-v4';
import { beforeAll, describe, expect, it } from 'vitest';
import { canonicalQueryString, canonicalUri } from '../../local/gateway/sigv4-verifier.js';
import { runtimeForFile } from '../support/in-process-runtime.js';
import { botocoreGets, curlSigned } from '../support/other-signers.js';
import { clientFor, principal, signedHeaders } from '../support/principals.js';

/**
 * Signed requests whose query values and path segments hold reserved and non-ASCII characters are
 * accepted exactly when API Gateway accepts them. AWS checks a signature over the canonical request
 * it builds from the request as received: each query name and value decoded (`+` as a space), then
 * URI-encoded (RFC 3986 unreserved characters alone left as they are) and sorted; the path encoded
 * once more as sent ("Create a signed AWS API request", IAM user guide). Three signers sign against
 * the local runtime: the AWS SDK for JavaScript's SignatureV4 (as the project's client does),
 * botocore, and curl's --aws-sigv4. Where a signer signs something else than AWS canonicalizes,
 * the test shows the refusal that API Gateway answers too. The handlers are the real ones: a
 * listing by tag finds the key whose tag the decoded value names, and `alias%2F…` finds the alias.
 */
const runtime = runtimeForFile({ ENVELOPE_CACHE_MAX_AGE_SECONDS: '60' });
const owner = principal('owner');
/** Every character KMS tag rules allow besides letters and digits, and letters beyond ASCII. */
const SCOPE = 'a/b@c+d=e f:g_é日本';
/**
 * A key reference with the characters a path segment may carry. It is neither a key id nor an
 * alias, so the handler answers 400: past the signature check, which would answer 403.
 */
const ODD_KEY = 'x~y:z/@+= é日本';
const notAKeyReference = {
  status: 400,
  body: { error: { code: 'ValidationError', message: expect.stringContaining('must be a key id (UUID) or alias/<name>') } },
};
const ALIAS = 'sigv4-canonical';
let keyId: string;

beforeAll(async () => {
  const client = clientFor(runtime().apiUrl, 'owner');
  keyId = (await client.createKey({ alias: ALIAS, tags: { team: 'payments', scope: SCOPE, note: 'two words' } })).keyId;
});

interface Answer {
  readonly status: number;
  readonly body: { keys?: { keyId: string }[]; error?: { code: string; message: string } };
}

/** The key ids a listing answered, or the error. */
const listed = ({ body }: Answer) => body.keys?.map((key) => key.keyId) ?? body.error;

/** RFC 3986 encoding, as the AWS SDKs' HTTP handlers write a query (@smithy's escapeUri). */
const rfc3986 = (value: string) => encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/**
 * Signs with @smithy/signature-v4 over the decoded query and the path as it goes on the wire (as
 * the project's client does), then sends exactly `target`; `tamper` changes the target after signing.
 */
async function sdk(method: string, target: string, { tamper = (t: string) => t } = {}): Promise<Answer> {
  const url = new URL(target, runtime().apiUrl);
  const headers = await signedHeaders('owner', method, url);
  return answerOf(await fetch(new URL(tamper(target), runtime().apiUrl), { method, headers }));
}

async function answerOf(response: Response): Promise<Answer> {
  return { status: response.status, body: JSON.parse(await response.text()) };
}

/** botocore's SigV4Auth over an AWSRequest (with `params`, or the query in `url`), sent with urllib. */
async function botocore(url: string, params?: Record<string, string>): Promise<Answer> {
  const [answer] = await botocoreGets<Answer['body']>([{ url: `${runtime().apiUrl}${url}`, params }]);
  return answer!;
}

/** curl --aws-sigv4, with the URL (and any other arguments) as a person would type them. */
const curl = (target: string, ...args: string[]): Promise<Answer> => curlSigned<Answer['body']>(`${runtime().apiUrl}${target}`, args);

const CURL_MAJOR_VERSION = Number(/^curl (\d+)\./.exec(execFileSync('curl', ['--version']).toString())?.[1]);

/** The refusal API Gateway answers a signature computed over another canonical request. */
const signatureRefusal = () => ({
  status: 403,
  body: {
    error: {
      code: 'AccessDenied',
      message: expect.stringContaining('The request signature we calculated does not match the signature you provided.'),
    },
  },
});

describe('the canonical request, by the rules of "Create a signed AWS API request"', () => {
  it.each([
    ['names sorted, then values of one name', 'b=2&a=3&a=1', 'a=1&a=3&b=2'],
    ['reserved characters percent-encoded in uppercase', 'tag=m:abc/@=', 'tag=m%3Aabc%2F%40%3D'],
    ['a value sent raw and percent-encoded alike', 'tag=m%3Aabc', 'tag=m%3Aabc'],
    ['lowercase escapes in uppercase', 'tag=m%3aabc', 'tag=m%3Aabc'],
    ['unreserved characters as they are, even when sent encoded', 'v=A-z_0.9%7E~', 'v=A-z_0.9~~'],
    ['a space as %20, whether sent as %20 or +', 'q=a%20b+c', 'q=a%20b%20c'],
    ['a plus sign sent as %2B kept as one', 'q=a%2Bb', 'q=a%2Bb'],
    ['UTF-8 bytes, each escaped', 'q=%C3%A9%E6%97%A5', 'q=%C3%A9%E6%97%A5'],
    ['a byte that is no UTF-8, kept as that byte ("URI-encode every byte")', 'q=%FF', 'q=%FF'],
    ['a parameter without = given an empty value', 'flag&a=1', 'a=1&flag='],
    ['a lone % taken literally', 'q=100%', 'q=100%25'],
  ])('%s', (_, sent, canonical) => {
    expect(canonicalQueryString(sent)).toBe(canonical);
  });

  it('reads a decoded query the same as the query it was sent as', () => {
    expect(canonicalQueryString({ tag: 'm:abc', q: ['a b', 'a+b'] })).toBe(canonicalQueryString('tag=m:abc&q=a+b&q=a%2Bb'));
  });

  it.each([
    ['/', '/'],
    ['/v1/keys', '/v1/keys'],
    ['/v1/keys/alias%2Fteam', '/v1/keys/alias%252Fteam'],
    ['/v1/keys/x:y@z+w', '/v1/keys/x%3Ay%40z%2Bw'],
    ['/v1//keys/./a/../b/', '/v1/keys/b/'],
  ])('encodes the path %s once more as %s', (sent, canonical) => {
    expect(canonicalUri(sent)).toBe(canonical);
  });
});

describe('signed by the AWS SDK for JavaScript (SignatureV4)', () => {
  it("lists by a tag with reserved and non-ASCII characters, through the project's client", async () => {
    const client = clientFor(runtime().apiUrl, 'owner');
    expect((await client.listKeys({ tag: `scope:${SCOPE}` })).keys.map((key) => key.keyId)).toEqual([keyId]);
    expect((await client.listKeys({ tag: 'team:payments', limit: 1 })).keys.map((key) => key.keyId)).toEqual([keyId]);
  });

  it.each([
    ['URLSearchParams writes it (a space as +)', new URLSearchParams({ tag: `scope:${SCOPE}` }).toString()],
    ['the SDKs write it (RFC 3986)', `tag=${rfc3986(`scope:${SCOPE}`)}`],
    ['typed raw', 'tag=team:payments'],
    ['percent-encoded', 'tag=team%3Apayments'],
    ['percent-encoded in lowercase', 'tag=team%3apayments'],
  ])('accepts the query as %s, and the handler reads the decoded value', async (_, query) => {
    expect(listed(await sdk('GET', `/v1/keys?limit=10&${query}`))).toEqual([keyId]);
  });

  it('reads a + on the wire as a space, as AWS does: the SDK signs the space that URLSearchParams sends as +', async () => {
    expect(listed(await sdk('GET', '/v1/keys?tag=note:two+words'))).toEqual([keyId]);
  });

  it('accepts ~ sent as it is or encoded', async () => {
    expect(listed(await sdk('GET', '/v1/keys?tag=team:pay~ments'))).toEqual([]);
    expect(listed(await sdk('GET', '/v1/keys?tag=team:pay%7Ements'))).toEqual([]);
  });

  it('accepts path segments with reserved and non-ASCII characters, encoded or not, and the handler reads alias%2F… as alias/…', async () => {
    expect(await sdk('GET', `/v1/keys/${encodeURIComponent(ODD_KEY)}`)).toMatchObject(notAKeyReference);
    expect(await sdk('GET', '/v1/keys/x:y@z+w=v~')).toMatchObject(notAKeyReference);
    expect(await sdk('GET', `/v1/keys/alias%2F${ALIAS}`)).toMatchObject({ status: 200, body: { keyId } });
    expect((await clientFor(runtime().apiUrl, 'owner').getKey(`alias/${ALIAS}`)).keyId).toBe(keyId);
  });

  it('refuses a query changed after signing', async () => {
    const tampered = await sdk('GET', '/v1/keys?tag=team:payments', { tamper: (target) => target.replace('payments', 'platform') });
    expect(tampered).toMatchObject(signatureRefusal());
    expect(tampered.body.error!.message).toContain('\ntag=team%3Aplatform\n');
  });

  it('refuses a literal + signed as a plus sign but sent raw, which AWS reads as a space', async () => {
    const url = new URL('/v1/keys?tag=note:two%2Bwords', runtime().apiUrl);
    const headers = await signedHeaders('owner', 'GET', url);
    const sentRaw = await fetch(new URL('/v1/keys?tag=note:two+words', runtime().apiUrl), { headers });
    expect(await answerOf(sentRaw)).toMatchObject(signatureRefusal());
  });

  it('refuses a path signed encoded once (as S3 signs), where API Gateway signs it encoded twice', async () => {
    const url = new URL(`/v1/keys/alias%2F${ALIAS}`, runtime().apiUrl);
    const signer = new SignatureV4({
      credentials: owner,
      region: 'us-east-1',
      service: 'execute-api',
      sha256: Hash.bind(null, 'sha256'),
      uriEscapePath: false,
    });
    const { headers } = await signer.sign({
      method: 'GET',
      protocol: 'http:',
      hostname: url.hostname,
      port: Number(url.port),
      path: url.pathname,
      headers: { host: url.host },
    });
    expect(await answerOf(await fetch(url, { headers }))).toMatchObject(signatureRefusal());
  });
});

describe('signed by botocore (SigV4Auth)', () => {
  it('accepts params, which botocore signs RFC 3986-encoded and sends form-encoded (a space as +, a plus sign as %2B)', async () => {
    expect(listed(await botocore('/v1/keys', { tag: `scope:${SCOPE}` }))).toEqual([keyId]);
    expect(listed(await botocore('/v1/keys', { tag: 'note:two words', limit: '5' }))).toEqual([keyId]);
  });

  it('accepts a query written into the URL RFC 3986-encoded, which botocore signs as written', async () => {
    expect(listed(await botocore(`/v1/keys?limit=5&tag=${rfc3986(`scope:${SCOPE}`)}`))).toEqual([keyId]);
    expect(listed(await botocore('/v1/keys?limit=5&tag=team%3A%FF'))).toEqual([]);
  });

  it('refuses a query written into the URL with reserved characters unencoded: botocore signs them as written, AWS encodes them', async () => {
    expect(await botocore('/v1/keys?tag=team:payments')).toMatchObject(signatureRefusal());
  });

  it('accepts a path written percent-encoded, which botocore encodes once more', async () => {
    expect(await botocore(`/v1/keys/${rfc3986(ODD_KEY)}`)).toMatchObject(notAKeyReference);
    expect(await botocore(`/v1/keys/alias%2F${ALIAS}`)).toMatchObject({ status: 200, body: { keyId } });
  });
});

describe('signed by curl --aws-sigv4', () => {
  it('accepts a query typed as AWS canonicalizes it: sorted, and encoded in uppercase', async () => {
    expect(listed(await curl(`/v1/keys?limit=5&tag=${rfc3986(`scope:${SCOPE}`)}`))).toEqual([keyId]);
    expect(listed(await curl('/v1/keys?limit=1&tag=team%3Apayments'))).toEqual([keyId]);
  });

  it('accepts a path of unreserved characters', async () => {
    expect(await curl(`/v1/keys/${keyId}`)).toMatchObject({ status: 200, body: { keyId } });
  });

  /*
   * curl before 8 signs the path and query exactly as typed: it neither encodes nor sorts them
   * (https://github.com/curl/curl/issues/11794: Neptune refused `graph=urn:uuid:…` signed so).
   * API Gateway canonicalizes what it receives, so it refuses these; so does the local gateway.
   */
  describe.runIf(CURL_MAJOR_VERSION < 8)('curl 7, which signs the request target as typed', () => {
    it.each([
      ['reserved characters typed raw (tag=team:payments)', ['/v1/keys?limit=1&tag=team:payments']],
      ['parameters out of order', ['/v1/keys?tag=team%3Apayments&limit=1']],
      ['--data-urlencode, which writes lowercase escapes and + for a space', ['/v1/keys', '--get', '--data-urlencode', `tag=scope:${SCOPE}`]],
      ['a path segment percent-encoded (alias%2F…), which AWS encodes once more', [`/v1/keys/alias%2F${ALIAS}`]],
    ])('refuses %s', async (_, [target, ...args]) => {
      expect(await curl(target!, ...args)).toMatchObject(signatureRefusal());
    });
  });
});

describe('a signed header sent more than once', () => {
  /** Sends `x-amz-meta-team` as one line per value: SigV4 signs them as one, joined with bare commas. */
  async function withRepeatedHeader(signedValue: string): Promise<Answer> {
    const url = new URL(`/v1/keys/${keyId}`, runtime().apiUrl);
    const headers = await signedHeaders('owner', 'GET', url, { headers: { 'x-amz-meta-team': signedValue } });
    // node:http writes an array as one line per value (fetch would join them into one line).
    const sent = { ...headers, 'x-amz-meta-team': ['payments', 'platform'] };
    return new Promise((resolve, reject) => {
      httpGet(url, { headers: sent }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode!, body: JSON.parse(Buffer.concat(chunks).toString()) }));
      }).on('error', reject);
    });
  }

  it('verifies when the values were signed joined with a comma', async () => {
    expect(await withRepeatedHeader('payments,platform')).toMatchObject({ status: 200, body: { keyId } });
  });

  it('refuses a signature over values joined otherwise', async () => {
    expect(await withRepeatedHeader('payments, platform')).toMatchObject(signatureRefusal());
  });
});
