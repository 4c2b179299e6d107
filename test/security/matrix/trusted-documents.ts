// Trusted-document manifests' part of the authorization matrix (issue 22, docs/TRUSTED-DOCUMENTS.md): a manifest of
// the bureau's scoped account (managed by SZSA staff) and one of the listed companies association's scoped account,
// through the list, its count, node, nodes, the nested documents and the upload's payload. Only the staff who manage
// the account and the account itself (holding documents:write, which the scoped accounts hold) see them.
import { expect } from 'vitest';
import { asStaff, tag, viaList, viaNode, viaNodes, viaQuery, viaTotalCount, withCount, type MatrixRow, type Probe, type World } from '../authorization-matrix.table.js';
import { staffToken } from '../../support/integration.js';
import { definePart } from './part.js';

interface Manifest {
  id: string;
  marker: string;
}

interface Fixture {
  bureau: Manifest;
  szlca: Manifest;
}

const UPLOAD = `mutation($input: UploadTrustedDocumentManifestInput!) {
  uploadTrustedDocumentManifest(input: $input) { trustedDocumentManifest { id documents { body } } userErrors { code } }
}`;

/** A document whose text (its operation name) only this manifest carries. */
const documentOf = (marker: string) => `query ${marker} { __typename }`;

async function upload(w: World, token: string, serviceAccountId: string): Promise<Manifest> {
  const marker = `MatrixTrusted_${tag()}`;
  const data = await asStaff(w.t, token, UPLOAD, { input: { serviceAccountId, documents: [documentOf(marker)] } });
  expect(data.uploadTrustedDocumentManifest.userErrors).toEqual([]);
  return { id: data.uploadTrustedDocumentManifest.trustedDocumentManifest.id, marker };
}

async function build(w: World): Promise<Fixture> {
  return {
    bureau: await upload(w, w.tokens.ASSOCIATION!, w.serviceAccount.id),
    szlca: await upload(w, await staffToken(w.t, 'SZLCA'), w.szlca.serviceAccount.id),
  };
}

const list = (count: boolean) =>
  `query($sa: ID, $after: String) { trustedDocumentManifests(serviceAccountId: $sa, first: 100, after: $after) { ${count ? withCount('version') : withCount('documents { body }')} } }`;

export const trustedDocumentsPart = definePart('trusted-documents', build, (of) => {
  const probes = (manifest: (w: World) => Manifest, account: (w: World) => string): Probe[] => [
    viaList('trustedDocumentManifests(serviceAccountId)', list(false), (d) => d.trustedDocumentManifests, (w) => manifest(w).id, (w) => ({ sa: account(w) })),
    viaTotalCount('trustedDocumentManifests(serviceAccountId).totalCount', list(true), (d) => d.trustedDocumentManifests, (w) => manifest(w).id, (w) => ({ sa: account(w) })),
    viaNode((w) => manifest(w).id, '... on TrustedDocumentManifest { id version }'),
    viaNodes((w) => manifest(w).id, '... on TrustedDocumentManifest { version }'),
    viaQuery(
      'nested',
      'TrustedDocumentManifest.documents',
      'query($id: ID!) { node(id: $id) { ... on TrustedDocumentManifest { documents { documentId body } } } }',
      (d, w) => (d.node?.documents ?? []).some((doc: { body: string }) => doc.body.includes(manifest(w).marker)),
      (w) => ({ id: manifest(w).id }),
    ),
    // A new version with the same document: its payload carries the document only for those who may upload.
    viaQuery(
      'payload',
      'uploadTrustedDocumentManifest(serviceAccountId).trustedDocumentManifest',
      UPLOAD,
      (d, w) => (d.uploadTrustedDocumentManifest?.trustedDocumentManifest?.documents ?? []).some((doc: { body: string }) => doc.body.includes(manifest(w).marker)),
      (w) => ({ input: { serviceAccountId: account(w), documents: [documentOf(manifest(w).marker)] } }),
    ),
  ];
  const rows: MatrixRow[] = [
    {
      object: 'TrustedDocumentManifest of the bureau’s scoped account (managed by SZSA staff)',
      seenBy: ['ASSOCIATION', 'SA_SCOPED'],
      marker: (w) => of(w).bureau.marker,
      probes: probes((w) => of(w).bureau, (w) => w.serviceAccount.id),
    },
    {
      object: 'TrustedDocumentManifest of the listed companies association’s scoped account (SZLCA)',
      seenBy: ['SZLCA_STAFF', 'SZLCA_SA_SCOPED'],
      marker: (w) => of(w).szlca.marker,
      probes: probes((w) => of(w).szlca, (w) => w.szlca.serviceAccount.id),
    },
  ];
  return rows;
});
