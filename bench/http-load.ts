import { randomBytes } from 'node:crypto';
import type { EnvelopeClient } from '../packages/client/src/index.js';
import { fromEnv, median, percentile, type Spread, spread } from './measure.js';

export interface HttpFigures {
  /** Single 1 KiB encrypts, over every round. */
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Items per second of 100-item batches, the median round. */
  readonly batchItemsPerSecond: number;
  /** Batch items per second over single items per second, each round. */
  readonly batchVsSingle: Spread;
}

/** BENCH_HTTP_ROUNDS and BENCH_HTTP_MS for a quick run. */
const ROUNDS = fromEnv('BENCH_HTTP_ROUNDS', 5);
const ROUND_MS = fromEnv('BENCH_HTTP_MS', 3000);
const CLIENTS = 16;
const BATCH_ITEMS = 100;

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

/**
 * Single 1 KiB encrypts and 100-item batches through the gateway from 16 concurrent clients, in
 * rounds that alternate which goes first, so that a machine getting busier or quieter weighs on
 * both; the ratio is each round's, and the figure their median.
 */
export async function measureHttp(client: EnvelopeClient, keyId: string): Promise<HttpFigures> {
  const plaintext = randomBytes(1024);
  const items = Array.from({ length: BATCH_ITEMS }, () => ({ plaintext: plaintext.toString('base64') }));
  const single = () => load(CLIENTS, ROUND_MS, () => client.encrypt(keyId, plaintext));
  const batch = () => load(CLIENTS, ROUND_MS, () => client.request('POST', 'v1/encrypt', { keyId, items }));
  await client.encrypt(keyId, plaintext); // warm
  const latencies: number[] = [];
  const rounds: { single: number; batch: number }[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const [first, second] = round % 2 === 0 ? [single, batch] : [batch, single];
    const a = await first();
    const b = await second();
    const [singles, batches] = round % 2 === 0 ? [a, b] : [b, a];
    latencies.push(...singles.latencies);
    rounds.push({ single: singles.latencies.length / singles.seconds, batch: (batches.latencies.length * BATCH_ITEMS) / batches.seconds });
  }
  return {
    requestsPerSecond: median(rounds.map((r) => r.single)),
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    batchItemsPerSecond: median(rounds.map((r) => r.batch)),
    batchVsSingle: spread(rounds.map((r) => r.batch / r.single)),
  };
}
