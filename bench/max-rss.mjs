// Runs a Node script (the rest of argv) in this process and, when it exits successfully, prints
// this process's peak resident set in KiB (see peakRssKiB).
import { readFileSync, writeSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

/**
 * VmHWM, the high-water mark of this process image's resident set. Not getrusage's maxRSS: that
 * survives exec, so a process spawned by a large parent starts with the parent's size as its peak.
 */
export const peakRssKiB = () => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))[1]);

const [script, ...args] = process.argv.slice(2);
if (script) {
  process.argv = [process.argv[0], script, ...args];
  process.on('exit', (code) => {
    if (code === 0) writeSync(1, `${peakRssKiB()}\n`);
  });
  await import(pathToFileURL(script).href);
}
