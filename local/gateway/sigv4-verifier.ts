import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * A request as received. The path and a raw query are the caller's bytes, still percent-encoded as
 * sent: the signature is checked over them as AWS canonicalizes them, not over a parser's reading.
 */
export interface IncomingSignedRequest {
  readonly method: string;
  readonly path: string;
  /** The query as sent (the text after `?`), or already decoded into names and values. */
  readonly query: string | Readonly<Record<string, string | readonly string[]>>;
  readonly headers: Record<string, string>;
  /** The body's bytes, whole or in the chunks they arrived in. */
  readonly body: Buffer | readonly Buffer[];
}

/** Anyone with credentials: a caller, a function role, a key administrator. */
export interface Credentialed {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /**
   * Temporary credentials' session token (an assumed role's, as STS issues them): every request
   * signed with them must carry it. Long-term credentials have none, and a request signed with them
   * that carries one is refused, as AWS refuses it.
   */
  readonly sessionToken?: string;
}

/** The exception AWS services name for each way a signature fails. */
export type SignatureFailure =
  | 'MissingAuthenticationTokenException'
  | 'IncompleteSignatureException'
  | 'UnrecognizedClientException'
  | 'InvalidSignatureException';

export type VerificationResult<P extends Credentialed = Credentialed> =
  | { ok: true; principal: P }
  | { ok: false; error: SignatureFailure; reason: string };

const refuse = (error: SignatureFailure, reason: string) => ({ ok: false, error, reason }) as const;

/** The HTTP status AWS's JSON services answer a signature failure with. */
export const signatureFailureStatus = (error: string): number => (error === 'MissingAuthenticationTokenException' ? 403 : 400);

/**
 * The request's session token is the principal's: none for long-term credentials, the very one
 * issued for temporary ones. A token counts wherever the caller put it, the `X-Amz-Security-Token`
 * header or the query parameter of that name ("Elements of an AWS API request signature", IAM
 * user guide), and every copy given must be that one.
 */
function tokenMatches({ sessionToken }: Credentialed, given: readonly string[]): boolean {
  if (sessionToken === undefined) return given.length === 0;
  const expected = Buffer.from(sessionToken);
  return (
    given.length > 0 &&
    given.every((token) => {
      const actual = Buffer.from(token);
      return expected.length === actual.length && timingSafeEqual(expected, actual);
    })
  );
}

/** Every session token the request carries: its `X-Amz-Security-Token` header and query parameters. */
function securityTokens(request: IncomingSignedRequest): string[] {
  const header = request.headers['x-amz-security-token'];
  const inQuery = queryParameters(request.query)
    .filter(([name]) => name.toString('utf8') === 'X-Amz-Security-Token')
    .map(([, value]) => value.toString('utf8'));
  return [...(header === undefined ? [] : [header]), ...inQuery];
}

/**
 * A signed header's name: any HTTP field name (an RFC 9110 token: letters, digits and
 * ``!#$%&'*+-.^_`|~``, https://www.rfc-editor.org/rfc/rfc9110#name-tokens), in lowercase, as the
 * canonical request writes it ("Create a signed AWS API request", IAM user guide: CanonicalHeaders
 * and SignedHeaders give the header names in lowercase, in alphabetical order, SignedHeaders
 * separated by semicolons,
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html).
 * The specification puts no other bound on them, and the signers send what the caller gives:
 * `x-amz-meta_foo`, `x.custom` or `x~tilde` are signed by the SDKs and botocore alike.
 */
const SIGNED_HEADER_NAME = "[a-z0-9!#$%&'*+.^_`|~-]+";
const AUTH_PATTERN = new RegExp(
  `^AWS4-HMAC-SHA256 Credential=([^/]+)/(\\d{8})/([^/]+)/([^/]+)/aws4_request, ?SignedHeaders=(${SIGNED_HEADER_NAME}(?:;${SIGNED_HEADER_NAME})*), ?Signature=([0-9a-f]{64})$`,
);
const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;

