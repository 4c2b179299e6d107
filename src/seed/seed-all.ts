// The whole demo data set: the directory first, then each domain's demo rows. Runs inside the caller's transaction.
import type { DbOrTx } from '../db/client.js';
import { seedPolicyInterpretations } from '../policies/policies.seed.js';
import { seedRatings } from '../ratings/ratings.seed.js';
import { seedSelfRegulation } from '../self-regulation/self-regulation.seed.js';
import { seedStatistics } from '../statistics/statistics.seed.js';
import { seedSuggestions } from '../suggestions/suggestions.seed.js';
import { seedTraining } from '../training/training.seed.js';
import { seedCommittees } from '../committees/committees.seed.js';
import { seedDemoData } from './demo-data.js';
import { seedEarlyReports } from '../early-reports/early-reports.seed.js';

export async function seedAll(tx: DbOrTx): Promise<Record<string, number>> {
  const counts: Record<string, number> = { ...(await seedDemoData(tx)) };
  // Domain seeds register below, in dependency order.
  Object.assign(counts, await seedCommittees(tx));
  Object.assign(counts, await seedRatings(tx));
  Object.assign(counts, await seedSuggestions(tx));
  Object.assign(counts, await seedPolicyInterpretations(tx));
  Object.assign(counts, await seedSelfRegulation(tx));
  Object.assign(counts, await seedStatistics(tx));
  Object.assign(counts, await seedEarlyReports(tx));
  Object.assign(counts, await seedTraining(tx));
  return counts;
}
