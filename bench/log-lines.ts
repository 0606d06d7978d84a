/**
 * The log lines of a request that the bench cannot capture, as they would be written: Lambda's own
 * lines for each invocation and API Gateway's access log line. Representative values (an id, a
 * duration, a caller); their sizes, not their contents, go into the cost model.
 */

const REQUEST_ID = '3f2b9c1e-7a4d-4e8b-9c0f-1a2b3c4d5e6f';

/** START, END and REPORT, in Lambda's text format, with the XRAY part active tracing adds to REPORT. */
export function lambdaPlatformLines(memoryMb: number): string[] {
  return [
    `START RequestId: ${REQUEST_ID} Version: $LATEST`,
    `END RequestId: ${REQUEST_ID}`,
    `REPORT RequestId: ${REQUEST_ID}\tDuration: 12.34 ms\tBilled Duration: 13 ms\tMemory Size: ${memoryMb} MB\tMax Memory Used: 118 MB\t`,
    'XRAY TraceId: 1-675f2a3b-0a1b2c3d4e5f6a7b8c9d0e1f\tSegmentId: 0a1b2c3d4e5f6a7b\tSampled: false\t',
  ];
}

/** Values of the `$context` variables an access log format may name; any other is written as `-`. */
const CONTEXT: Readonly<Record<string, string>> = {
  requestId: REQUEST_ID,
  'identity.sourceIp': '203.0.113.10',
  'identity.user': 'AROAEXAMPLEROLEID12345:app-session',
  'identity.caller': 'AROAEXAMPLEROLEID12345:app-session',
  requestTime: '05/Dec/2026:23:30:00 +0000',
  httpMethod: 'POST',
  resourcePath: '/v1/encrypt',
  status: '200',
  protocol: 'HTTP/1.1',
  responseLength: '250',
};

export const accessLogLine = (format: string): string => format.replace(/\$context\.([\w.]+)/g, (_, name: string) => CONTEXT[name] ?? '-');

/** Bytes of lines as CloudWatch Logs takes them, one event each. */
export const bytesOf = (lines: readonly string[]): number => lines.reduce((sum, line) => sum + Buffer.byteLength(line), 0);
