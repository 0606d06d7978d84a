import { createHash, timingSafeEqual } from 'node:crypto';
import { Hash } from '@smithy/core/serde';
import { SignatureV4 } from '@smithy/signature-v4';
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

  async verify(request: IncomingSignedRequest, now = new Date()): Promise<VerificationResult<P>> {
    if (request.headers.authorization === undefined) return refuse('MissingAuthenticationTokenException', 'Missing Authentication Token.');
    const match = AUTH_PATTERN.exec(request.headers.authorization);
    if (!match) return refuse('IncompleteSignatureException', 'Malformed SigV4 Authorization header.');
    const [, accessKeyId, scopeDate, region, service, signedHeaderList, signature] = match as unknown as string[];
    const principal = this.byAccessKey.get(accessKeyId!);
    if (!principal) return refuse('UnrecognizedClientException', 'The security token included in the request is invalid.');
    if (region !== this.region || service !== this.service) {
      return refuse('InvalidSignatureException', `Credential scope must be ${this.region}/${this.service}.`);
    }
    const signingDate = parseAmzDate(request.headers['x-amz-date']);
    if (!signingDate?.toISOString().replaceAll('-', '').startsWith(scopeDate!)) {
      return refuse('IncompleteSignatureException', 'Missing or invalid X-Amz-Date header.');
    }
    if (Math.abs(now.getTime() - signingDate.getTime()) > MAX_CLOCK_SKEW_MS) {
      return refuse('InvalidSignatureException', 'Signature expired: the request time is more than 15 minutes from now.');
    }
    const signedHeaders = signedHeaderList!.split(';');
    if (!signedHeaders.includes('host')) return refuse('IncompleteSignatureException', 'The host header must be signed.');
    // A signed payload hash stands in for the body in the signature, so it must match the body.
    const declaredHash = request.headers['x-amz-content-sha256'];
    if (declaredHash !== undefined && declaredHash !== createHash('sha256').update(request.body).digest('hex')) {
      return refuse('InvalidSignatureException', 'The provided x-amz-content-sha256 header does not match what was computed.');
    }
    // Clients differ on whether the canonical path is escaped once or twice; accept either.
    for (const uriEscapePath of [true, false]) {
      const expected = await this.signature(principal, request, signedHeaders, signingDate, uriEscapePath);
      if (safeEqual(expected, signature!)) return { ok: true, principal };
    }
    return refuse('InvalidSignatureException', 'The request signature does not match the signature computed for these credentials.');
  }

  private async signature(
    principal: Credentialed,
    request: IncomingSignedRequest,
    signedHeaders: string[],
    signingDate: Date,
    uriEscapePath: boolean,
  ): Promise<string> {
    const signer = new SignatureV4({
      credentials: { accessKeyId: principal.accessKeyId, secretAccessKey: principal.secretAccessKey },
      region: this.region,
      service: this.service,
      sha256: Sha256Hash,
      uriEscapePath,
      // Sign exactly the headers the caller signed: add no payload-hash header of our own.
      applyChecksum: false,
    });
    const headers = Object.fromEntries(signedHeaders.map((name) => [name, request.headers[name] ?? '']));
    const [hostname = '', port] = (request.headers.host ?? '').split(':');
    const toSign: HttpRequest = {
      method: request.method,
      protocol: 'http:',
      hostname,
      port: port ? Number(port) : undefined,
      path: request.path,
      query: request.query,
      headers,
      body: request.body.length > 0 ? request.body : undefined,
    };
    const signed = await signer.sign(toSign, { signingDate, signableHeaders: new Set(signedHeaders) });
    return /Signature=([0-9a-f]{64})/.exec(signed.headers.authorization ?? '')?.[1] ?? '';
  }
}

function parseAmzDate(value?: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value ?? '');
  return m ? new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`) : undefined;
}

function safeEqual(a: string, b: string): boolean {
  return a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
}
