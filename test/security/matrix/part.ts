// A domain's share of the authorization matrix: its fixture, built once after the shared world (authorization-matrix
// .table.ts), and its rows, which read that fixture. Each domain keeps its part in its own file here and adds one line
// to ./index.ts; the test runs every part's rows exactly like the table's.
import type { MatrixRow, World } from '../authorization-matrix.table.js';

export interface MatrixPart {
  name: string;
  /** Creates the part's objects (as the principals would, through the API where it can) after the shared world. */
  build(w: World): Promise<unknown>;
  rows: MatrixRow[];
}

/**
 * Defines a part whose rows read its fixture through `of(w)`:
 * `definePart('training', buildTraining, (of) => [{ object: 'Practitioner', …, probes: [viaNode((w) => of(w).practitioner.id)] }])`.
 */
export function definePart<T>(name: string, build: (w: World) => Promise<T>, rows: (of: (w: World) => T) => MatrixRow[]): MatrixPart {
  const of = (w: World) => {
    if (!(name in w.parts)) throw new Error(`the matrix part ${name} was not built`);
    return w.parts[name] as T;
  };
  return { name, build, rows: rows(of) };
}
