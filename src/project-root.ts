// The project root: the nearest directory above this module that holds package.json. Paths to drizzle/, schema/ and
// bench/ are taken from it, so they resolve alike from src/ (tsx, vitest) and from the compiled dist/src/.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function findProjectRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json in ${from} or above it`);
  }
}

export const projectRoot = findProjectRoot(dirname(fileURLToPath(import.meta.url)));

/** A path under the project root, e.g. `fromProjectRoot('drizzle')`. */
export function fromProjectRoot(...segments: string[]): string {
  return join(projectRoot, ...segments);
}
