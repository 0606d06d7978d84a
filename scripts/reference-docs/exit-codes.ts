/** exit-codes.md: the CLI's exit codes, what each means and the line it prints, from the table `envelope --help` lists. */
import { EXIT_CODES, failureOf, formatFailure, InterruptedError } from '../../packages/client/src/cli/errors.js';
import { code, type Page, plain, table } from './markdown.js';

/** What stderr gets: as the table says, or for a signal, the line the CLI prints for it. */
const printedText = (entry: (typeof EXIT_CODES)[keyof typeof EXIT_CODES]): string =>
  'signal' in entry ? code(formatFailure(failureOf(new InterruptedError(entry.signal)))) : entry.printed;

export function exitCodesPage(): Page {
  const rows = Object.values(EXIT_CODES).map((entry) => [String(entry.code), plain(entry.meaning), printedText(entry)]);
  return {
    file: 'exit-codes.md',
    title: 'Exit codes',
    sources: '`EXIT_CODES` in `packages/client/src/cli/errors.ts`',
    intro: [
      'What the `envelope` CLI exits with, and the one line it prints on stderr; `envelope --help` lists the same codes and meanings.',
      "The API's error codes are in [Errors](errors.md); what a file command does on a signal is in [the CLI's exit codes](../cli.md#exit-codes).",
    ].join(' '),
    sections: [{ heading: 'Exit codes', text: table(['Code', 'Meaning', 'Printed on stderr (one line)'], rows) }],
  };
}
