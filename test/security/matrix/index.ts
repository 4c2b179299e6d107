// The domain parts of the authorization matrix, in the order their fixtures are built (one line per domain).
import type { MatrixPart } from './part.js';
import { selfRegulationPart } from './self-regulation.js';

export const parts: MatrixPart[] = [selfRegulationPart];
