// Bundles the console into dist/: index.html, app.js, app.css and the fonts they name. No inline
// script or style anywhere, so the server's Content-Security-Policy can forbid both.
import { copyFile, mkdir, rm } from 'node:fs/promises';
import { build } from 'esbuild';

const here = new URL('.', import.meta.url);
const outdir = new URL('dist/', here).pathname;

await rm(outdir, { recursive: true, force: true });
await mkdir(outdir, { recursive: true });
await build({
  entryPoints: { app: new URL('src/main.tsx', here).pathname },
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['chrome120', 'firefox120', 'safari17'],
  outdir,
  loader: { '.woff': 'file', '.woff2': 'file', '.svg': 'file', '.png': 'file' },
  assetNames: 'assets/[name]-[hash]',
  define: { 'process.env.NODE_ENV': '"production"' },
  legalComments: 'linked',
  logLevel: 'warning',
});
await copyFile(new URL('src/index.html', here), `${outdir}index.html`);
