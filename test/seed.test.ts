// The demo data set: fictitious but valid identifiers, the promised mix of members, sane committees, deterministic.
import { PGlite } from '@electric-sql/pglite';
import { asc } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { committeeSeatsTable, committeesTable, committeeTermsTable } from '../src/committees/committees.table.js';
import { openDatabase } from '../src/db/client.js';
import { checkCreditCode, isValidCreditCode, parseStockCode } from '../src/members/identifiers.js';
import { associationsTable, ASSOCIATION_IDS } from '../src/associations/associations.table.js';
import { branchesTable, listingsTable, membershipsTable, organizationsTable } from '../src/members/members.table.js';
import { seedDemoData } from '../src/seed/demo-data.js';
import { seedCommittees } from '../src/committees/committees.seed.js';

async function seededDatabase() {
  const pg = new PGlite();
  const database = await openDatabase({ dataDir: 'unused', pglite: pg });
  await database.migrate();
  const counts = await seedDemoData(database.db);
  await seedCommittees(database.db);
  return { database, counts };
}

describe('seedDemoData', () => {
  it('loads a valid, realistic and deterministic data set', async () => {
    const { database, counts } = await seededDatabase();
    const { db } = database;
    try {
      const orgs = await db.select().from(organizationsTable).orderBy(asc(organizationsTable.id));
      const branches = await db.select().from(branchesTable).orderBy(asc(branchesTable.id));
      expect(counts).toEqual({ organizations: orgs.length, branches: branches.length });

      const ofKind = (kind: string) => orgs.filter((o) => o.kind === kind);
      // Shenzhen's scale (DOMAIN.md §15.6): 18 securities firms, at least 540 open branches.
      expect(ofKind('SECURITIES_FIRM').length).toBe(18);
      expect(ofKind('FUTURES_FIRM').length + ofKind('FUND_MANAGER').length).toBeGreaterThanOrEqual(4);
      const listed = ofKind('LISTED_COMPANY');
      expect(listed.length).toBeGreaterThanOrEqual(10);
      expect(new Set(listed.map((o) => o.stockExchange))).toEqual(new Set(['SZ', 'SH']));

      // Identifiers
      for (const code of [...orgs.map((o) => o.creditCode), ...branches.map((b) => b.creditCode)]) {
        expect(code !== null && isValidCreditCode(code), `credit code ${code}`).toBe(true);
      }
      // Valid under every GB 32100 rule, for its holder's kind, without even a GB 11714 warning.
      for (const o of orgs) expect(checkCreditCode(o.creditCode, o.kind), `${o.name} ${o.creditCode}`).toEqual({ errors: [], warnings: [] });
      for (const b of branches) expect(checkCreditCode(b.creditCode!, 'BRANCH'), `${b.name} ${b.creditCode}`).toEqual({ errors: [], warnings: [] });
      const allCodes = [...orgs.map((o) => o.creditCode), ...branches.map((b) => b.creditCode)];
      expect(new Set(allCodes).size).toBe(allCodes.length);
      for (const o of orgs.filter((o) => o.stockCode !== null)) {
        expect(parseStockCode(`${o.stockCode}.${o.stockExchange}`), `${o.name} ${o.stockCode}.${o.stockExchange}`).not.toBeNull();
      }

      // Listings: each listed organization's first listing is the one its stockCode columns repeat; A + H firms exist.
      const listings = await db.select().from(listingsTable).orderBy(asc(listingsTable.organizationId), asc(listingsTable.position));
      for (const o of orgs.filter((o) => o.stockCode !== null)) {
        const own = listings.filter((l) => l.organizationId === o.id);
        expect(own[0], o.name).toMatchObject({ exchange: o.stockExchange, code: o.stockCode, position: 0 });
      }
      expect(listings.every((l) => orgs.find((o) => o.id === l.organizationId)!.stockCode !== null)).toBe(true);
      const aPlusH = orgs.filter((o) => listings.some((l) => l.organizationId === o.id && l.exchange === 'HK') && ['SZ', 'SH'].includes(o.stockExchange!));
      expect(aPlusH.length).toBeGreaterThanOrEqual(2);

      // Branches: Shenzhen's network, most in 福田, 南山 and 罗湖, fewer in 宝安, 龙岗 and 龙华, a few elsewhere.
      const open = branches.filter((b) => b.closedOn === null);
      expect(open.length).toBeGreaterThanOrEqual(540);
      const share = (...districts: string[]) => open.filter((b) => districts.includes(b.district!)).length / open.length;
      expect(share('FUTIAN', 'LUOHU', 'NANSHAN')).toBeGreaterThanOrEqual(0.6);
      expect(share('FUTIAN', 'LUOHU', 'NANSHAN')).toBeLessThanOrEqual(0.8);
      expect(share('FUTIAN')).toBeGreaterThan(share('NANSHAN'));
      expect(share('BAOAN', 'LONGGANG', 'LONGHUA')).toBeGreaterThanOrEqual(0.15);
      expect(share('BAOAN', 'LONGGANG', 'LONGHUA')).toBeLessThanOrEqual(0.3);
      expect(share('YANTIAN', 'GUANGMING', 'PINGSHAN', 'DAPENG')).toBeGreaterThan(0);
      expect(share('YANTIAN', 'GUANGMING', 'PINGSHAN', 'DAPENG')).toBeLessThanOrEqual(0.1);
      for (const district of ['FUTIAN', 'NANSHAN', 'LUOHU']) expect(share(district), district).toBeGreaterThan(share('BAOAN'));
      // A few firms have dozens of branches, a tail a handful.
      const perFirm = ofKind('SECURITIES_FIRM').map((f) => open.filter((b) => b.firmId === f.id).length).sort((a, b) => b - a);
      expect(perFirm[0]).toBeGreaterThanOrEqual(40);
      expect(perFirm.at(-1)).toBeLessThanOrEqual(3);
      // Plausible house numbers: no 华强北路7634号; small roads have small numbers.
      const number = (address: string) => Number(/(\d+)号$/.exec(address)![1]);
      for (const b of branches) {
        expect(b.address, b.name).toMatch(/^深圳市.+?(区|新区).+\d+号$/);
        expect(number(b.address!), b.address!).toBeLessThanOrEqual(10_000);
        if (b.address!.includes('华强北路')) expect(number(b.address!)).toBeLessThanOrEqual(2008);
        if (/福华一路|中心四路|梅林路|文心五路/.test(b.address!)) expect(number(b.address!), b.address!).toBeLessThanOrEqual(138);
      }
      // The 2020 training's reach: at least 544 branches were open on 2020-04-28.
      expect(branches.filter((b) => b.openedOn! <= '2020-04-28' && (b.closedOn === null || b.closedOn >= '2020-04-28')).length).toBeGreaterThanOrEqual(544);
      const core = branches.filter((b) => b.district === 'FUTIAN' || b.district === 'LUOHU' || b.district === 'NANSHAN');
      expect(core.length / branches.length).toBeGreaterThanOrEqual(0.6);
      const firmName = new Map(orgs.map((o) => [o.id, o.name]));
      for (const b of branches) {
        expect(b.name.startsWith(firmName.get(b.firmId)!), b.name).toBe(true);
        expect(orgs.find((o) => o.id === b.firmId)?.kind).toBe('SECURITIES_FIRM');
        if (b.closedOn) expect(b.closedOn > b.openedOn!).toBe(true);
      }
      const branchCompanies = branches.filter((b) => b.kind === 'BRANCH_COMPANY').map((b) => b.firmId);
      expect(new Set(branchCompanies).size).toBe(branchCompanies.length);
      // A firm registered outside Shenzhen has Shenzhen branches.
      const outside = ofKind('SECURITIES_FIRM').filter((o) => o.district === null);
      expect(outside.length).toBeGreaterThanOrEqual(1);
      for (const firm of outside) expect(branches.some((b) => b.firmId === firm.id)).toBe(true);

      // Both associations, and every organization a member of its primary one: listed companies of SZLCA (in its
      // council units too), everyone else of SZSA; a listed securities firm of both.
      const associations = await db.select().from(associationsTable).orderBy(asc(associationsTable.id));
      expect(associations.map((a) => [a.id, a.code])).toEqual([[ASSOCIATION_IDS.SZSA, 'SZSA'], [ASSOCIATION_IDS.SZLCA, 'SZLCA']]);
      const memberships = await db.select().from(membershipsTable);
      const associationsOf = (orgId: number) => memberships.filter((m) => m.organizationId === orgId).map((m) => m.associationId).sort();
      for (const o of orgs) {
        const primary = o.kind === 'LISTED_COMPANY' ? ASSOCIATION_IDS.SZLCA : ASSOCIATION_IDS.SZSA;
        const own = memberships.find((m) => m.organizationId === o.id && m.associationId === primary);
        expect(own, o.name).toMatchObject({ category: o.membershipCategory, status: o.membershipStatus, since: o.memberSince });
      }
      const szlca = memberships.filter((m) => m.associationId === ASSOCIATION_IDS.SZLCA);
      expect(new Set(szlca.map((m) => m.category))).toEqual(new Set(['VICE_PRESIDENT_UNIT', 'COUNCIL_UNIT', 'ORDINARY']));
      for (const o of listed) expect(associationsOf(o.id)).toEqual([ASSOCIATION_IDS.SZLCA]);
      const listedFirms = ofKind('SECURITIES_FIRM').filter((o) => o.stockCode !== null);
      expect(listedFirms.some((o) => associationsOf(o.id).length === 2)).toBe(true);
      for (const m of szlca) expect(orgs.find((o) => o.id === m.organizationId)!.stockCode, 'SZLCA members are listed').not.toBeNull();

      // Committees: each association's, each with a current term with one chair and at most seven vice chairs
      const committees = await db.select().from(committeesTable);
      const codesOf = (associationId: number) => committees.filter((c) => c.associationId === associationId).map((c) => c.code).sort();
      expect(codesOf(ASSOCIATION_IDS.SZSA)).toEqual(['BROKERAGE_WEALTH', 'COMPLIANCE', 'FINTECH', 'INVESTMENT_BANKING']);
      expect(codesOf(ASSOCIATION_IDS.SZLCA)).toEqual(['BOARD_SECRETARIES', 'INVESTOR_RELATIONS']);
      const terms = await db.select().from(committeeTermsTable);
      const seats = await db.select().from(committeeSeatsTable);
      const currentPeople: number[] = [];
      for (const committee of committees) {
        const current = terms.filter((t) => t.committeeId === committee.id && t.endsOn === null);
        expect(current).toHaveLength(1);
        const held = seats.filter((s) => s.termId === current[0]!.id && s.endedOn === null);
        expect(held.filter((s) => s.role === 'CHAIR')).toHaveLength(1);
        expect(held.filter((s) => s.role === 'VICE_CHAIR').length).toBeLessThanOrEqual(7);
        expect(new Set(held.map((s) => s.organizationId)).size).toBe(held.length);
        // Seats are held by people of the committee's association's members.
        for (const seat of held) expect(associationsOf(seat.organizationId), `${committee.code} seat ${seat.personName}`).toContain(committee.associationId);
        if (committee.associationId === ASSOCIATION_IDS.SZLCA) expect(held.filter((s) => s.role === 'VICE_CHAIR').length).toBeGreaterThanOrEqual(1);
        currentPeople.push(...held.map((s) => s.personId));
        // Every past term keeps its final roster: every seat ended, on the term's last day (TERM_EXPIRED) or earlier.
        for (const past of terms.filter((t) => t.committeeId === committee.id && t.endsOn !== null)) {
          const roster = seats.filter((s) => s.termId === past.id);
          expect(roster.filter((s) => s.role === 'CHAIR').length).toBeGreaterThanOrEqual(1);
          for (const seat of roster) expect(seat.endedOn !== null && seat.endedOn <= past.endsOn!).toBe(true);
          expect(roster.filter((s) => s.endReason === 'TERM_EXPIRED').every((s) => s.endedOn === past.endsOn)).toBe(true);
          // People who left early, each followed by a successor from the same member.
          const early = roster.filter((s) => s.endReason !== 'TERM_EXPIRED');
          expect(early.length).toBeGreaterThanOrEqual(1);
          for (const left of early) expect(roster.some((s) => s.organizationId === left.organizationId && s.appointedOn > left.appointedOn)).toBe(true);
        }
      }
      // Some people carry on into the 第二届 with the same person record; two different people share a name.
      const terms1 = new Set(terms.filter((t) => t.number === 1 && t.endsOn !== null).map((t) => t.id));
      const terms2 = new Set(terms.filter((t) => t.number === 2).map((t) => t.id));
      const inBoth = new Set(seats.filter((s) => terms1.has(s.termId)).map((s) => s.personId));
      expect(seats.filter((s) => terms2.has(s.termId) && inBoth.has(s.personId)).length).toBeGreaterThan(0);
      const namesakes = new Set(seats.filter((s) => s.personName === '王磊').map((s) => s.personId));
      expect(namesakes.size).toBe(2);
      // One committee per person among the current terms.
      expect(new Set(currentPeople).size).toBe(currentPeople.length);

      // Not on a database that already has data
      await expect(seedDemoData(db)).rejects.toThrow('database already has data');

      // Deterministic: a second fresh database gets the same organizations.
      const second = await seededDatabase();
      try {
        const again = await second.database.db.select().from(organizationsTable).orderBy(asc(organizationsTable.id));
        const key = (rows: typeof orgs) => rows.map((o) => `${o.name}|${o.creditCode}`);
        expect(key(again)).toEqual(key(orgs));
        const againBranches = await second.database.db.select().from(branchesTable).orderBy(asc(branchesTable.id));
        const branchKey = (rows: typeof branches) => rows.map((b) => `${b.name}|${b.creditCode}|${b.openedOn}|${b.closedOn}`);
        expect(branchKey(againBranches)).toEqual(branchKey(branches));
        const againMemberships = await second.database.db.select().from(membershipsTable);
        const membershipKey = (rows: typeof memberships) => rows.map((m) => `${m.associationId}|${m.organizationId}|${m.category}|${m.since}`).sort();
        expect(membershipKey(againMemberships)).toEqual(membershipKey(memberships));
        const againSeats = await second.database.db.select().from(committeeSeatsTable).orderBy(asc(committeeSeatsTable.id));
        const seatKey = (rows: typeof seats) => rows.map((s) => `${s.termId}|${s.organizationId}|${s.personId}|${s.personName}|${s.role}|${s.endedOn}`);
        expect(seatKey(againSeats)).toEqual(seatKey(await db.select().from(committeeSeatsTable).orderBy(asc(committeeSeatsTable.id))));
      } finally {
        await second.database.close();
      }
    } finally {
      await database.close();
    }
    // Two fresh databases at Shenzhen's scale (about 560 branches each), checked row by row.
  }, 180_000);
});
