import type { ApiRoute } from '../../../../contract/routes.js';
import { routeAt } from '../routes.js';

/**
 * The contract's route a method and path (relative to the API's base URL, e.g. `v1/keys/k1`) call,
 * if any: the console forwards these, and nothing else. A placeholder takes one non-empty segment
 * that is not `.` or `..`, encoded or not, so that no forwarded path can climb to another.
 */
export const apiRoute = (method: string, path: string): ApiRoute | undefined => routeAt(method, path, isSegment);

function isSegment(raw: string): boolean {
  const value = decoded(raw);
  return value !== undefined && value !== '' && value !== '.' && value !== '..';
}

function decoded(raw: string): string | undefined {
  try {
    return decodeURIComponent(raw);
  } catch {
    return undefined;
  }
}
