/** An answer in words, as a cell and a change say it. */
import type { Answer } from './answers.js';

export function inWords(answer: Answer, conditions: Readonly<Record<string, string>>): string {
  if (answer.decision !== 'conditional') return answer.decision;
  return `only ${answer.conditions.map((way) => way.map((id) => conditions[id] ?? id).join(' and ')).join('; or ')}`;
}
