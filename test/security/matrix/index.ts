// The domain parts of the authorization matrix, in the order their fixtures are built (one line per domain).
import type { MatrixPart } from './part.js';

export const parts: MatrixPart[] = [];
import { trainingPart } from './training.js';
parts.push(trainingPart);
