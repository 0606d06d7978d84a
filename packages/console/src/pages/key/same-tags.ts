import type { Tags } from '../../api/types.js';

/** The same names with the same values, whatever their order. */
export function sameTags(a: Tags, b: Tags): boolean {
  const entries = Object.entries(a);
  return entries.length === Object.keys(b).length && entries.every(([name, value]) => Object.hasOwn(b, name) && b[name] === value);
}
