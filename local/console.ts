import { EnvelopeClient } from '../packages/client/src/index.js';
import { type ConsoleServer, type LocalIdentity, startConsoleServer } from '../packages/client/src/console/server.js';
import { CONSOLE_UI_DIR } from '../packages/client/src/console/ui-dir.js';
import { localActivity } from './console-activity.js';
import type { LocalPrincipal } from './gateway/principals.js';
import { PortInUseError } from './http-server.js';
import type { LocalRuntime } from './runtime.js';

export interface LocalConsoleOptions {
  /** @default 0: a free port */
  readonly port?: number;
}

/**
 * The web console for the local runtime: the UI may act as any local principal (the first by
 * default), each call signed with that principal's keys; it runs until stopped, as `npm start` does.
 */
export async function startLocalConsole(runtime: LocalRuntime, options: LocalConsoleOptions = {}): Promise<ConsoleServer> {
  const identities = runtime.principals.map((principal) => identityOf(runtime, principal));
  const port = options.port ?? 0;
  try {
    return await startConsoleServer({
      client: identities[0]!.client,
      identities,
      activity: localActivity(runtime),
      port,
      assetsDir: CONSOLE_UI_DIR,
      idleMs: Number.POSITIVE_INFINITY,
      printedBy: '`npm start`',
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new PortInUseError(port, { cause: error });
    throw error;
  }
}

function identityOf(runtime: LocalRuntime, principal: LocalPrincipal): LocalIdentity {
  const { accessKeyId, secretAccessKey } = principal;
  return {
    name: principal.name,
    arn: principal.arn,
    description: describePrincipal(principal),
    client: new EnvelopeClient({ endpoint: runtime.apiUrl, region: runtime.region, credentials: { accessKeyId, secretAccessKey } }),
  };
}

/** What a principal may do, in a few words: its caller policies, and whether it administers the master key. */
export function describePrincipal(principal: LocalPrincipal): string {
  const roles = [...principal.callerPolicies, ...(principal.keyAdministrator ? ['master key administrator'] : [])];
  return roles.length > 0 ? roles.join(', ') : 'no caller policy';
}
