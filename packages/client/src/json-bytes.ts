/**
 * The UTF-8 bytes of `JSON.stringify(value)`, for a request's body. A plain object holding an array
 * (a batch's items) is encoded member by member and element by element into one buffer, so that its
 * text never exists as one string: V8 puts a string over 128 KiB (a 100-item batch is 140 KB) in
 * fresh pages of its own, which cost several times the copy, and old-space collections after. Any
 * other value, or a member with a `toJSON` (which would be called with its key), is encoded whole.
 */
export function jsonBytes(value: unknown): Buffer {
  const pieces = isPlainObject(value) ? memberPieces(value) : undefined;
  if (pieces === undefined) return Buffer.from(JSON.stringify(value));
  const bytes = Buffer.allocUnsafe(pieces.reduce((sum, piece) => sum + Buffer.byteLength(piece), 0));
  let at = 0;
  for (const piece of pieces) at += bytes.write(piece, at);
  return bytes;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype && !hasToJson(value);

const hasToJson = (value: unknown): boolean => typeof (value as { toJSON?: unknown } | null | undefined)?.toJSON === 'function';

/** The object's JSON in pieces, or undefined when it holds no array (encoded whole, as before) or a member JSON.stringify would call toJSON on. */
function memberPieces(object: Record<string, unknown>): string[] | undefined {
  const members = Object.keys(object).map((key) => [key, object[key]] as const);
  if (!members.some(([, member]) => Array.isArray(member))) return undefined;
  const pieces = ['{'];
  for (const [key, member] of members) {
    if (hasToJson(member) || (Array.isArray(member) && member.some(hasToJson))) return undefined;
    // As JSON.stringify: a member that has no JSON (undefined, a function, a symbol) is left out; an element that has none (or a hole) is null.
    const elements = Array.isArray(member) ? Array.from(member, (element) => JSON.stringify(element) ?? 'null') : undefined;
    const text = elements === undefined ? JSON.stringify(member) : undefined;
    if (elements === undefined && text === undefined) continue;
    pieces.push(`${pieces.length > 1 ? ',' : ''}${JSON.stringify(key)}:`);
    if (elements === undefined) pieces.push(text!);
    else pieces.push('[', ...elements.map((element, index) => (index > 0 ? `,${element}` : element)), ']');
  }
  pieces.push('}');
  return pieces;
}