/**
 * Verifies AWS Signature Version 4 the way API Gateway's IAM auth does: the credential scope must
 * name this region and `execute-api`, the date must be within 15 minutes, and the signature must
 * match one recomputed with the principal's secret over the headers the caller signed.
 */
export class SigV4Verifier<P extends Credentialed = Credentialed> {
  private readonly byAccessKey: ReadonlyMap<string, P>;

  /** `principals` may be a live map by access key id, so identities can be added while it runs. */
  constructor(
    principals: readonly P[] | ReadonlyMap<string, P>,
    private readonly region: string,
    private readonly service = 'execute-api',
  ) {
    this.byAccessKey = Array.isArray(principals) ? new Map(principals.map((p) => [p.accessKeyId, p])) : (principals as ReadonlyMap<string, P>);
  }

  /**
   * Refuses with the messages AWS services answer each failure with ("Troubleshoot Signature
   * Version 4 signing for AWS API requests", IAM user guide), so that the caller sees what a
   * deployed service would tell them.
   */
  async verify(request: IncomingSignedRequest, now = new Date()): Promise<VerificationResult<P>> {
    const authorization = request.headers.authorization;
    if (authorization === undefined) return refuse('MissingAuthenticationTokenException', 'Missing Authentication Token');
    const match = AUTH_PATTERN.exec(authorization);
    const amzDate = request.headers['x-amz-date'];
    if (!match) return refuse('IncompleteSignatureException', incompleteSignature(authorization, amzDate));
    const [, accessKeyId, scopeDate, region, service, signedHeaderList, signature] = match as unknown as string[];
    const principal = this.byAccessKey.get(accessKeyId!);
    if (!principal || !tokenMatches(principal, securityTokens(request))) {
      return refuse('UnrecognizedClientException', 'The security token included in the request is invalid.');
    }
    if (region !== this.region) return refuse('InvalidSignatureException', `Credential should be scoped to a valid region, not '${region}'. `);
    if (service !== this.service) return refuse('InvalidSignatureException', `Credential should be scoped to correct service: '${this.service}'. `);
    const signingDate = parseAmzDate(amzDate);
    if (!signingDate) return refuse('IncompleteSignatureException', incompleteSignature(authorization, amzDate));
    const longDate = amzDate!;
    if (!longDate.startsWith(scopeDate!)) {
      return refuse(
        'InvalidSignatureException',
        `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${scopeDate}' != '${longDate.slice(0, 8)}', from '${longDate}'.`,
      );
    }
    const skewMinutes = MAX_CLOCK_SKEW_MS / 60_000;
    if (signingDate.getTime() < now.getTime() - MAX_CLOCK_SKEW_MS) {
      const earliest = amzDateOf(new Date(now.getTime() - MAX_CLOCK_SKEW_MS));
      return refuse(
        'InvalidSignatureException',
        `Signature expired: ${longDate} is now earlier than ${earliest} (${amzDateOf(now)} - ${skewMinutes} min.)`,
      );
    }
    if (signingDate.getTime() > now.getTime() + MAX_CLOCK_SKEW_MS) {
      const latest = amzDateOf(new Date(now.getTime() + MAX_CLOCK_SKEW_MS));
      return refuse(
        'InvalidSignatureException',
        `Signature not yet current: ${longDate} is still later than ${latest} (${amzDateOf(now)} + ${skewMinutes} min.)`,
      );
    }
    const signedHeaders = signedHeaderList!.split(';');
    if (!signedHeaders.includes('host')) {
      return refuse('InvalidSignatureException', "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
    }
    // A signed payload hash stands in for the body in the signature, so it must match the body.
    const declaredHash = request.headers['x-amz-content-sha256'];
    if (declaredHash !== undefined && declaredHash !== sha256Hex(request.body)) {
      return refuse('InvalidSignatureException', "The provided 'x-amz-content-sha256' header does not match what was computed.");
    }
    const signed = signingStrings(request, signedHeaders, longDate, `${scopeDate}/${region}/${service}/aws4_request`);
    if (safeEqual(signatureOf(principal.secretAccessKey, scopeDate!, region!, service!, signed.stringToSign), signature!))
      return { ok: true, principal };
    // As AWS does, the refusal shows what the service signed, for the caller to compare with theirs.
    return refuse(
      'InvalidSignatureException',
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. ' +
        'Consult the service documentation for details.\n\n' +
        `The Canonical String for this request should have been\n'${signed.canonicalRequest}'\n\n` +
        `The String-to-Sign should have been\n'${signed.stringToSign}'\n`,
    );
  }
}

/*
 * The canonical request as AWS builds it to check a signature, from the request as received:
 * "Create a signed AWS API request" and "Elements of an AWS API request signature" (IAM user guide,
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html,
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-signing-elements.html; formerly
 * https://docs.aws.amazon.com/general/latest/gr/sigv4-create-canonical-request.html).
 */

const ALGORITHM = 'AWS4-HMAC-SHA256';

/** The canonical request and the string to sign for the headers the caller signed. */
function signingStrings(
  request: IncomingSignedRequest,
  signedHeaders: readonly string[],
  longDate: string,
  scope: string,
): { canonicalRequest: string; stringToSign: string } {
  const names = [...signedHeaders].sort();
  const canonicalRequest = [
    request.method,
    canonicalUri(request.path),
    canonicalQueryString(request.query),
    ...names.map((name) => `${name}:${canonicalHeaderValue(headerValue(request.headers, name))}`),
    '',
    names.join(';'),
    request.headers['x-amz-content-sha256'] ?? sha256Hex(request.body),
  ].join('\n');
  return { canonicalRequest, stringToSign: [ALGORITHM, longDate, scope, sha256Hex(canonicalRequest)].join('\n') };
}

/**
 * A header's value by a name the caller chose (SignedHeaders): the request's own header only, so
 * that a name such as `constructor` or `__proto__` never reads what an object inherits. A signed
 * header the request does not carry signs as empty.
 */
function headerValue(headers: IncomingSignedRequest['headers'], name: string): string {
  return Object.hasOwn(headers, name) ? (headers[name] ?? '') : '';
}

/** HMAC-SHA256 of the string to sign, under the key derived from the secret for this date, region and service. */
function signatureOf(secret: string, shortDate: string, region: string, service: string, stringToSign: string): string {
  const key = [shortDate, region, service, 'aws4_request'].reduce<Buffer | string>((k, part) => hmac(k, part), `AWS4${secret}`);
  return createHmac('sha256', key).update(stringToSign).digest('hex');
}

/**
 * CanonicalURI for every service but S3: the path normalized (no empty, `.` or `..` segments) and
 * each segment URI-encoded once more as sent, so that a segment sent as `a%2Fb` is signed as
 * `a%252Fb` ("Each path segment must be URI-encoded twice (except for Amazon S3 which only gets
 * URI-encoded once)"). The SDKs (SignatureV4, botocore, Amplify) sign it so; a path signed encoded
 * once is refused, as AWS's non-S3 services refuse it
 * (https://github.com/aws/aws-sdk-js/issues/853: `/%3Fa=b%20c` must be signed as `/%253Fa%3Db%2520c`).
 */
export function canonicalUri(path: string): string {
  const segments: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '..') segments.pop();
    else if (segment !== '' && segment !== '.') segments.push(segment);
  }
  const trailingSlash = segments.length > 0 && path.endsWith('/') ? '/' : '';
  return `/${segments.map((segment) => uriEncode(Buffer.from(segment, 'utf8'))).join('/')}${trailingSlash}`;
}

