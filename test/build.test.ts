// The production build (tsconfig.build.json, scripts/start.mjs): tsc emits the server and the CLIs in the repository's
// layout, the compiled token CLI runs on plain Node, compiled code finds drizzle/ at the project root, and `npm start`
// rebuilds exactly when an input is newer than the build.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENTRY, isStale } from '../scripts/start.mjs';

const run = promisify(execFile);
const ROOT = process.cwd();
const dirs: string[] = [];
let out: string;

/** Plain Node: no tsx loader through NODE_OPTIONS, never the suite's DATABASE_URL. */
function plainEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const { DATABASE_URL: _db, NODE_OPTIONS: _opts, ...env } = process.env;
  return { ...env, LOG_LEVEL: 'warn', NODE_ENV: 'test', ...extra };
}

beforeAll(async () => {
  // A directory of its own under dist/ (git-ignored): no race with `npm run build` or `npm start` writing dist/src, and
  // the compiled modules resolve node_modules/ and package.json by walking up, exactly as they do from dist/.
  mkdirSync(join(ROOT, 'dist'), { recursive: true });
  out = mkdtempSync(join(ROOT, 'dist', '.test-build-'));
  dirs.push(out);
  // The build's own config, only elsewhere. --noCheck: type errors are `npm run typecheck`'s to report; this proves
  // what is emitted and that it runs, in about half the time.
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  await run(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--outDir', out, '--noCheck'], { cwd: ROOT, timeout: 120_000 });
}, 150_000);

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('npm run build', () => {
  it('emits the server and the CLIs under src/ and scripts/ with source maps, and no tests', () => {
    for (const file of ['src/main.js', 'src/main.js.map', 'scripts/token.js', 'scripts/client.js', 'scripts/seed.js']) {
      expect(existsSync(join(out, file)), file).toBe(true);
    }
    expect(existsSync(join(out, 'test'))).toBe(false);
  });

  it('the compiled token CLI runs on plain Node and prints a JWT signed with the keys under DATA_DIR', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'mg-build-token-'));
    dirs.push(dataDir);
    const { stdout } = await run(process.execPath, [join(out, 'scripts', 'token.js'), '--role', 'regulator'], {
      env: plainEnv({ DATA_DIR: dataDir }),
      timeout: 30_000,
    });
    const parts = stdout.trimEnd().split('.');
    expect(stdout.endsWith('\n')).toBe(true);
    expect(parts).toHaveLength(3);
    // The subject names the person at the keyboard (the OS account), so the read audit tells people apart.
    expect(JSON.parse(Buffer.from(parts[1], 'base64url').toString())).toMatchObject({ role: 'regulator', sub: `regulator:${userInfo().username}` });
    expect(existsSync(join(dataDir, 'keys', 'issuer-private.jwk.json'))).toBe(true);
  });

  it('compiled code finds the migrations in drizzle/ at the project root, not under the output directory', async () => {
    const client = pathToFileURL(join(out, 'src', 'db', 'client.js')).href;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', `console.log((await import(${JSON.stringify(client)})).migrationsFolder)`], {
      env: plainEnv({}),
      timeout: 30_000,
    });
    expect(stdout.trim()).toBe(join(ROOT, 'drizzle'));
  });
});

describe('npm start: isStale', () => {
  it('builds when the compiled entry is missing or older than a .ts source, a tsconfig or package.json', () => {
    const root = mkdtempSync(join(tmpdir(), 'mg-build-stale-'));
    dirs.push(root);
    const inputs = ['package.json', 'tsconfig.json', 'tsconfig.build.json', 'src/main.ts', 'src/db/client.ts', 'scripts/token.ts'];
    const others = ['README.md', 'src/notes.txt', 'test/build.test.ts'];
    for (const file of [...inputs, ...others]) {
      mkdirSync(dirname(join(root, file)), { recursive: true });
      writeFileSync(join(root, file), '');
    }
    const at = (file: string, seconds: number) => utimesSync(join(root, file), seconds, seconds);
    const build = (seconds: number) => {
      mkdirSync(dirname(join(root, ENTRY)), { recursive: true });
      writeFileSync(join(root, ENTRY), '');
      at(ENTRY, seconds);
    };
    for (const file of [...inputs, ...others]) at(file, 1_000_000);

    expect(isStale(root)).toBe(true); // never built
    build(1_000_010);
    expect(isStale(root)).toBe(false);
    for (const file of others) at(file, 1_000_020); // not inputs of the build
    expect(isStale(root)).toBe(false);
    for (const file of inputs) {
      at(file, 1_000_020);
      expect(isStale(root), file).toBe(true);
      at(file, 1_000_000);
    }
    expect(isStale(root)).toBe(false);
    rmSync(join(root, 'dist'), { recursive: true });
    expect(isStale(root)).toBe(true);
  });
});
