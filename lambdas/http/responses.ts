import type { APIGatewayProxyResult } from 'aws-lambda';

/** 204: done, nothing to say. */
export const noContent = (): APIGatewayProxyResult => ({ statusCode: 204, headers: { 'cache-control': 'no-store' }, body: '' });

export function jsonResponse(statusCode: number, body: unknown, headers: Record<string, string> = {}): APIGatewayProxyResult {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers },
    body: JSON.stringify(body),
  };
}
