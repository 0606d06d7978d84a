import { freePort, type RuntimeProcess, startRuntimeProcess } from '../../support/local-runtime-process.js';

export interface LocalConsole {
  /** The URL the banner prints, with this run's token. */
  readonly url: string;
  /** http://127.0.0.1:<port> */
  readonly origin: string;
  readonly port: number;
  readonly runtime: RuntimeProcess;
  stop(): Promise<void>;
}

/** The banner's line naming the console, e.g. `  Console         http://127.0.0.1:3003/?token=…  (web console; …)`. */
const CONSOLE_LINE = /^ {2}Console +(http:\/\/127\.0\.0\.1:(\d+)\/\?token=[\w-]+)/m;

/** `npm start` on free ports, and the console it serves, at the URL its banner names. */
export async function startLocalConsole(env: Record<string, string> = {}): Promise<LocalConsole> {
  const consolePort = await freePort();
  const runtime = await startRuntimeProcess({ env: { ...env, CONSOLE_PORT: String(consolePort) } });
  try {
    const [, url, port] = await bannerLine(runtime);
    if (Number(port) !== consolePort) throw new Error(`The console listens on ${port}, not on CONSOLE_PORT=${consolePort}`);
    return { url: url!, origin: new URL(url!).origin, port: consolePort, runtime, stop: () => runtime.stop() };
  } catch (error) {
    await runtime.stop();
    throw error;
  }
}

/** The banner is printed once everything listens, just after the API answers its health check. */
async function bannerLine(runtime: RuntimeProcess): Promise<RegExpExecArray> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const match = CONSOLE_LINE.exec(runtime.output());
    if (match) return match;
    if (Date.now() > deadline) throw new Error(`npm start printed no console URL in its banner:\n${runtime.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
