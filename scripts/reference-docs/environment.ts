/** environment.md: the variables the handlers read, and where the stack sets each. */
import { HANDLER_VARIABLES } from '../../lambdas/config.js';
import { code, type Page, table } from './markdown.js';
import { STAGE, type Synthesized } from './stacks.js';
import { cfnSource } from './template.js';

/** Each environment variable the stack sets: the functions it is set on, by where its value comes from. */
function stackEnvironment({ api, functionIds }: Synthesized): Map<string, Map<string, string[]>> {
  const variables = new Map<string, Map<string, string[]>>();
  for (const [fn, id] of Object.entries(functionIds)) {
    const environment = api.template.Resources[id]?.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined;
    for (const [name, value] of Object.entries(environment?.Variables ?? {})) {
      const values = variables.get(name) ?? new Map<string, string[]>();
      const text = cfnSource(value, api.template);
      values.set(text, [...(values.get(text) ?? []), code(fn)]);
      variables.set(name, values);
    }
  }
  return variables;
}

const settingText = (values: Map<string, string[]> | undefined): string =>
  values ? [...values].map(([source, functions]) => `${functions.join(', ')}: ${source}`).join('<br>') : '—';

export function environmentPage(synthesized: Synthesized): Page {
  const set = stackEnvironment(synthesized);
  const handlerNames = new Set<string>(Object.values(HANDLER_VARIABLES).map(({ name }) => name));
  const handlerRows = Object.values(HANDLER_VARIABLES).map((variable) => [
    code(variable.name),
    variable.description,
    'count' in variable ? `whole number ≥ ${variable.count.min}` : 'text',
    'count' in variable ? code(variable.count.default) : 'none',
    settingText(set.get(variable.name)),
  ]);
  const otherRows = [...set].filter(([name]) => !handlerNames.has(name)).map(([name, values]) => [code(name), settingText(values)]);
  return {
    file: 'environment.md',
    title: 'Environment variables',
    sources: '`lambdas/config.ts` and the synthesized API stack',
    intro: `What the functions read from their environment. **Set by the stack** shows the functions each variable is set on in AWS (stage \`${STAGE}\`), and its value; the local runtime (\`npm start\`) sets the local ones. A function reads a count once, at its cold start: a bad value fails the cold start, never a request.`,
    sections: [
      { heading: 'Read by the handlers', text: table(['Variable', 'What it is', 'Value', 'Default', 'Set by the stack'], handlerRows) },
      { heading: 'Also set by the stack', text: table(['Variable', 'Set by the stack'], otherRows) },
    ],
  };
}
