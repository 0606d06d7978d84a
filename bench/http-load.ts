import { randomBytes } from 'node:crypto';
import type { EnvelopeClient } from '../packages/client/src/index.js';
import { percentile } from './measure.js';

export interface HttpFigures {
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly singleItemsPerSecond: number;
  readonly batchItemsPerSecond: number;
}

/** `clients` loops sending requests for `ms`; returns latencies and the wall time. */
async function load(clients: number, ms: number, send: () => Promise<unknown>) {
  const latencies: number[] = [];
  const start = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() - start < ms) {
        const t0 = performance.now();
        await send();
        latencies.push(performance.now() - t0);
      }
    }),
  );
  return { latencies, seconds: (performance.now() - start) / 1000 };
}

/** Single 1 KiB encrypts from 16 concurrent clients, then 100-item batches, through the gateway. */
export async function measureHttp(client: EnvelopeClient, keyId: string, ms = 5000): Promise<HttpFigures> {
  const plaintext = randomBytes(1024);
  await client.encrypt(keyId, plaintext); // warm
  const single = await load(16, ms, () => client.encrypt(keyId, plaintext));
  const items = Array.from({ length: 100 }, () => ({ plaintext: plaintext.toString('base64') }));
  const batches = await load(16, ms, () => client.request('POST', 'v1/encrypt', { keyId, items }));
  const requestsPerSecond = single.latencies.length / single.seconds;
  return {
    requestsPerSecond,
    p50Ms: percentile(single.latencies, 50),
    p99Ms: percentile(single.latencies, 99),
    singleItemsPerSecond: requestsPerSecond,
    batchItemsPerSecond: (batches.latencies.length * 100) / batches.seconds,
  };
}
