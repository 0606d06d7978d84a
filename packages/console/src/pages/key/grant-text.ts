import type { GrantConstraints } from '../../api/types.js';

/** A grant's constraint in words, with its pairs: "Context includes: table=orders". */
export function describeConstraints(constraints: GrantConstraints | null): string {
  if (constraints === null) return '-';
  const [kind, pairs] =
    'contextEquals' in constraints ? ['Context equals', constraints.contextEquals] : ['Context includes', constraints.contextSubset];
  const listed = Object.entries(pairs).map(([key, value]) => `${key}=${value}`);
  return `${kind}: ${listed.length > 0 ? listed.join(', ') : '(no pairs)'}`;
}
