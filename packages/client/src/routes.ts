import { API_ROUTES, type ApiRoute } from '../../../contract/routes.js';

type Operation = (typeof API_ROUTES)[number];
export type OperationId = Operation['operationId'];

/** The `{name}` placeholders of a resource path, as a union of names. */
type PlaceholdersOf<P extends string> = P extends `${string}{${infer Name}}${infer Rest}` ? Name | PlaceholdersOf<Rest> : never;
export type PathParams<Id extends OperationId> = Record<PlaceholdersOf<Extract<Operation, { operationId: Id }>['resource']>, string>;

/** A request's method and path (relative to the API's base URL), and whether the contract lets it carry an `Idempotency-Key`. */
export interface RequestLine {
  readonly method: string;
  readonly path: string;
  readonly idempotent: boolean;
}

const ROUTES: readonly ApiRoute[] = API_ROUTES;

/** The contract's operation, its placeholders filled with the params, each encoded as one path segment. */
export function operation<Id extends OperationId>(
  operationId: Id,
  ...[params]: keyof PathParams<Id> extends never ? [] : [PathParams<Id>]
): RequestLine {
  const route = ROUTES.find((candidate) => candidate.operationId === operationId)!;
  const values: Record<string, string> = params ?? {};
  const path = route.resource.slice(1).replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(values[name]!));
  return { method: route.method, path, idempotent: route.idempotent === true };
}

/** Any method and path, idempotent when the contract's route at that path is (`v1/keys/k1/rotate` is `POST /v1/keys/{key}/rotate`). */
export function requestLine(method: string, path: string): RequestLine {
  const route = routeAt(method, path.replace(/^\/+/, ''));
  return { method, path, idempotent: route?.idempotent === true };
}

/**
 * The contract's route a method and path (relative to the API's base URL) call, if any; a
 * placeholder takes any segment `fills` accepts (by default, any non-empty one).
 */
export function routeAt(method: string, path: string, fills: (segment: string) => boolean = (segment) => segment !== ''): ApiRoute | undefined {
  const segments = path.split('/');
  return ROUTES.find((route) => route.method === method && matches(route.resource.slice(1).split('/'), segments, fills));
}

const matches = (pattern: readonly string[], segments: readonly string[], fills: (segment: string) => boolean): boolean =>
  pattern.length === segments.length && pattern.every((part, i) => (part.startsWith('{') ? fills(segments[i]!) : part === segments[i]));
