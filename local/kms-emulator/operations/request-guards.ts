import { KmsError } from '../errors.js';

/** With DryRun, KMS checks everything and then answers this instead of doing the work. */
export function dryRun(input: { readonly DryRun?: boolean }): void {
  if (input.DryRun === true) throw new KmsError('DryRunOperationException', 'The request would have succeeded, but the DryRun option is set.');
}

export const unsupported = (message: string) => new KmsError('UnsupportedOperationException', message);

/** Inputs KMS implements and the emulator does not: refused, never ignored. */
export function refuseUnemulated(input: { readonly Recipient?: unknown; readonly DryRunModifiers?: readonly string[] }): void {
  if (input.Recipient !== undefined) throw unsupported('This emulator does not support Recipient (Nitro Enclaves attestation).');
  if (input.DryRunModifiers !== undefined && input.DryRunModifiers.length > 0) throw unsupported('This emulator does not support DryRunModifiers.');
}

/** A page of a list, with KMS's opaque marker (here, the offset). */
export function page<T>(
  items: readonly T[],
  input: { readonly Limit?: number; readonly Marker?: string },
  byDefault = 100,
  most = 1000,
): { items: T[]; Truncated: boolean; NextMarker?: string } {
  const limit = Math.min(input.Limit ?? byDefault, most);
  const start = input.Marker === undefined ? 0 : Number(input.Marker);
  if (!Number.isSafeInteger(start) || start < 0 || (input.Marker !== undefined && !/^\d+$/.test(input.Marker))) {
    throw new KmsError('InvalidMarkerException', 'The marker that specifies where pagination should next begin is not valid.');
  }
  const more = start + limit < items.length;
  return { items: items.slice(start, start + limit), Truncated: more, ...(more && { NextMarker: String(start + limit) }) };
}
