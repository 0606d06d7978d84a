import { API_ROUTES, type ApiRoute } from '../../../../contract/routes.js';

const ROUTES: readonly ApiRoute[] = API_ROUTES;

/**
 * The contract's route a method and path (relative to the API's base URL, e.g. `v1/keys/k1`) call,
 * if any: the console forwards these, and nothing else. A placeholder takes one non-empty segment
 * that is not `.` or `..`, encoded or not, so that no forwarded path can climb to another.
 */
export function apiRoute(method: string, path: string): ApiRoute | undefined {
  const segments = path.split('/');
  return ROUTES.find((route) => route.method === method && matches(route.resource.slice(1).split('/'), segments));
}

const matches = (pattern: readonly string[], segments: readonly string[]): boolean =>
  pattern.length === segments.length && pattern.every((part, i) => (part.startsWith('{') ? isSegment(segments[i]!) : part === segments[i]));

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
