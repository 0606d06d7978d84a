import type { ItemOutcome } from '../domain/envelope-encryption.js';
import { ServiceError } from '../domain/errors.js';

export interface BatchPlan<I> {
  /** Items that passed validation, in input order. */
  readonly valid: I[];
  /** Per input position: the index into `valid`, or the item's own validation error. */
  readonly slots: (number | ServiceError)[];
  readonly references: (string | undefined)[];
}

/** Validates batch items one by one: a bad item gets its own error and the rest go on. */
export function planBatch<I>(rawItems: readonly unknown[], prepare: (raw: unknown, index: number) => I): BatchPlan<I> {
  const plan: BatchPlan<I> = { valid: [], slots: [], references: [] };
  rawItems.forEach((raw, index) => {
    const reference = (raw as { reference?: unknown } | null)?.reference;
    plan.references.push(typeof reference === 'string' ? reference : undefined);
    try {
      plan.valid.push(prepare(raw, index));
      plan.slots.push(plan.valid.length - 1);
    } catch (error) {
      if (!(error instanceof ServiceError)) throw error;
      plan.slots.push(error);
    }
  });
  return plan;
}

/** Lays results back out in input order, each with its reference, as `{items: [...]}`. */
export function batchBody<I, R>(plan: BatchPlan<I>, outcomes: readonly ItemOutcome<R>[], render: (value: R) => object): { items: object[] } {
  const items = plan.slots.map((slot, index) => {
    const outcome: ItemOutcome<R> = typeof slot === 'number' ? outcomes[slot]! : { ok: false, error: slot };
    const reference = plan.references[index];
    const body = outcome.ok ? render(outcome.value) : { error: { code: outcome.error.code, message: outcome.error.message } };
    return reference === undefined ? body : { reference, ...body };
  });
  return { items };
}
