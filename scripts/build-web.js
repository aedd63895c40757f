// Bundles the browser pages (the graph explorer and the GraphQL IDE) from web/ into dist/web/ with
// esbuild, so the service serves every script, style and font itself: no CDN, works air-gapped.
// Runs in `npm run build` (and so in `npm ci` through `prepare`, and before `npm start`).
const fs = require('node:fs');
const path = require('node:path');
const esbuild = require('esbuild');

const root = path.join(__dirname, '..');

/** Builds dist/web/{explorer,graphiql}.{js,css} (or into `outdir`). */
async function buildWeb(outdir = path.join(root, 'dist', 'web')) {
  // Built beside the target, then moved in file by file (a rename is atomic): a service that serves
  // outdir meanwhile (a running `npm start`, the browser tests of a second test run) never reads a
  // half-written bundle.
  fs.mkdirSync(path.dirname(outdir), { recursive: true });
  const staging = fs.mkdtempSync(path.join(path.dirname(outdir), '.web-build-'));
  try {
    await bundle(staging);
    fs.mkdirSync(outdir, { recursive: true });
    for (const entry of fs.readdirSync(staging, { withFileTypes: true })) {
      if (entry.isFile()) fs.renameSync(path.join(staging, entry.name), path.join(outdir, entry.name));
    }
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
  return outdir;
}

function bundle(outdir) {
  return esbuild.build({
    absWorkingDir: root,
    entryPoints: { explorer: 'web/explorer/main.ts', graphiql: 'web/graphiql/main.ts' },
    outdir,
    bundle: true,
    minify: true,
    sourcemap: 'linked',
    format: 'iife',
    target: 'es2022',
    // React and GraphiQL read NODE_ENV to pick their production builds.
    define: { 'process.env.NODE_ENV': '"production"' },
    // Fonts and images that stylesheets reference become files next to the bundle (same origin).
    loader: { '.woff': 'file', '.woff2': 'file', '.ttf': 'file', '.svg': 'file', '.png': 'file' },
    legalComments: 'linked',
    logLevel: 'warning',
  });
}

module.exports = { buildWeb };

if (require.main === module) {
  buildWeb().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
