import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A port another process holds: `npm start` says which, and how to pick others. */
export class PortInUseError extends Error {
  override readonly name = 'PortInUseError';

  constructor(
    readonly port: number,
    options: ErrorOptions,
  ) {
    super(`Port ${port} is in use by another process.`, options);
  }
}

/** Starts listening (port 0 picks a free one) and resolves with the bound port. */
export async function listen(server: Server, port: number, host = '127.0.0.1'): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => reject(error.code === 'EADDRINUSE' ? new PortInUseError(port, { cause: error }) : error));
    server.listen(port, host, resolve);
  });
  return (server.address() as AddressInfo).port;
}

/** Closes a server without waiting for idle keep-alive connections. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}

/** Counts calls per operation, for tests and benchmarks. */
export class CallCounter {
  readonly counts: Record<string, number> = {};

  count(operation: string): void {
    this.counts[operation] = (this.counts[operation] ?? 0) + 1;
  }

  reset(): void {
    for (const name of Object.keys(this.counts)) delete this.counts[name];
  }
}
