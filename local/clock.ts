/**
 * The rehearsal's clock, which may run ahead of the machine's (`ENVELOPE_CLOCK_OFFSET_DAYS`): to
 * see a key's deletion or a version's destruction reach its date without waiting for it. Every
 * part of the runtime reads the same shifted clock (the gateway's and the emulators' signature
 * checks, the KMS emulator's dates, each function's execution environment), so a caller signs with
 * the same offset (the client's `systemClockOffset`, as the AWS SDK's clients name it).
 */
import { ServerResponse } from 'node:http';

const DAY_MS = 24 * 60 * 60 * 1000;
let offsetMs = 0;

/** How far ahead this thread's clock runs, in milliseconds. */
export const clockOffsetMs = (): number => offsetMs;

/** The offset a setting asks for: whole or fractional days, never backwards. */
export function clockOffsetFrom(days: string | undefined): number {
  const value = Number(days ?? '0');
  if (!Number.isFinite(value) || value < 0) throw new Error(`ENVELOPE_CLOCK_OFFSET_DAYS must be a number of days, 0 or more, not ${days}.`);
  return Math.round(value * DAY_MS);
}

/** Moves this thread's `Date` ahead by `ms` (once: a thread has one clock). */
export function shiftClock(ms: number): void {
  if (ms === 0 || offsetMs !== 0) return;
  offsetMs = ms;
  const RealDate = Date;
  class ShiftedDate extends RealDate {
    constructor(...args: unknown[]) {
      if (args.length === 0) super(RealDate.now() + ms);
      else super(...(args as [string | number | Date]));
    }

    static override now(): number {
      return RealDate.now() + ms;
    }
  }
  globalThis.Date = ShiftedDate as DateConstructor;
  dateHeadersFollow();
}

/**
 * Node's servers write their `Date` header from the machine's clock, and the AWS SDK corrects its
 * own clock from that header on every answer: the runtime's servers must tell the shifted time.
 */
function dateHeadersFollow(): void {
  const writeHead = ServerResponse.prototype.writeHead;
  ServerResponse.prototype.writeHead = function (this: ServerResponse, ...args: Parameters<typeof writeHead>) {
    if (!this.headersSent && !this.hasHeader('date')) this.setHeader('date', new Date().toUTCString());
    return writeHead.apply(this, args);
  } as typeof writeHead;
}
