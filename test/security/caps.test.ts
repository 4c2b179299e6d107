// Lists are capped everywhere: every DataLoader has a batch cap, and every list field that is not a paged connection
// is bounded, either by a cap in code or by what can exist. The table below names the bound of each; a new list field
// fails the test until someone says how it is bounded.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { getNullableType, isListType, isObjectType } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Viewer } from '../../src/auth/viewer.js';
import { ServiceAccountRef } from '../../src/clients/clients.schema.js';
import { CommitteeRef } from '../../src/committees/committees.schema.js';
import type { Context } from '../../src/graphql/context.js';
import { MAX_BATCH_SIZE } from '../../src/graphql/loader.js';
import { schema } from '../../src/graphql/schema.js';
import { createLogger } from '../../src/logger.js';
import { BranchRef, OrganizationRef } from '../../src/members/members.schema.js';
import { PolicyInterpretationRef } from '../../src/policies/policies.schema.js';
import { MAX_REVISIONS_LISTED } from '../../src/policies/policies.service.js';
import { BranchRatingRef } from '../../src/ratings/ratings.branch-ratings.schema.js';
import { RatingCycleRef, RatingGuidelineRef } from '../../src/ratings/ratings.schema.js';
import { SuggestionCampaignRef, SuggestionRef } from '../../src/suggestions/suggestions.schema.js';
import { WebhookDeliveryRef, WebhookSubscriptionRef } from '../../src/webhooks/webhooks.schema.js';
import { createTestApp, type TestApp } from '../support/harness.js';
import { expectStillUp } from './support.js';

