/**
 * One cell of the report: whether a principal may do an action on a resource, and if only under
 * conditions, which. The evaluator is asked with the request bare (what it carries whoever sends
 * it), then with the conditions the service relies on; a cell allowed only with some of them names
 * the smallest sets that suffice, each a way in.
 */
import { accountOf, type PolicyDocument, type PolicyEvaluator, type RequestingPrincipal } from '../../local/iam/policy-evaluator.js';
import { type ConditionFacet, facetApplies } from './conditions.js';

export type Answer =
  | { readonly decision: 'allowed' }
  | { readonly decision: 'denied' }
  /** Each alternative is a set of condition ids that together suffice. */
  | { readonly decision: 'conditional'; readonly conditions: readonly (readonly string[])[] };

export interface Question {
  readonly principal: RequestingPrincipal | 'anonymous';
  readonly action: string;
  readonly resource: string;
  /** The account the resource is in: ARNs such as S3's, and `*`, do not say. */
  readonly resourceAccount: string;
  readonly actionConditionKeys: readonly string[];
  readonly resourcePolicy?: PolicyDocument;
}

type Context = Record<string, string | string[]>;

export async function answer(evaluator: PolicyEvaluator, question: Question, facets: readonly ConditionFacet[]): Promise<Answer> {
  const { principal, action, resource, resourceAccount, resourcePolicy } = question;
  const account = principal === 'anonymous' ? '' : accountOf(principal.arn);
  // KMS sets kms:CallerAccount on every request, from the caller's credentials.
  const bare: Context = action.startsWith('kms:') && account !== '' ? { 'kms:CallerAccount': account } : {};
  const allowed = async (applied: readonly ConditionFacet[]) =>
    (
      await evaluator.decide({
        principal,
        action,
        resource,
        resourceAccount,
        ...(resourcePolicy && { resourcePolicy }),
        context: Object.assign({}, bare, ...applied.map((facet) => facet.context)) as Context,
      })
    ).allowed;
  if (await allowed([])) return { decision: 'allowed' };
  const ways: ConditionFacet[][] = [];
  for (const combination of combinations(facets.filter((facet) => facetApplies(facet, question.actionConditionKeys)))) {
    if (combination.length === 0 || !(await allowed(combination))) continue;
    const needed = [...combination];
    for (const facet of combination) {
      const without = needed.filter((kept) => kept !== facet);
      if (await allowed(without)) needed.splice(needed.indexOf(facet), 1);
    }
    ways.push(needed);
  }
  const minimal = ways.filter((way, i) => !ways.some((other, j) => j !== i && isStrictSubset(other, way)));
  const conditions = [...new Set(minimal.map((way) => JSON.stringify(way.map((facet) => facet.id))))].map((text) => JSON.parse(text) as string[]);
  return conditions.length === 0 ? { decision: 'denied' } : { decision: 'conditional', conditions };
}

/** Every request the facets can make: all ungrouped facets, and at most one facet of each group. */
function combinations(facets: readonly ConditionFacet[]): ConditionFacet[][] {
  const ungrouped = facets.filter((facet) => facet.group === undefined);
  const groups = [...new Set(facets.flatMap((facet) => (facet.group ? [facet.group] : [])))];
  return groups.reduce<ConditionFacet[][]>(
    (partial, group) => partial.flatMap((chosen) => [chosen, ...facets.filter((facet) => facet.group === group).map((facet) => [...chosen, facet])]),
    [ungrouped],
  );
}

const isStrictSubset = (small: readonly ConditionFacet[], large: readonly ConditionFacet[]) =>
  small.length < large.length && small.every((facet) => large.includes(facet));
