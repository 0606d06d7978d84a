/** How long `envelope console` waits without a request before it stops, unless told otherwise. */
export const DEFAULT_IDLE_MS = 30 * 60_000;
