// The default document limits (depth, breadth, aliases, directives, tokens, complexity): the numbers the schema's
// complexity plugin falls back on and the HTTP layer's validation rules start from, so neither layer imports the other.
// Config names and what clients see: docs/SECURITY.md.

export interface DocumentLimits {
  maxDepth: number;
  maxAliases: number;
  maxDirectives: number;
  /** Field selections counted after expanding fragments (the same count as the complexity plugin's breadth). */
  maxBreadth: number;
  maxTokens: number;
  /** The complexity plugin's cost limit (each field 1, lists × 10). */
  maxComplexity: number;
}

export const defaultDocumentLimits: DocumentLimits = {
  maxDepth: 12,
  maxAliases: 30,
  maxDirectives: 20,
  maxBreadth: 300,
  maxTokens: 5000,
  maxComplexity: 20_000,
};
