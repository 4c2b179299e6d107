// Bulk export jobs' part of the authorization matrix (issue 22): a job each of the regulator in person, the bureau's
// scoped service account, the securities association's staff and the listed companies association's staff, through
// exportJobs, its totalCount, node, nodes, and the file and manifest routes (GET /exports/{id}[/manifest]). A job is
// seen by whoever started it, the people of its association (the regulator's people: the bureau's jobs), nobody else.
import { createHash } from 'node:crypto';
import { expect } from 'vitest';
import { startExportWorker } from '../../../src/exports/exports.worker.js';
import { createLogger } from '../../../src/logger.js';
import { ask, viaList, viaNode, viaNodes, viaTotalCount, withCount, type Principal, type Probe, type World } from '../authorization-matrix.table.js';
import { expectNoLeak } from '../support.js';
import { definePart } from './part.js';

interface Fixture {
  regulator: string;
  bureauAccount: string;
  szsa: string;
  szlca: string;
}

const START = `mutation($i: StartExportInput!) { startExport(input: $i) { exportJob { id } userErrors { code } } }`;

async function build(w: World): Promise<Fixture> {
  const start = async (p: Principal, input: Record<string, unknown>) => {
    const res = await ask(w, p, START, { i: input });
    expect(res.body.data.startExport.userErrors, `${p} starts an export`).toEqual([]);
    return res.body.data.startExport.exportJob.id as string;
  };
  const fixture = {
    regulator: await start('REGULATOR', { kind: 'RATINGS', format: 'CSV', year: 2025 }),
    bureauAccount: await start('SA_SCOPED', { kind: 'TRAINING_HOURS', format: 'JSONL', year: 2026 }),
    szsa: await start('ASSOCIATION', { kind: 'SUGGESTIONS', format: 'JSONL', from: '2020-01-01', to: '2030-12-31' }),
    szlca: await start('SZLCA_STAFF', { kind: 'STATISTICS', format: 'CSV', period: '2026-10' }),
  };
  const worker = startExportWorker({ db: w.t.database.db, logger: createLogger('silent'), pollIntervalMs: 60_000, maxRows: 1_000_000 });
  await worker.runOnce();
  await worker.stop();
  return fixture;
}

const jobs = (count: boolean) => `query($after: String) { exportJobs(first: 100, after: $after) { ${count ? withCount('') : withCount('status').replace('totalCount ', '')} } }`;

/** GET /exports/{id} (the file, its SHA-256 in Repr-Digest) or /manifest: visible when 200; 401 without a token, 404 otherwise. */
function viaDownload(idOf: (w: World) => string, manifest: boolean): Probe {
  return {
    path: 'csv',
    how: manifest ? 'GET /exports/{id}/manifest' : 'GET /exports/{id}',
    async run(w, p) {
      const token = w.tokens[p];
      const res = await fetch(`${w.t.url}/exports/${idOf(w)}${manifest ? '/manifest' : ''}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
      const body = Buffer.from(await res.arrayBuffer());
      const text = body.toString('utf8');
      if (res.status === 200) {
        if (!manifest) expect(res.headers.get('repr-digest')).toBe(`sha-256=:${createHash('sha256').update(body).digest('base64')}:`);
        return { visible: true, text };
      }
      expect(res.status, `${p}: ${text.slice(0, 200)}`).toBe(token ? 404 : 401);
      expectNoLeak(text);
      return { visible: false, text };
    },
  };
}

export const exportsPart = definePart('exports', build, (of) => {
  const probes = (idOf: (w: World) => string): Probe[] => [
    viaList('exportJobs', jobs(false), (d) => d.exportJobs, idOf),
    viaTotalCount('exportJobs.totalCount', jobs(true), (d) => d.exportJobs, idOf),
    viaNode(idOf, '... on ExportJob { id status manifest { sha256 } downloadUrl }'),
    viaNodes(idOf, '... on ExportJob { kind }'),
    viaDownload(idOf, false),
    viaDownload(idOf, true),
  ];
  return [
    { object: 'ExportJob of the regulator in person (the bureau’s)', seenBy: ['REGULATOR'], probes: probes((w) => of(w).regulator) },
    { object: 'ExportJob of the bureau’s scoped service account', seenBy: ['SA_SCOPED', 'REGULATOR'], probes: probes((w) => of(w).bureauAccount) },
    { object: 'ExportJob of the securities association’s staff (SZSA)', seenBy: ['ASSOCIATION'], probes: probes((w) => of(w).szsa) },
    { object: 'ExportJob of the listed companies association’s staff (SZLCA)', seenBy: ['SZLCA_STAFF'], probes: probes((w) => of(w).szlca) },
  ];
});
