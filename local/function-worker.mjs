// One Lambda function's execution environment: a worker thread with its own environment variables
// (its role's credentials among them) and its own module instances, so functions share nothing,
// as in Lambda. Plain JavaScript, because it registers the TypeScript loader for what it imports.
import { parentPort, workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { shiftClock } = await import(new URL('./clock.ts', import.meta.url).href);
shiftClock(workerData.clockOffsetMs ?? 0);
const { handler } = await import(workerData.entry);
const { lambdaContext } = await import(new URL('./gateway/proxy-event.ts', import.meta.url).href);

// A text body goes over encoded, its bytes moved rather than copied: the gateway's thread, which
// serves every request, then writes them as they are instead of decoding a copy and encoding it.
const encoder = new TextEncoder();
function reply(id, result) {
  if (typeof result?.body !== 'string' || result.isBase64Encoded) return parentPort.postMessage({ id, result });
  const { body, ...rest } = result;
  const bodyBytes = encoder.encode(body);
  parentPort.postMessage({ id, result: rest, bodyBytes }, [bodyBytes.buffer]);
}

parentPort.on('message', async ({ id, event }) => {
  try {
    const context = lambdaContext(workerData.functionName, event.requestContext?.requestId ?? String(id), workerData.timeoutMs);
    reply(id, await handler(event, context));
  } catch (error) {
    parentPort.postMessage({ id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  }
});
parentPort.postMessage({ ready: true });
