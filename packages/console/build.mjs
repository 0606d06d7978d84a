// Bundles the console into dist/: index.html, app.js and app.css (Cloudscape's fonts are data: URLs
// inside it). No inline script or style anywhere, so the server's Content-Security-Policy forbids
// both. The licences of every package bundled go beside them, in THIRD-PARTY-NOTICES.txt.
import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { build } from 'esbuild';

const here = new URL('.', import.meta.url);
const outdir = new URL('dist/', here).pathname;

await rm(outdir, { recursive: true, force: true });
await mkdir(outdir, { recursive: true });
const { metafile } = await build({
  entryPoints: { app: new URL('src/main.tsx', here).pathname },
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['chrome120', 'firefox120', 'safari17'],
  outdir,
  define: { 'process.env.NODE_ENV': '"production"' },
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
});
await copyFile(new URL('src/index.html', here), `${outdir}index.html`);
await writeFile(`${outdir}THIRD-PARTY-NOTICES.txt`, await notices(bundledPackages(metafile)));

/** The folders of the npm packages whose files went into the bundle. */
function bundledPackages(meta) {
  const folders = Object.keys(meta.inputs).map((input) => /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input)?.[1]);
  return [...new Set(folders.filter(Boolean))].sort();
}

async function notices(folders) {
  const sections = await Promise.all(
    folders.map(async (folder) => {
      const { name, version, license } = JSON.parse(await readFile(`${folder}/package.json`, 'utf8'));
      const texts = await Promise.all(
        ['LICENSE', 'LICENSE.md', 'LICENSE.txt', 'NOTICE'].map((file) => readFile(`${folder}/${file}`, 'utf8').catch(() => '')),
      );
      return `${name}@${version} (${license})\n\n${texts.filter(Boolean).join('\n').trim()}`;
    }),
  );
  return `The web console bundles these packages.\n\n${sections.join(`\n\n${'-'.repeat(72)}\n\n`)}\n`;
}
