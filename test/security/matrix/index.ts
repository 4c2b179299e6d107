// The domain parts of the authorization matrix, in the order their fixtures are built (one line per domain).
import { changesPart } from './changes.js';
import { membersPart } from './members.js';
import { committeesForwardingPart } from './committees-forwarding.js';
import { earlyReportsPart } from './early-reports.js';
import { exportsPart } from './exports.js';
import { livePart } from './live.js';
import type { MatrixPart } from './part.js';
import { selfRegulationPart } from './self-regulation.js';
import { statisticsPart } from './statistics.js';
import { trainingPart } from './training.js';
import { trustedDocumentsPart } from './trusted-documents.js';

export const parts: MatrixPart[] = [selfRegulationPart, statisticsPart, earlyReportsPart, trainingPart, changesPart, exportsPart, trustedDocumentsPart, livePart, membersPart, committeesForwardingPart];
