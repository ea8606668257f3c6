/**
 * A second process for the backfill gate tests: takes the index lease and then either holds it
 * until killed (`hold`) or exits without releasing it (`crash`).
 * Usage: node leaseWorker.js <indexDir> <owner> <ttlMs> <hold|crash>
 */
import * as E from 'fp-ts/lib/Either.js';
import { openLmdbIndex } from '../../adapters/driven/lmdb/indexStore.js';
import { lmdbGatePorts } from '../../indexer/open/openIndex.js';

const [dir, owner, ttl, mode] = process.argv.slice(2);
const store = await openLmdbIndex(dir!)();
if (E.isLeft(store)) {
  process.stdout.write(`error ${JSON.stringify(store.left)}\n`);
  process.exit(1);
}
const got = await lmdbGatePorts(store.right, '/nonexistent').tryAcquire(owner!, Number(ttl))();
process.stdout.write(E.isRight(got) && got.right ? 'acquired\n' : 'busy\n');
if (mode === 'crash') process.exit(0);
setInterval(() => undefined, 1000);
