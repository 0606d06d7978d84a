// One Lambda function's execution environment: a worker thread with its own environment variables
// (its role's credentials among them) and its own module instances, so functions share nothing,
// as in Lambda. Plain JavaScript, because it registers the TypeScript loader for what it imports.
import { parentPort, workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { handler } = await import(workerData.entry);
const { lambdaContext } = await import(new URL('./gateway/proxy-event.ts', import.meta.url).href);

parentPort.on('message', async ({ id, event }) => {
  try {
    const context = lambdaContext(workerData.functionName, event.requestContext?.requestId ?? String(id), workerData.timeoutMs);
    parentPort.postMessage({ id, result: await handler(event, context) });
  } catch (error) {
    parentPort.postMessage({ id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  }
});
parentPort.postMessage({ ready: true });
