import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

/** A segment or subsegment document as the X-Ray SDK sends it to the daemon. */
export interface TraceDocument {
  readonly name: string;
  readonly id: string;
  readonly trace_id?: string;
  readonly parent_id?: string;
  readonly type?: string;
  readonly namespace?: string;
  readonly annotations?: Readonly<Record<string, string | number | boolean>>;
  readonly aws?: Readonly<Record<string, unknown>>;
  readonly error?: boolean;
  readonly fault?: boolean;
  readonly throttle?: boolean;
  readonly subsegments?: readonly TraceDocument[];
}

/**
 * A stand-in for the X-Ray daemon: a UDP socket that keeps every datagram the SDK sends it (a
 * header line, then one segment document), as Lambda's daemon receives them.
 */
export interface XRayDaemon {
  /** `host:port`, for `AWS_XRAY_DAEMON_ADDRESS`. */
  readonly address: string;
  /** Every datagram received so far, as text. */
  readonly datagrams: readonly string[];
  /** The documents received so far (from the `from`th datagram on), with the subsegments nested in them, flattened. */
  documents(from?: number): TraceDocument[];
  close(): Promise<void>;
}

export async function startXRayDaemon(): Promise<XRayDaemon> {
  const socket = createSocket('udp4');
  const datagrams: string[] = [];
  socket.on('message', (message) => datagrams.push(message.toString('utf8')));
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address() as AddressInfo;
  return {
    address: `127.0.0.1:${port}`,
    datagrams,
    documents: (from = 0) =>
      datagrams.slice(from).flatMap((datagram) => flatten(JSON.parse(datagram.slice(datagram.indexOf('\n') + 1)) as TraceDocument)),
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

const flatten = (document: TraceDocument): TraceDocument[] => [document, ...(document.subsegments ?? []).flatMap(flatten)];

/** A sampled trace header as Lambda sets `_X_AMZN_TRACE_ID` for an invocation under active tracing. */
export function sampledTraceHeader(): { readonly root: string; readonly header: string } {
  const root = `1-${Math.floor(Date.now() / 1000).toString(16)}-${randomBytes(12).toString('hex')}`;
  return { root, header: `Root=${root};Parent=${randomBytes(8).toString('hex')};Sampled=1` };
}

/**
 * What Lambda adds to a function's environment that turns Powertools Tracer on (it is off
 * anywhere else): the execution environment, the handler, the invocation's trace header and the
 * daemon's address. Tracer reads them when it is created, so they must be there before the
 * handler's module is imported: give them to a function's worker (`startFunctions`).
 */
export function lambdaTracingEnvironment(functionName: string, daemon: XRayDaemon, traceHeader: string): Record<string, string> {
  return {
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
    AWS_LAMBDA_FUNCTION_NAME: functionName,
    LAMBDA_TASK_ROOT: fileURLToPath(new URL('../../', import.meta.url)),
    _HANDLER: 'index.handler',
    _X_AMZN_TRACE_ID: traceHeader,
    AWS_XRAY_DAEMON_ADDRESS: daemon.address,
    POWERTOOLS_TRACE_ENABLED: 'true',
  };
}
