// Authentication lives in src/auth/authenticate.ts; this path stays for the callers that import it from here.
export { AuthenticationError, createViewerResolver, type ViewerResolver } from '../auth/authenticate.js';
