import { ConfigurationError } from './errors.js';

/** Where requests go and the region they are signed for, each given or else read from the environment. */
export interface Target {
  readonly endpoint?: string;
  readonly region?: string;
}

/** The region as the AWS CLI and SDKs read it: given, else AWS_REGION, else AWS_DEFAULT_REGION. */
export const regionOf = (given: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined =>
  given ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;

/**
 * The API's base URL (given, else ENVELOPE_API_URL; ending in `/`, so that relative paths extend it)
 * and the region: the client and the CLI both resolve them here, or throw `ConfigurationError`.
 */
export function resolveTarget(given: Target, env: NodeJS.ProcessEnv = process.env): { readonly endpoint: URL; readonly region: string } {
  const endpoint = given.endpoint ?? env.ENVELOPE_API_URL;
  const region = regionOf(given.region, env);
  if (!endpoint) throw new ConfigurationError('No endpoint: pass one or set ENVELOPE_API_URL.');
  if (!region) throw new ConfigurationError('No region: pass one or set AWS_REGION.');
  const { href } = httpUrl(endpoint);
  return { endpoint: new URL(href.endsWith('/') ? href : `${href}/`), region };
}

/** `localhost:3000` parses too, as a URL of scheme `localhost:`: refused here rather than by fetch. */
function httpUrl(text: string): URL {
  const url = URL.canParse(text) ? new URL(text) : undefined;
  if (url?.protocol !== 'http:' && url?.protocol !== 'https:') throw new ConfigurationError(`The endpoint is not an http(s) URL: ${text}`);
  return url;
}
