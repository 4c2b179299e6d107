// Counters of what the ingestion paths took in (issue 21, "ingestion counters"), for /metrics (src/server/metrics.ts
// reads them at each scrape, as it reads the known-query counts). Plain numbers in this process, bumped where each
// ingestion answers: nothing is allocated per event and no lower layer imports the metrics library.

export interface IngestionCounts {
  /** POST /training/view-events: lines stored, lines already stored (same event id), lines refused. */
  trainingViewEvents: { accepted: number; duplicate: number; rejected: number };
  /** Statistics returns saved (saveStatisticsReturn) and submitted (submitStatisticsReturn), answered without an error. */
  statisticsReturns: { saved: number; submitted: number };
}

export const ingestionCounts: IngestionCounts = {
  trainingViewEvents: { accepted: 0, duplicate: 0, rejected: 0 },
  statisticsReturns: { saved: 0, submitted: 0 },
};