/** How each non-connection list field is bounded. */
const BOUNDS: Record<string, string> = {
  'Query.nodes': 'at most 100 ids (MAX_NODES), refused beyond',
  'Query.committees': 'one per CommitteeCode (enum)',
  'Query.associations': 'one per AssociationCode (enum; unique code)',
  'Query.ratingCycles': 'one per year, 2019–2100',
  'Query.ratingGuidelines': 'guideline versions, created by the association only',
  'Query.supervisionList': 'one rating per branch in a year (hundreds), staff only',
  'Branch.ratings': 'one per cycle (year)',
  'BranchRating.followUps': 'the follow-up types × owners of one grade',
  'BranchRating.indicatorScores': "the cycle's indicators (MAX_INDICATORS = 100)",
  'BranchRating.overrides': "the guideline's override rules (MAX_OVERRIDE_RULES = 20)",
  'BranchRating.scoreLines': '3 stages × indicators (one line per stage and indicator)',
  'BranchRatingPayload.scoreLines': 'the lines of one call (MAX_SCORES_PER_CALL = 100)',
  'Committee.terms': 'one per term (换届, every few years), association only',
  'CommitteeTerm.roster': 'every seat of one term, appointed by the association only (one per member at a time, a term lasts a few years)',
  'Suggestion.forwardings': 'MAX_RECIPIENTS_PER_SUGGESTION = 20',
  'ForwardSuggestionsPayload.forwardings': 'one batch per recipient of one call (MAX_RECIPIENTS_PER_FORWARD = 10)',
  'CommitteeTerm.seats': 'seats held in one term, appointed by the association only (vice chairs ≤ 7, one chair)',
  'ForwardSuggestionsPayload.suggestions': 'one batch (MAX_FORWARD_BATCH = 100)',
  'ImportBranchScoresPayload.branchRatings': 'the rows of one import (MAX_IMPORT_ROWS = 10,000)',
  'Organization.contacts': 'MAX_CONTACTS_PER_ORGANIZATION = 20',
  'Organization.memberships': 'one per association (unique association and organization)',
  'Organization.listings': 'MAX_LISTINGS = 10 (positions 0–9, checked in the table)',
  'OrganizationPayload.warnings': 'the credit code checks of one save (at most one GB 11714 warning)',
  'BranchPayload.warnings': 'the credit code checks of one save (at most one GB 11714 warning)',
  'PolicyInterpretation.qa': 'LIMITS.qa = 30',
  'PolicyInterpretation.revisions': `the newest MAX_REVISIONS_LISTED = ${MAX_REVISIONS_LISTED}`,
  'PolicyInterpretation.sources': 'LIMITS.sources = 10',
  'PolicyInterpretation.tags': 'LIMITS.tags = 10',
  'PolicyInterpretationRevision.qa': 'LIMITS.qa = 30',
  'PolicyInterpretationRevision.sources': 'LIMITS.sources = 10',
  'PolicyInterpretationRevision.tags': 'LIMITS.tags = 10',
  'RatingGuideline.indicators': 'MAX_INDICATORS = 100',
  'RatingGuideline.overrideRules': 'MAX_OVERRIDE_RULES = 20',
  'Reports.membershipSummary': 'GROUP BY kind × district × status (enums)',
  'Reports.ratingDistribution': 'four grades',
  'Reports.suggestionSummary': 'GROUP BY topic × status (enums)',
  'Reports.supervisoryFollowUpSummary': 'GROUP BY enums',
  'SearchExcerpt.fragments': 'pieces of one short excerpt',
  'ServiceAccount.activeSecrets': 'the current secret and at most one in its rotation overlap',
  'ServiceAccount.scopes': 'the four scopes',
  'TrustedDocumentManifest.documents': 'the documents of one manifest version (MAX_MANIFEST_DOCUMENTS = 500, refused beyond)',
  'TrustedDocument.operationNames': 'the named operations of one document (at most 20,000 characters)',
  'Suggestion.events': 'the status machine: at most six moves',
  'SuggestionCampaign.invitedKinds': 'OrganizationKind (enum, deduplicated)',
  'SuggestionCampaign.topics': 'SuggestionTopic (enum, deduplicated)',
  'UserError.field': 'a path into the input',
  'WebhookDelivery.attemptLog': 'WEBHOOK_MAX_ATTEMPTS (at most 30)',
  'WebhookSubscription.eventTypes': 'the four event types (deduplicated)',
  // ---- self-regulation (issue 20)
  'SelfRegulatoryRule.comments': 'consultation only; MAX_COMMENTS_PER_ORGANIZATION = 20 per member and rule',
  'SelfRegulatoryRule.versions': 'one per amendment, made by the association only (one open at a time)',
  'SelfRegulatoryRule.changes': 'the lines of two texts of at most RULE_LIMITS.body = 50,000 characters',
  'DisciplinaryCase.measures': 'CASE_LIMITS.measures = 12 (one per type)',
  'DisciplinaryCase.events': 'the stage machine: at most five moves',
  'DisciplinaryCase.aggravatingFactors': 'DisciplinaryAggravatingFactor (enum, deduplicated)',
  // ---- statistics (issue 18)
  'Query.industryStatistics': 'GROUP BY metric × district or kind (enums): at most 9 × 11 cells',
  'Query.developmentReports': 'one per association and year (unique), years 2000–2100, created by staff only',
  'Query.statisticsMetrics': 'one per MetricCode (enum; the definitions are filtered to it)',
  'StatisticsMetric.appliesToKinds': 'OrganizationKind (enum)',
  'StatisticsMetric.periodKinds': 'StatisticsPeriodKind (enum)',
  'StatisticsReturn.values': 'one per metric (primary key return × metric; MAX_VALUES_PER_SAVE = 100)',
  'StatisticsReturn.warnings': 'at most two per metric value',
  'StatisticsReturn.versions': 'one per save after a staff RETURN (each version needs a review first)',
  // ---- early-reports (issue 19)
  'BestPractice.relatedPolicyInterpretations': 'MAX_RELATED_INTERPRETATIONS = 10',
  'BestPractice.relatedTrainingProgrammes': 'MAX_RELATED_PROGRAMMES = 10',
  'EarlyReport.events': 'the status machine: at most four moves (SUBMITTED, ACKNOWLEDGED, ESCALATED, CLOSED)',
  'Reports.earlyReportCounts': 'GROUP BY association × month × category × severity (2 × 12 × 8 × 4)',
  // training (issue 17)
  'TrainingNeedsSurvey.topics': 'TrainingTopic (enum, deduplicated)',
  'TrainingNeedsSurvey.results': 'one per offered topic (TrainingTopic, enum)',
  'TrainingSession.lecturers': 'MAX_LECTURERS = 10',
  'RegisterPractitionersPayload.practitioners': 'the rows of one call (MAX_REGISTER_BATCH = 500)',
  'IssueTrainingCertificatesPayload.certificates': "one per practitioner who completed the session (the session's participants), association only",
};

