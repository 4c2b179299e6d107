// The domain parts of the authorization matrix, in the order their fixtures are built (one line per domain).
import { earlyReportsPart } from './early-reports.js';
import type { MatrixPart } from './part.js';

export const parts: MatrixPart[] = [];
parts.push(earlyReportsPart);
