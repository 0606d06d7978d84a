import { spawn } from 'node:child_process';
import { freePort } from './local-runtime-process.js';

/** A moto_server on 127.0.0.1: AWS services implemented by others, over HTTP, with no account. */
export interface MotoServer {
  readonly endpoint: string;
  /** Credentials moto accepts (it checks none). */
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  stop(): void;
}

/** Starts moto_server on a free port and waits until it answers; fails clearly if it is not installed or never listens. */
export async function startMotoServer(): Promise<MotoServer> {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const moto = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  const failed = new Promise<never>((_resolve, reject) =>
    moto.once('error', (error) => reject(new Error(`moto_server could not start (is it installed?): ${error.message}`))),
  );
  const listening = (async () => {
    for (let attempt = 0; attempt < 150; attempt++) {
      const answered = await fetch(endpoint).then(
        () => true,
        () => false,
      );
      if (answered) return;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error('moto_server did not start listening');
  })();
  try {
    await Promise.race([listening, failed]);
  } catch (error) {
    moto.kill();
    throw error;
  }
  return { endpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' }, stop: () => moto.kill() };
}
