import { FUNCTION_ENTRIES, type ApiFunctionName } from '../lambdas/routes.js';
import type { ProxyHandler } from './gateway/server.js';

/** Imports the very modules that deploy to Lambda, after the environment is in place. */
export async function loadHandlers(): Promise<Record<ApiFunctionName, ProxyHandler>> {
  const entries = Object.entries(FUNCTION_ENTRIES) as [ApiFunctionName, string][];
  const loaded = await Promise.all(entries.map(async ([name, entry]) => {
    const module = (await import(new URL(`../${entry}`, import.meta.url).href)) as { handler: ProxyHandler };
    return [name, module.handler] as const;
  }));
  return Object.fromEntries(loaded) as Record<ApiFunctionName, ProxyHandler>;
}
