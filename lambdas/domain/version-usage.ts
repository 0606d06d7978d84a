import type { DataKeyStore } from './data-key-store.js';

const HOUR_MS = 60 * 60 * 1000;
/** Versions remembered at most; past it the memory starts again (a few more writes, never more than one per version per hour each time). */
const MAX_REMEMBERED = 10_000;

/**
 * Keeps each version's last-use hour in the table at a bounded cost: at most one conditional write
 * per version per hour per function instance, whatever the traffic, and none when another
 * instance wrote that hour already (the condition fails without a change). So the hour shown is
 * at most an hour behind the last use; a failed write is not tried again before the next hour,
 * so that an outage never adds a write to every request.
 */
export class VersionUsage {
  private readonly written = new Map<string, number>();

  constructor(
    private readonly store: Pick<DataKeyStore, 'markVersionUsed'>,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async used(keyId: string, version: number): Promise<void> {
    const hour = Math.floor(this.now().getTime() / HOUR_MS) * HOUR_MS;
    const id = `${keyId}#${version}`;
    if ((this.written.get(id) ?? -1) >= hour) return;
    if (this.written.size >= MAX_REMEMBERED) this.written.clear();
    // Marked before the write: concurrent requests of the same hour do not write again.
    this.written.set(id, hour);
    await this.store.markVersionUsed(keyId, version, new Date(hour).toISOString()).catch(() => false);
  }
}
