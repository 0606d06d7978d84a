/** The API carries plaintexts in base64; the access panel shows them as UTF-8 text. */

const CHUNK = 0x8000;

export function utf8ToBase64(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  // In chunks: one String.fromCharCode per byte is slow, and one call for all of them overflows the stack.
  for (let start = 0; start < bytes.length; start += CHUNK) binary += String.fromCharCode(...bytes.subarray(start, start + CHUNK));
  return btoa(binary);
}

export type DecodedText = { readonly text: string } | { readonly binaryBytes: number };

/** The text a base64 plaintext holds, or its length when it is not UTF-8 (a data key, a file). */
export function base64ToUtf8(base64: string): DecodedText {
  const bytes = Uint8Array.from(atob(base64), (char) => char.charCodeAt(0));
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
  } catch {
    return { binaryBytes: bytes.length };
  }
}

export const utf8Length = (text: string): number => new TextEncoder().encode(text).length;