/**
 * CanonicalQueryString: each name and value URI-encoded on its own, then sorted by name and, for
 * one name given several times, by value. A query as sent is decoded first, so that `tag=m:abc`
 * and `tag=m%3Aabc` both sign as `tag=m%3Aabc`. A `+` reads as a space, as form encoding writes it
 * (a plus sign itself goes as `%2B`, as every SDK sends it): botocore sends a space as `+` and
 * signs `%20`; Amplify, AWS's client for API Gateway, signs the query as `URLSearchParams` reads
 * it (aws-amplify/amplify-js, packages/core/src/clients/middleware/signing/signer/signatureV4/utils/getCanonicalQueryString.ts);
 * and API Gateway accepts `group_name=test+group` signed as `test%20group`
 * (https://github.com/tedder/requests-aws4auth/issues/54). A client that signs the query as typed
 * (curl before 8) is refused when that differs: https://github.com/curl/curl/issues/11794.
 */
export function canonicalQueryString(query: IncomingSignedRequest['query']): string {
  return queryParameters(query)
    .map(([name, value]) => [uriEncode(name), uriEncode(value)] as const)
    .sort(([nameA, valueA], [nameB, valueB]) => compare(nameA, nameB) || compare(valueA, valueB))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
}

/** The query's parameters as bytes; a parameter without `=` has an empty value. */
function queryParameters(query: IncomingSignedRequest['query']): [Buffer, Buffer][] {
  if (typeof query !== 'string') {
    return Object.entries(query).flatMap(([name, values]) =>
      (typeof values === 'string' ? [values] : values).map((value): [Buffer, Buffer] => [Buffer.from(name, 'utf8'), Buffer.from(value, 'utf8')]),
    );
  }
  return query
    .split('&')
    .filter((parameter) => parameter !== '')
    .map((parameter) => {
      const at = parameter.indexOf('=');
      return at === -1
        ? [percentDecode(parameter), Buffer.alloc(0)]
        : [percentDecode(parameter.slice(0, at)), percentDecode(parameter.slice(at + 1))];
    });
}