function listFields(): string[] {
  const out: string[] = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      if (!isListType(getNullableType(field.type))) continue;
      // Connections are paged (first ≤ 100) and payloads' userErrors are bounded by the (capped) input.
      if (type.name.endsWith('Connection') && field.name === 'edges') continue;
      if (field.name === 'userErrors') continue;
      out.push(`${type.name}.${field.name}`);
    }
  }
  return out.sort();
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

describe('caps: lists and batches', () => {
  it('every list field that is not a connection has a stated bound', () => {
    expect(listFields()).toEqual(Object.keys(BOUNDS).sort());
  });

  it('every Pothos loadable and every DataLoader in src/ sets maxBatchSize', () => {
    const missing: string[] = [];
    for (const file of sourceFiles('src')) {
      const text = readFileSync(file, 'utf8');
      for (const match of text.matchAll(/builder\.loadableNode\(|t\.loadable\(\{|t\.loadableList\(\{|t\.loadableGroup\(\{|new DataLoader[<(]/g)) {
        const rest = text.slice(match.index!);
        // Pothos: the options before `load:`; DataLoader: the constructor call (its options follow the batch function).
        const options = match[0].startsWith('new') ? rest.slice(0, 800) : rest.slice(0, rest.search(/\n\s*load:/));
        if (!options.includes('maxBatchSize')) missing.push(`${file}:${text.slice(0, match.index).split('\n').length}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it(`node types' DataLoaders are capped at MAX_BATCH_SIZE (${MAX_BATCH_SIZE}) keys per batch`, () => {
    const viewer: Viewer = { role: 'ANONYMOUS', subject: 'anonymous', organizationId: null };
    const ctx = { viewer, db: null, locale: 'zh', logger: createLogger('silent'), requestId: 'caps' } as unknown as Context;
    const refs = [OrganizationRef, BranchRef, CommitteeRef, RatingGuidelineRef, RatingCycleRef, BranchRatingRef, SuggestionRef, SuggestionCampaignRef, PolicyInterpretationRef, ServiceAccountRef, WebhookSubscriptionRef, WebhookDeliveryRef];
    for (const ref of refs) {
      const loader = (ref as unknown as { getDataloader(ctx: Context): { _maxBatchSize: number } }).getDataloader(ctx);
      expect(loader._maxBatchSize, String(ref)).toBe(MAX_BATCH_SIZE);
    }
  });
});

describe('caps: nested lists at run time', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it(`PolicyInterpretation.revisions lists the newest ${MAX_REVISIONS_LISTED}, however many are stored`, async () => {
    const association = await t.token('association');
    const first = await t.gql('{ policyInterpretations(first: 1) { edges { node { id revision } } } }', undefined, { token: association });
    const { id } = first.body.data.policyInterpretations.edges[0].node;
    const key = Number(Buffer.from(id, 'base64url').toString().split(':')[1]);
    // 60 more revisions, as a long editing history would leave (written directly: the cap is about reading).
    await t.database.db.execute(sql`
      insert into policy_revisions (interpretation_id, revision, content, note, actor_sub, actor_role)
      select r.interpretation_id, r.revision + g, r.content, 'bulk', r.actor_sub, r.actor_role
      from policy_revisions r, generate_series(1, 60) g
      where r.interpretation_id = ${key} and r.revision = (select max(revision) from policy_revisions where interpretation_id = ${key})`);
    const stored = (await t.database.db.execute(sql`select count(*)::int as n, max(revision)::int as newest from policy_revisions where interpretation_id = ${key}`)) as unknown as { rows: { n: number; newest: number }[] };
    expect(stored.rows[0]!.n).toBeGreaterThan(MAX_REVISIONS_LISTED);
    const res = await t.gql('query($id: ID!) { a: policyInterpretation(id: $id) { revisions { revision } } b: node(id: $id) { ... on PolicyInterpretation { revisions { revision } } } }', { id }, { token: association });
    expect(res.body.errors).toBeUndefined();
    for (const alias of ['a', 'b']) {
      const revisions = res.body.data[alias].revisions.map((r: { revision: number }) => r.revision);
      expect(revisions).toHaveLength(MAX_REVISIONS_LISTED);
      expect(revisions[0]).toBe(stored.rows[0]!.newest);
      expect(revisions).toEqual([...revisions].sort((x, y) => y - x));
    }
    await expectStillUp(t);
  });
});
