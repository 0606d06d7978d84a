// Runs a Node script (the rest of argv) in this process and, when it exits successfully, prints
// this process's peak resident set in KiB: the bench's way to read a CLI's maxRSS.
import { writeSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const [script, ...args] = process.argv.slice(2);
process.argv = [process.argv[0], script, ...args];
process.on('exit', (code) => {
  if (code === 0) writeSync(1, `${process.resourceUsage().maxRSS}\n`);
});
await import(pathToFileURL(script).href);
