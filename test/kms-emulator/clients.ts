import { KMSClient } from '@aws-sdk/client-kms';

/** The unmodified SDK client, without retries, so that a 5xx would show as a failure. */
export const kmsClient = (url: string, accessKeyId = 'test', region = 'us-east-1') =>
  new KMSClient({ endpoint: url, region, credentials: { accessKeyId, secretAccessKey: 'test' }, maxAttempts: 1 });

export interface RawAnswer {
  readonly status: number;
  readonly type: string;
  readonly message: string;
  readonly text: string;
}

/** A raw, unsigned JSON 1.1 request, for what the SDK would never send. */
export async function rawRequest(url: string, target: string, body: string): Promise<RawAnswer> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target }, body });
  const text = await response.text();
  const parsed = JSON.parse(text) as { __type?: string; message?: string };
  return { status: response.status, type: parsed.__type ?? '', message: parsed.message ?? '', text };
}

export const DAY_MS = 86_400_000;

/** A clock the test moves forward. */
export class TestClock {
  private time = Date.parse('2026-01-01T00:00:00Z');

  readonly now = () => new Date(this.time);

  advanceDays(days: number): Date {
    this.time += days * DAY_MS;
    return this.now();
  }
}