/** The bytes a query component stands for. A `%` without two hex digits after it stands for itself. */
function percentDecode(component: string): Buffer {
  const parts = component.match(/%[0-9A-Fa-f]{2}|[^%]+|%/g) ?? [];
  return Buffer.concat(
    parts.map((part) =>
      part.length === 3 && part.startsWith('%') ? Buffer.of(Number.parseInt(part.slice(1), 16)) : Buffer.from(part.replaceAll('+', ' '), 'utf8'),
    ),
  );
}

/** UriEncode(): every byte but the unreserved A-Z a-z 0-9 - . _ ~ as %XY, in uppercase hex (so a space is %20, never +). */
function uriEncode(bytes: Buffer): string {
  let encoded = '';
  for (const byte of bytes) {
    const char = String.fromCharCode(byte);
    encoded += /[A-Za-z0-9\-._~]/.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return encoded;
}

/** A header value trimmed, with each run of spaces as one, as the SDKs canonicalize it. */
function canonicalHeaderValue(value: string): string {
  return value
    .replace(/[\r\n]/g, ' ')
    .replace(/[ \t]+/g, ' ')
    .trim();
}

/** Code-point order: the encoded strings are ASCII, so this is byte order too. */
const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const hmac = (key: Buffer | string, data: string): Buffer => createHmac('sha256', key).update(data).digest();
function sha256Hex(data: Buffer | string | readonly Buffer[]): string {
  const hash = createHash('sha256');
  for (const part of typeof data === 'string' || Buffer.isBuffer(data) ? [data] : data) hash.update(part);
  return hash.digest('hex');
}

/**
 * AWS's answer to an Authorization header that is not a whole SigV4 one: each part it lacks, then
 * the header as received.
 */
function incompleteSignature(authorization: string, amzDate: string | undefined): string {
  const parameters = authorization.startsWith('AWS4-HMAC-SHA256 ') ? authorization.slice('AWS4-HMAC-SHA256 '.length).split(/, ?/) : [];
  const missing = ['Credential', 'Signature', 'SignedHeaders']
    .filter((name) => !parameters.some((parameter) => parameter.startsWith(`${name}=`)))
    .map((name) => `Authorization header requires '${name}' parameter.`);
  if (parseAmzDate(amzDate) === undefined) missing.push("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
  if (missing.length === 0) missing.push('Authorization header is not a valid AWS4-HMAC-SHA256 one.');
  return `${missing.join(' ')} Authorization=${authorization}`;
}

function amzDateOf(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

function parseAmzDate(value?: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value ?? '');
  return m ? new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`) : undefined;
}

function safeEqual(a: string, b: string): boolean {
  return a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
}
