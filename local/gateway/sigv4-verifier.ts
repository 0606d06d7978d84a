import { createHash, timingSafeEqual } from 'node:crypto';
import { Hash } from '@smithy/core/serde';
import { ALGORITHM_IDENTIFIER, createScope, getCanonicalHeaders, getPayloadHash, prepareRequest, SignatureV4 } from '@smithy/signature-v4';
import type { HttpRequest } from '@smithy/types';

/** node:crypto's SHA-256, the hash the AWS SDK for Node signs with (pure-JS SHA-256 is several times slower). */
const Sha256Hash = Hash.bind(null, 'sha256');

/** A request as received, with the raw (still percent-encoded) path. */
export interface IncomingSignedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Record<string, string | string[]>;
  readonly headers: Record<string, string>;
  readonly body: Buffer;
}

/** Anyone with long-term credentials: a caller, a function role, a key administrator. */
export interface Credentialed {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
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

const AUTH_PATTERN =
  /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/;
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
    if (!principal) return refuse('UnrecognizedClientException', 'The security token included in the request is invalid.');
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
    if (declaredHash !== undefined && declaredHash !== createHash('sha256').update(request.body).digest('hex')) {
      return refuse('InvalidSignatureException', "The provided 'x-amz-content-sha256' header does not match what was computed.");
    }
    // Clients differ on whether the canonical path is escaped once or twice; accept either.
    for (const uriEscapePath of [true, false]) {
      const expected = await this.signature(principal, request, signedHeaders, signingDate, uriEscapePath);
      if (safeEqual(expected, signature!)) return { ok: true, principal };
    }
    // As AWS does, the refusal shows what the service signed, for the caller to compare with theirs.
    const { canonicalRequest, stringToSign } = await this.signer(principal, true).canonicalStrings(
      this.toSign(request, signedHeaders),
      new Set(signedHeaders),
      signingDate,
    );
    return refuse(
      'InvalidSignatureException',
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. ' +
        'Consult the service documentation for details.\n\n' +
        `The Canonical String for this request should have been\n'${canonicalRequest}'\n\n` +
        `The String-to-Sign should have been\n'${stringToSign}'\n`,
    );
  }

  private async signature(
    principal: Credentialed,
    request: IncomingSignedRequest,
    signedHeaders: string[],
    signingDate: Date,
    uriEscapePath: boolean,
  ): Promise<string> {
    const signed = await this.signer(principal, uriEscapePath).sign(this.toSign(request, signedHeaders), {
      signingDate,
      signableHeaders: new Set(signedHeaders),
    });
    return /Signature=([0-9a-f]{64})/.exec(signed.headers.authorization ?? '')?.[1] ?? '';
  }

  private signer(principal: Credentialed, uriEscapePath: boolean): ExplainingSigner {
    return new ExplainingSigner({
      credentials: { accessKeyId: principal.accessKeyId, secretAccessKey: principal.secretAccessKey },
      region: this.region,
      service: this.service,
      sha256: Sha256Hash,
      uriEscapePath,
      // Sign exactly the headers the caller signed: add no payload-hash header of our own.
      applyChecksum: false,
    });
  }

  /** The request as the caller signed it: the headers it names, and nothing else. */
  private toSign(request: IncomingSignedRequest, signedHeaders: string[]): HttpRequest {
    const headers = Object.fromEntries(signedHeaders.map((name) => [name, request.headers[name] ?? '']));
    const [hostname = '', port] = (request.headers.host ?? '').split(':');
    return {
      method: request.method,
      protocol: 'http:',
      hostname,
      port: port ? Number(port) : undefined,
      path: request.path,
      query: request.query,
      headers,
      body: request.body.length > 0 ? request.body : undefined,
    };
  }
}

/** A signer that also tells what it signs: the canonical request and the string to sign, as `sign` builds them. */
class ExplainingSigner extends SignatureV4 {
  async canonicalStrings(
    requestToSign: HttpRequest,
    signableHeaders: Set<string>,
    signingDate: Date,
  ): Promise<{ canonicalRequest: string; stringToSign: string }> {
    const request = prepareRequest(requestToSign);
    const { longDate, shortDate } = this.formatDate(signingDate);
    request.headers['x-amz-date'] = longDate;
    const payloadHash = await getPayloadHash(request, this.sha256);
    const canonicalRequest = this.createCanonicalRequest(request, getCanonicalHeaders(request, undefined, signableHeaders), payloadHash);
    const scope = createScope(shortDate, await this.regionProvider(), this.service);
    return { canonicalRequest, stringToSign: await this.createStringToSign(longDate, scope, canonicalRequest, ALGORITHM_IDENTIFIER) };
  }
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
