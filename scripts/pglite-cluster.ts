// The last step of `npm run build`: the empty embedded cluster that a fresh DATA_DIR starts from (src/db/pglite-cluster.ts).
import { writePgliteCluster } from '../src/db/pglite-cluster.js';

console.log(`wrote ${await writePgliteCluster()}`);
