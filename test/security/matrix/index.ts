// The domain parts of the authorization matrix, in the order their fixtures are built (one line per domain).
import type { MatrixPart } from './part.js';
import { selfRegulationPart } from './self-regulation.js';
import { statisticsPart } from './statistics.js';

export const parts: MatrixPart[] = [selfRegulationPart, statisticsPart];
import { trainingPart } from './training.js';
parts.push(trainingPart);
