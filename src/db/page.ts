// What a service needs to read one page of a list: how many rows and after which key. The GraphQL layer turns
// `first`/`after` into a PageRequest (src/graphql/pagination.ts); services and cost pricing only see this.
export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

export interface PageRequest {
  limit: number;
  /** Rows strictly after this key. */
  afterKey: number | null;
}
