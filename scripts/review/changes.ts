/**
 * What a change does to access: every cell whose answer differs between two reports, widenings
 * first. A widening is a question that went from denied to allowed, from conditional to allowed,
 * or whose conditions were dropped (a way in that needs less than every way before it); a promise
 * of the header that stopped holding is one too.
 */
import type { Answer } from './answers.js';
import type { AccessReport } from './report.js';
import { inWords } from './words.js';

export interface AccessChange {
  readonly kind: 'widening' | 'narrowing';
  /** `resource · principal · column`, or `promise: …`. */
  readonly where: string;
  readonly before: string;
  readonly after: string;
}

interface Located {
  readonly where: string;
  readonly answer: Answer;
  readonly words: string;
}

const RANK = { denied: 0, conditional: 1, allowed: 2 } as const;
const isSubset = (small: readonly string[], large: readonly string[]) => small.every((id) => large.includes(id));

function cellsOf(report: AccessReport): Map<string, Located> {
  const labels = new Map(report.principals.map((principal) => [principal.id, principal.label]));
  const cells = new Map<string, Located>();
  for (const resource of report.resources) {
    for (const [principal, answers] of Object.entries(resource.answers)) {
      for (const [column, answer] of Object.entries(answers)) {
        cells.set(`${resource.id}\n${principal}\n${column}`, {
          where: `${resource.title} · ${labels.get(principal) ?? principal} · ${column}`,
          answer,
          words: inWords(answer, report.conditions),
        });
      }
    }
  }
  return cells;
}

/** Whether `after` lets in a request that `before` refused: a higher decision, or a way in needing less than every way before. */
function widens(before: Answer, after: Answer): boolean {
  if (RANK[after.decision] !== RANK[before.decision]) return RANK[after.decision] > RANK[before.decision];
  if (before.decision !== 'conditional' || after.decision !== 'conditional') return false;
  return after.conditions.some((way) => !before.conditions.some((earlier) => isSubset(earlier, way)));
}

export function accessChanges(base: AccessReport, head: AccessReport): AccessChange[] {
  const before = cellsOf(base);
  const after = cellsOf(head);
  const changes: AccessChange[] = [];
  for (const key of new Set([...before.keys(), ...after.keys()])) {
    const was = before.get(key);
    const now = after.get(key);
    if (was?.words === now?.words) continue;
    const where = (now ?? was)!.where;
    const denied: Answer = { decision: 'denied' };
    const [wasAnswer, nowAnswer] = [was?.answer ?? denied, now?.answer ?? denied];
    if (widens(wasAnswer, nowAnswer)) changes.push({ kind: 'widening', where, before: was?.words ?? 'not asked', after: now!.words });
    else if (widens(nowAnswer, wasAnswer)) changes.push({ kind: 'narrowing', where, before: was!.words, after: now?.words ?? 'not asked' });
  }
  const held = new Map(base.invariants.map((invariant) => [invariant.id, invariant.holds]));
  for (const invariant of head.invariants) {
    const was = held.get(invariant.id);
    if (was === undefined || was === invariant.holds) continue;
    changes.push({
      kind: invariant.holds ? 'narrowing' : 'widening',
      where: `promise: ${invariant.statement.replace(/\.$/, '')}`,
      before: was ? 'holds' : 'broken',
      after: invariant.holds ? 'holds' : 'broken',
    });
  }
  return changes.sort((a, b) => (a.kind === b.kind ? a.where.localeCompare(b.where) : a.kind === 'widening' ? -1 : 1));
}

export function changesInWords(changes: readonly AccessChange[]): string {
  if (changes.length === 0) return 'No access changed.';
  const section = (kind: AccessChange['kind'], title: string, mark: string) => {
    const ofKind = changes.filter((change) => change.kind === kind);
    return ofKind.length === 0
      ? []
      : [`${title} (${ofKind.length}):`, ...ofKind.map((change) => `  ${mark} ${change.where}: ${change.before} → ${change.after}`)];
  };
  return [...section('widening', 'WIDENED', '+'), ...section('narrowing', 'Narrowed', '-')].join('\n');
}
