import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { handler } from '../lambdas/crypto.js';
import { HANDLER_ENV } from '../lambdas/config.js';
import type { DeployedMethod } from '../local/gateway/deployed-api.js';
import { lambdaContext, toProxyEvent } from '../local/gateway/proxy-event.js';
import { HANDLER_PROFILES, type HandlerFigures, type HandlerProfile, type HandlerProfileName, type HandlerRun } from './handler-time.js';
import { median } from './measure.js';

/**
 * Run by bench/handler-time.ts in a process of its own: invokes the crypto function's handler as the
 * local gateway does (a proxy event and a Lambda context), times each invocation alone, and counts
 * what the function wrote: its audit records, and its output (which Lambda sends to CloudWatch Logs).
 */
const { caller, keyId, rounds, roundMs } = JSON.parse(process.env.HANDLER_RUN!) as HandlerRun;
const auditFile = process.env[HANDLER_ENV.auditFile]!;
const print = process.stdout.write.bind(process.stdout);

/** The function's output while measuring: its bytes, and the custom metrics its EMF lines publish. */
const output = { counting: false, bytes: 0, metrics: new Set<string>() };
for (const stream of [process.stdout, process.stderr]) {
  stream.write = ((chunk: string | Uint8Array) => {
    const text = String(chunk);
    if (output.counting) output.bytes += Buffer.byteLength(text);
    for (const line of text.split('\n').filter((line) => line.includes('"_aws"'))) for (const metric of emfMetrics(line)) output.metrics.add(metric);
    return true;
  }) as typeof stream.write;
}

/** Each metric an EMF line publishes, as CloudWatch counts custom metrics: namespace, name and dimension values. */
function emfMetrics(line: string): string[] {
  const record = JSON.parse(line) as {
    _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] }[] };
  } & Record<string, unknown>;
  return record._aws.CloudWatchMetrics.flatMap(({ Namespace, Dimensions, Metrics }) =>
    Metrics.flatMap(({ Name }) =>
      Dimensions.map((set) => [Namespace, Name, ...set.map((dimension) => `${dimension}=${record[dimension]}`)].join('|')),
    ),
  );
}

const plaintext = randomBytes(1024).toString('base64');

async function invoke(resource: string, body: object): Promise<{ ms: number; body: Record<string, unknown> }> {
  // The gateway's event for the route: toProxyEvent reads only the method's resource path and id.
  const method = { resourcePath: resource, resourceId: 'bench' } as DeployedMethod;
  const event = toProxyEvent({
    matched: { method, pathParameters: null },
    method: 'POST',
    path: resource,
    query: new URLSearchParams(),
    headers: { 'content-type': 'application/json', 'user-agent': 'envelope-bench' },
    body: Buffer.from(JSON.stringify(body)),
    principal: caller,
    sourceIp: '127.0.0.1',
    stage: 'local',
  });
  const context = lambdaContext('envelope-api-crypto', randomUUID(), 29_000);
  const start = performance.now();
  const response = await handler(event, context);
  const ms = performance.now() - start;
  if (response.statusCode !== 200) throw new Error(`${resource} answered ${response.statusCode}: ${response.body}`);
  return { ms, body: JSON.parse(response.body) as Record<string, unknown> };
}

const { body: sealed } = await invoke('/v1/encrypt', { keyId, plaintext });
const bodies: Record<HandlerProfileName, object> = {
  singleEncrypt: { keyId, plaintext },
  singleDecrypt: { ciphertext: sealed.ciphertext },
  batchEncrypt100: { keyId, items: Array.from({ length: 100 }, () => ({ plaintext })) },
  batchEncrypt1000: { keyId, items: Array.from({ length: 1000 }, () => ({ plaintext })) },
  dataKey: { keyId },
};

const auditBytes = () => (existsSync(auditFile) ? statSync(auditFile).size : 0);

/** Invokes the route back to back for `ms`: the handler's time per request, and what it wrote. */
async function roundOf(name: HandlerProfileName, ms: number) {
  const { resource } = HANDLER_PROFILES[name];
  const [auditBefore, outputBefore] = [auditBytes(), output.bytes];
  let [count, handlerMs] = [0, 0];
  for (const start = performance.now(); performance.now() - start < ms || count === 0; count++)
    handlerMs += (await invoke(resource, bodies[name])).ms;
  return { count, msPerRequest: handlerMs / count, audit: auditBytes() - auditBefore, output: output.bytes - outputBefore };
}

const names = Object.keys(HANDLER_PROFILES) as HandlerProfileName[];
for (const name of names) await roundOf(name, roundMs / 2); // warm: the JIT, the data-key cache
output.counting = true;
const measured = Object.fromEntries(names.map((name) => [name, [] as Awaited<ReturnType<typeof roundOf>>[]]));
// Interleaved, so that a machine getting busier or quieter weighs on every profile alike.
for (let round = 0; round < rounds; round++) for (const name of names) measured[name]!.push(await roundOf(name, roundMs));

const profile = (name: HandlerProfileName): HandlerProfile => {
  const all = measured[name]!;
  const count = all.reduce((sum, r) => sum + r.count, 0);
  return {
    items: HANDLER_PROFILES[name].items,
    msPerRequest: median(all.map((r) => r.msPerRequest)),
    auditBytesPerRequest: all.reduce((sum, r) => sum + r.audit, 0) / count,
    logBytesPerRequest: all.reduce((sum, r) => sum + r.output, 0) / count,
  };
};
const figures: HandlerFigures = {
  profiles: Object.fromEntries(names.map((name) => [name, profile(name)])) as HandlerFigures['profiles'],
  customMetrics: output.metrics.size,
};
print(`${JSON.stringify(figures)}\n`);
