// Bundles the browser pages (the graph explorer and the GraphQL IDE) from web/ into dist/web/ with
// esbuild, so the service serves every script, style and font itself: no CDN, works air-gapped.
// Runs in `npm run build` (and so in `npm ci` through `prepare`, and before `npm start`).
const fs = require('node:fs');
const path = require('node:path');
const zlib = require('node:zlib');
const esbuild = require('esbuild');

const root = path.join(__dirname, '..');

/** Builds dist/web/{explorer,graphiql}.{js,css} (or into `outdir`). */
async function buildWeb(outdir = path.join(root, 'dist', 'web')) {
  await esbuild.build({
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
  compressBundles(outdir);
  return outdir;
}

/**
 * Writes a Brotli (.br) and a gzip (.gz) copy beside every script and stylesheet, which the service
 * sends to browsers that accept them (src/http/web-pages.ts): compressed once here, never per request.
 */
function compressBundles(outdir) {
  for (const name of fs.readdirSync(outdir)) {
    if (!/\.(js|css)$/.test(name)) continue;
    const file = path.join(outdir, name);
    const data = fs.readFileSync(file);
    fs.writeFileSync(
      `${file}.br`,
      zlib.brotliCompressSync(data, {
        params: {
          [zlib.constants.BROTLI_PARAM_QUALITY]: 11,
          [zlib.constants.BROTLI_PARAM_SIZE_HINT]: data.length,
        },
      }),
    );
    fs.writeFileSync(`${file}.gz`, zlib.gzipSync(data, { level: 9 }));
  }
}

module.exports = { buildWeb };

if (require.main === module) {
  buildWeb().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
