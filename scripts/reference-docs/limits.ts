/** limits.md: each constant of contract/limits.ts, with its value and doc comment. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import * as LIMITS from '../../contract/limits.js';
import { code, type Page, table } from './markdown.js';
import { root } from './repository.js';

/** The doc comment of each constant of a module, by name, in the module's order. */
function docComments(file: string): Map<string, string> {
  const source = ts.createSourceFile(file, readFileSync(join(root, file), 'utf8'), ts.ScriptTarget.Latest, true);
  const comments = new Map<string, string>();
  for (const statement of source.statements.filter(ts.isVariableStatement)) {
    const text = ts
      .getJSDocCommentsAndTags(statement.declarationList.declarations[0]!)
      .map((doc) => ts.getTextOfJSDocComment(doc.comment) ?? '')
      .join(' ');
    for (const declaration of statement.declarationList.declarations) comments.set(declaration.name.getText(source), text.replace(/\s+/g, ' '));
  }
  return comments;
}

function valueText(value: unknown): string {
  if (value instanceof RegExp || typeof value !== 'object' || value === null)
    return code(value instanceof RegExp ? String(value) : JSON.stringify(value));
  if (Array.isArray(value)) return value.map(valueText).join(', ');
  return Object.entries(value)
    .map(([key, item]) => `${key} ${valueText(item)}`)
    .join(', ');
}

export function limitsPage(): Page {
  const file = 'contract/limits.ts';
  const comments = docComments(file);
  const values = new Map<string, unknown>(Object.entries(LIMITS));
  // In the source's order: a module namespace lists its names sorted, or not, by who loads it.
  const rows = [...comments].map(([name, comment]) => [code(name), valueText(values.get(name)), comment]);
  return {
    file: 'limits.md',
    title: 'Limits',
    sources: `\`${file}\``,
    intro: 'The limits and formats the API enforces, by the constant that holds each: the service, the local runtime and the client read them there.',
    sections: [{ heading: 'Limits', text: table(['Constant', 'Value', 'What it limits'], rows) }],
  };
}
