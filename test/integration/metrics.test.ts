import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { METRIC_DIMENSIONS, METRIC_NAMES, METRICS_NAMESPACE } from '../../lambdas/http/metrics.js';
import { runtimeForFile } from '../support/in-process-runtime.js';
import { clientFor, failure } from '../support/principals.js';

/** One EMF line as CloudWatch reads it: the metric definitions under `_aws`, values and dimensions beside. */
interface EmfLine {
  readonly _aws: {
    readonly CloudWatchMetrics: readonly {
      readonly Namespace: string;
      readonly Dimensions: string[][];
      readonly Metrics: { Name: string; Unit: string }[];
    }[];
  };
  readonly [key: string]: unknown;
}

/**
 * The handlers run in the local runtime's worker threads, whose standard output Node forwards to
 * this thread's `process.stdout`: the EMF lines are read there, as CloudWatch reads them from a
 * function's log stream.
 */
class EmfCapture {
  private readonly lines: EmfLine[] = [];
  private buffered = '';

  start(): void {
    const write = process.stdout.write.bind(process.stdout);
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array, ...rest: unknown[]) => {
      this.take(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return write(chunk, ...(rest as []));
    });
  }

  /** The next line of the service's namespace for `operation` (waiting for the worker's output). */
  async next(operation: string): Promise<EmfLine> {
    return this.waitFor((line) => line[METRIC_DIMENSIONS.operation] === operation);
  }

  async waitFor(matches: (line: EmfLine) => boolean): Promise<EmfLine> {
    for (let waited = 0; waited < 5000; waited += 20) {
      const index = this.lines.findIndex(matches);
      if (index >= 0) return this.lines.splice(index, 1)[0]!;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error('No matching EMF line was written.');
  }

  private take(text: string): void {
    const parts = (this.buffered + text).split('\n');
    this.buffered = parts.pop() ?? '';
    for (const part of parts) {
      const line = parseJson(part);
      if (line?._aws?.CloudWatchMetrics?.[0]?.Namespace === METRICS_NAMESPACE) this.lines.push(line);
    }
  }
}

function parseJson(text: string): EmfLine | undefined {
  try {
    return JSON.parse(text) as EmfLine;
  } catch {
    return undefined;
  }
}

const metricNames = (line: EmfLine) => line._aws.CloudWatchMetrics[0]!.Metrics.map((m) => m.Name);
const { service, operation, errorCode } = METRIC_DIMENSIONS;
const { kms, dynamoDb } = METRIC_NAMES;

const runtime = runtimeForFile();
let emf: EmfCapture;
beforeEach(() => {
  emf = new EmfCapture();
  emf.start();
});
afterEach(() => {
  vi.restoreAllMocks();
});

describe('metrics (EMF on standard output, as in Lambda)', () => {
  it('counts a request with its route, its KMS call and its DynamoDB calls, per route and for the whole service', async () => {
    await clientFor(runtime().apiUrl, 'owner').createKey();
    const line = await emf.next('POST /v1/keys');
    expect(line._aws.CloudWatchMetrics[0]!.Dimensions).toEqual([[service, operation], [service]]);
    expect(line).toMatchObject({ [service]: 'envelope-api-local', [METRIC_NAMES.requests]: 1, [METRIC_NAMES.errors]: 0, [kms.calls]: 1 });
    expect(line[kms.latency]).toEqual(expect.any(Number));
    expect(line[dynamoDb.calls]).toBeGreaterThanOrEqual(1);
    expect(metricNames(line)).not.toContain(kms.throttles);
  });

  it('counts a data-key cache miss, which unwraps through KMS, then a hit as one, which does not', async () => {
    const owner = clientFor(runtime().apiUrl, 'owner');
    const { keyId } = await owner.createKey();
    await owner.encrypt(keyId, 'first');
    const cold = await emf.next('POST /v1/encrypt');
    expect(cold).toMatchObject({ [METRIC_NAMES.cacheMisses]: 1, [kms.calls]: 1 });
    expect(metricNames(cold)).not.toContain(METRIC_NAMES.cacheHits);

    await owner.encrypt(keyId, 'second');
    const warm = await emf.next('POST /v1/encrypt');
    expect(warm).toMatchObject({ [METRIC_NAMES.requests]: 1, [METRIC_NAMES.cacheHits]: 1 });
    expect(metricNames(warm)).not.toContain(METRIC_NAMES.cacheMisses);
    expect(metricNames(warm)).not.toContain(kms.calls);
  });

  it("sums a batch's cache hits into one value and reports its size", async () => {
    const owner = clientFor(runtime().apiUrl, 'owner');
    const { keyId } = await owner.createKey();
    await owner.encrypt(keyId, 'warm the cache');
    await emf.next('POST /v1/encrypt');
    await owner.encryptMany(
      keyId,
      ['a', 'b', 'c'].map((text) => ({ plaintext: text })),
    );
    expect(await emf.next('POST /v1/encrypt')).toMatchObject({ [METRIC_NAMES.batchSize]: 3, [METRIC_NAMES.cacheHits]: 3 });
  });

  it('counts an error under its route, with its code as metadata and as the dimension of its own line', async () => {
    const answer = await failure(clientFor(runtime().apiUrl, 'owner').decrypt('ev2.not-a-ciphertext'));
    expect(answer.code).toBe('InvalidCiphertext');
    const line = await emf.next('POST /v1/decrypt');
    expect(line).toMatchObject({ [METRIC_NAMES.requests]: 1, [METRIC_NAMES.errors]: 1, [errorCode]: 'InvalidCiphertext' });
    expect(line._aws.CloudWatchMetrics[0]!.Dimensions).toEqual([[service, operation], [service]]);
    const byCode = await emf.waitFor((l) => l[errorCode] === 'InvalidCiphertext' && l[operation] === undefined);
    expect(byCode._aws.CloudWatchMetrics[0]!.Dimensions).toEqual([[service, errorCode]]);
    expect(byCode[METRIC_NAMES.errors]).toBe(1);
  });
});
