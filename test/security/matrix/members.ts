// The member directory's additions to the authorization matrix (issue 24): Organization.listings, public like
// stockCode and the directory itself. The fixture gives the listed company (SZLCA) an H share beside its A share
// through the API, as SZLCA's staff would, so the probes look for a listing only this run added.
import { expect } from 'vitest';
import { ALL, asStaff, viaNode, viaNodes, viaQuery, type World } from '../authorization-matrix.table.js';
import { definePart } from './part.js';

interface Fixture {
  /** The H share added to the listed company, as its symbol shows (e.g. 8123.HK). */
  hShare: string;
  primary: string;
}

async function build(w: World): Promise<Fixture> {
  const listed = await asStaff(w.t, w.tokens.SZLCA_STAFF!, 'query($c: String!) { organization(creditCode: $c) { id stockCode } }', { c: w.szlca.listed.creditCode });
  const primary = listed.organization.stockCode as string;
  expect(primary, 'the demo listed company has a stock code').toBeTruthy();
  // An HKEX number no demo organization uses (08000–08999, shown 4-digit).
  const hShare = `${8000 + Math.floor(Math.random() * 1000)}.HK`;
  const res = await asStaff(
    w.t,
    w.tokens.SZLCA_STAFF!,
    'mutation($id: ID!, $l: [String!]) { updateOrganization(input: { id: $id, listings: $l }) { organization { listings { symbol } } userErrors { code message } } }',
    { id: listed.organization.id, l: [primary, ` ${hShare.toLowerCase()} `] },
  );
  expect(res.updateOrganization.userErrors).toEqual([]);
  expect(res.updateOrganization.organization.listings.map((l: { symbol: string }) => l.symbol)).toEqual([primary, hShare]);
  return { hShare, primary };
}

export const membersPart = definePart('members', build, (of) => {
  const hasH = (listings: { symbol: string; board?: string; primary?: boolean }[] | undefined, w: World) =>
    listings?.some((l) => l.symbol === of(w).hShare && l.primary === false) === true;
  return [
    {
      object: 'Listings of the listed company (Organization.listings; directory, public like stockCode)',
      seenBy: ALL,
      probes: [
        viaQuery(
          'nested',
          'organization(creditCode) { listings }',
          'query($c: String!) { organization(creditCode: $c) { stockCode listings { symbol board primary } } }',
          (d, w) => d.organization?.stockCode === of(w).primary && hasH(d.organization?.listings, w),
          (w) => ({ c: w.szlca.listed.creditCode }),
        ),
        viaQuery(
          'list',
          'organizations(filter: { search: H share }) { edges { node { listings } } }',
          'query($s: String) { organizations(first: 5, filter: { search: $s }) { edges { node { listings { symbol board primary } } } } }',
          (d, w) => d.organizations.edges.some((e: any) => hasH(e.node.listings, w)),
          (w) => ({ s: of(w).hShare }),
        ),
        viaNode((w) => w.szlca.listed.id, '... on Organization { listings { symbol board primary } }', (n, w) => hasH(n.listings, w)),
        viaNodes((w) => w.szlca.listed.id, '... on Organization { listings { symbol board primary } }', (n, w) => hasH(n.listings, w)),
      ],
    },
  ];
});
