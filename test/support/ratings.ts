// Small factories for the rating tests: who is who (with tokens and in-process viewers), GraphQL documents,
// driving a new cycle to a stage, and a fingerprint of everything the rating mutations write.
import { sql } from 'drizzle-orm';
import { expect } from 'vitest';
import type { Viewer } from '../../src/auth/viewer.js';
import { creditCodeOf, type TestApp } from './harness.js';

export const RATING_FIELDS = `id year totalScore grade computedGrade underDailySupervision version
  branch { id name firm { id creditCode } }
  indicatorScores { indicator { code } value points stage }
  overrides { rule { code type } stage reason }
  followUps { type owner dueOn }`;

export const SCORE = `mutation($input: ScoreBranchRatingInput!) {
  scoreBranchRating(input: $input) {
    branchRating { id totalScore grade computedGrade version gradeAdjustment { grade reason } overrides { rule { code } reason } }
    scoreLines { indicator { code } stage value comment enteredByRole }
    userErrors { field code message }
  }
}`;
export const IMPORT = `mutation($input: ImportBranchScoresInput!) {
  importBranchScores(input: $input) {
    importedRows
    branchRatings { id totalScore grade branch { id } }
    userErrors { field code message }
  }
}`;
export const CREATE_CYCLE = `mutation($input: CreateRatingCycleInput!) {
  createRatingCycle(input: $input) { ratingCycle { id year status guideline { version } } userErrors { field code message } }
}`;
export const ADVANCE = `mutation($year: Int!, $to: RatingCycleStatus!) {
  advanceRatingCycle(input: { year: $year, to: $to }) { ratingCycle { year status } userErrors { field code message } }
}`;
export const PUBLISH = `mutation($year: Int!) {
  publishRatingCycle(input: { year: $year }) { ratingCycle { id year status publishedAt } userErrors { field code message } }
}`;

export type Who = 'anonymous' | 'firm' | 'otherFirm' | 'listed' | 'association' | 'regulator';
export const ROLES: Who[] = ['anonymous', 'firm', 'otherFirm', 'listed', 'association', 'regulator'];

export interface Cast {
  firmCode: string;
  otherFirmCode: string;
  firmOrgDbId: number;
  /** Global ids of the firm's branches, and of another firm's. */
  firmBranchIds: string[];
  otherFirmBranchIds: string[];
  tokens: Record<Who, string | undefined>;
  viewers: Record<Who, Viewer>;
}

/** The first two seeded securities firms (each with branches), a listed company, and staff. */
export async function cast(t: TestApp): Promise<Cast> {
  const firmCode = await creditCodeOf(t, 'SECURITIES_FIRM', 0);
  const otherFirmCode = await creditCodeOf(t, 'SECURITIES_FIRM', 1);
  const listedCode = await creditCodeOf(t, 'LISTED_COMPANY', 0);
  const branchesOf = async (code: string) => {
    const res = await t.gql(`query($c: String!) { organization(creditCode: $c) { branches(first: 100) { edges { node { id closedOn } } } } }`, { c: code });
    return res.body.data.organization.branches.edges.filter((e: any) => e.node.closedOn === null).map((e: any) => e.node.id as string);
  };
  const dbId = async (code: string) => scalar(t, sql`select id from organizations where credit_code = ${code}`);
  const firmOrgDbId = await dbId(firmCode);
  return {
    firmCode,
    otherFirmCode,
    firmOrgDbId,
    firmBranchIds: await branchesOf(firmCode),
    otherFirmBranchIds: await branchesOf(otherFirmCode),
    tokens: {
      anonymous: undefined,
      firm: await t.token('firm', firmCode),
      otherFirm: await t.token('firm', otherFirmCode),
      listed: await t.token('listed_company', listedCode),
      association: await t.token('association'),
      regulator: await t.token('regulator'),
    },
    viewers: {
      anonymous: { role: 'ANONYMOUS', subject: 'anonymous', organizationId: null },
      firm: { role: 'FIRM', subject: 'test:firm', organizationId: firmOrgDbId },
      otherFirm: { role: 'FIRM', subject: 'test:other', organizationId: await dbId(otherFirmCode) },
      listed: { role: 'LISTED_COMPANY', subject: 'test:listed', organizationId: await dbId(listedCode) },
      association: { role: 'ASSOCIATION', subject: 'test:association', organizationId: null },
      regulator: { role: 'REGULATOR', subject: 'test:regulator', organizationId: null },
    },
  };
}

export async function scalar(t: TestApp, query: ReturnType<typeof sql>): Promise<number> {
  const res = (await t.database.db.execute(query)) as unknown as { rows: Record<string, unknown>[] };
  return Number(Object.values(res.rows[0]!)[0]);
}

/** Everything the rating mutations write, to prove a refused call wrote nothing. */
export async function fingerprint(t: TestApp) {
  const res = (await t.database.db.execute(sql`select
      (select count(*) from rating_guidelines) as guidelines,
      (select count(*) from rating_cycles) as cycles,
      (select string_agg(year || ':' || status, ',' order by year) from rating_cycles) as statuses,
      (select count(*) from branch_ratings) as ratings,
      (select coalesce(sum(version), 0) from branch_ratings) as versions,
      (select count(*) from rating_score_lines) as lines,
      (select coalesce(sum(value), 0) from rating_score_lines) as line_values,
      (select count(*) from rating_override_decisions) as decisions,
      (select count(*) from supervisory_follow_ups) as follow_ups,
      (select count(*) from outbox_events) as events,
      (select count(*) from audit_log) as audits`)) as unknown as { rows: Record<string, unknown>[] };
  return Object.fromEntries(Object.entries(res.rows[0]!).map(([k, v]) => [k, String(v)]));
}

export async function expectNothingWritten(t: TestApp, before: Record<string, string>) {
  expect(await fingerprint(t)).toEqual(before);
}

export function userErrorsOf(res: { body: { data?: any; errors?: unknown } }, field: string) {
  expect(res.body.errors).toBeUndefined();
  return res.body.data[field].userErrors as { field: string[] | null; code: string; message: string }[];
}

/**
 * Creates a cycle for `year` under `version` on the real rhythm (the rating of a year runs early the next year:
 * self-assessment by mid-February, results by 15 March), so its deadlines are in the future, and moves it to `status`.
 */
export async function cycleAt(t: TestApp, tokens: Cast['tokens'], year: number, status: string, version = 2) {
  const created = await t.gql(
    CREATE_CYCLE,
    {
      input: {
        year,
        guidelineVersion: version,
        selfAssessmentDueOn: `${year + 1}-02-13`,
        associationScoringDueOn: `${year + 1}-02-27`,
        bureauReviewDueOn: `${year + 1}-03-10`,
        publicationDueOn: `${year + 1}-03-15`,
      },
    },
    { token: tokens.association },
  );
  expect(created.body.data.createRatingCycle.userErrors).toEqual([]);
  const order = ['PLANNED', 'SELF_ASSESSMENT', 'ASSOCIATION_SCORING', 'BUREAU_REVIEW'];
  for (const to of order.slice(1, order.indexOf(status) + 1)) {
    const moved = await t.gql(ADVANCE, { year, to }, { token: tokens.association });
    expect(moved.body.data.advanceRatingCycle.userErrors).toEqual([]);
  }
}
