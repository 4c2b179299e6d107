// npm start: runs the compiled server, dist/src/main.js, compiling first (tsc -p tsconfig.build.json) when dist/ is
// missing or older than the sources, so `npm ci && npm start` works on a fresh clone. Plain JavaScript: it runs before
// any build. The server is imported into this process, not spawned, so SIGTERM/SIGINT reach its own handlers and the
// graceful shutdown is exactly that of `node dist/src/main.js`.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The compiled entry point; its modification time is the build stamp (tsc rewrites every output on each build). */
export const ENTRY = join('dist', 'src', 'main.js');

/** The newest modification time (ms) of the build's inputs: the .ts files under src/ and scripts/, tsconfig*.json, package.json. */
export function newestInput(root) {
  let newest = 0;
  const visit = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) visit(path);
      else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
    }
  };
  for (const dir of ['src', 'scripts']) if (existsSync(join(root, dir))) visit(join(root, dir));
  for (const name of readdirSync(root)) {
    if (name === 'package.json' || /^tsconfig.*\.json$/.test(name)) newest = Math.max(newest, statSync(join(root, name)).mtimeMs);
  }
  return newest;
}

/** True when the compiled entry is missing, or any input is newer than it. */
export function isStale(root) {
  const stamp = join(root, ENTRY);
  return !existsSync(stamp) || newestInput(root) > statSync(stamp).mtimeMs;
}

async function start() {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  if (isStale(root)) {
    if (existsSync(tsc)) {
      process.stderr.write('member-graph: dist/ is missing or older than the sources, building (tsc -p tsconfig.build.json)…\n');
      // noEmitOnError (tsconfig.build.json): a failed build leaves the stamp as it was, so the next start tries again.
      const { status } = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, stdio: ['ignore', 2, 2] });
      if (status !== 0) {
        process.stderr.write('member-graph: the build failed (errors above); fix them, or use `npm run dev`\n');
        process.exit(1);
      }
      // The rest of `npm run build`: the empty embedded cluster a fresh DATA_DIR starts from (src/db/pglite-cluster.ts).
      // Without it the first start runs initdb, slower but the same database: a failure here is only reported.
      const cluster = spawnSync(process.execPath, [join('dist', 'scripts', 'pglite-cluster.js')], { cwd: root, stdio: ['ignore', 'ignore', 2] });
      if (cluster.status !== 0) process.stderr.write('member-graph: could not prebuild the embedded cluster; a fresh data directory will run initdb\n');
    } else if (existsSync(join(root, ENTRY))) {
      // Installed without dev dependencies (npm ci --omit=dev): run the build that is there.
      process.stderr.write('member-graph: dist/ looks older than the sources but TypeScript is not installed: running it as it is\n');
    } else {
      process.stderr.write('member-graph: no build in dist/ and TypeScript is not installed: run `npm run build` where dev dependencies are\n');
      process.exit(1);
    }
  }
  // Stack traces of the compiled code point at the .ts sources (tsconfig.build.json emits source maps).
  process.setSourceMapsEnabled(true);
  await import(pathToFileURL(join(root, ENTRY)).href);
}

// Only when run (node scripts/start.mjs); importing this module, as test/build.test.ts does, starts nothing.
if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) await start();
