import * as os from 'node:os';
import * as E from 'fp-ts/lib/Either.js';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../../../domain/errors.js';
import type { IndexStore } from '../../../domain/ports.js';
import { lazyCatchUpHome } from '../../../indexer/catchUp/lazyCatchUp.js';
import type { CatchUpSummary } from '../../../indexer/catchUp/catchUpSummary.js';
import { openIndex } from '../../../indexer/open/openIndex.js';
import type { OpenIndexResult } from '../../../indexer/open/openIndex.js';
import { indexLockWaitStatus, reportingTo } from '../../../indexer/open/indexStatus.js';
import type { OnIndexStatus } from '../../../indexer/open/indexStatus.js';
import { homeQuarantineSink } from '../../driven/jsonl/writers/quarantine.js';
import { lmdbDirOf } from '../../driven/lmdb/environmentFolder.js';
import type { GarbageBound } from '../../driven/system/garbageBound.js';

/**
 * Why no core is free for the token reader thread, or undefined when one is (the last minute's load average below the
 * cores): it only pays there. On a shared machine it adds its work (packing each read, a second
 * heap, ~1 s of CPU at 300 MB) to cores already busy: a 300 MB home at load 4–5 took 2.4–3.0 s
 * read here against 2.6–5.6 s with it (2026-11-26 11:47 UTC, interleaved); the index is the same
 * either way.
 */
const busyMachine = (): string | undefined => {
  const load = os.loadavg()[0]!;
  const cores = os.availableParallelism();
  return load < cores ? undefined : `load average ${load.toFixed(2)} on ${cores} core${cores === 1 ? '' : 's'}: no core to spare`;
};

/**
 * Open a home's index and catch its token projection up alone, so a token report describes the
 * home as it is now without the whole index: no backfill gate, no other projection, no thread
 * rows, none of the ports a view needs (a `tokens` run loads only this); the token rows and their
 * own checkpoints (`tokenFiles`) are kept, and a later full catch-up (`index`, `serve`, any view)
 * folds the other projections from where they are and passes them.
 */
export const withTokenProjectionCaughtUp = async <A>(
  codexHome: string,
  indexDir: string,
  opts: {
    readonly onStatus?: OnIndexStatus;
    /**
     * A one-shot process's bound on its garbage (adapters/driven/system/garbageBound.ts): told each
     * commit's bytes, and that the catch-up is done before the report starts.
     */
    readonly garbage?: GarbageBound;
    /**
     * true: the files are read on a reader thread when a core is free (`tokens --reader-thread`).
     * Not the default: on an idle 2-core machine it made a first report no faster and took ~25 MB
     * more (2026-11-26 16:49–16:53 UTC, interleaved, a real-shaped home: 300 MB 4.99 s against 4.99
     * s median of 5, 123 against 97 MB; 1 GB 13.8 against 14.8 s median of 3, 144–159 against 144
     * MB): the fold and the index writes on this thread are the report's critical path.
     */
    readonly readerThread?: boolean;
  },
  use: (index: { readonly store: IndexStore; readonly indexWas: OpenIndexResult['migrated'] }, catchUp: CatchUpSummary) => TE.TaskEither<EngineError, A>,
): Promise<E.Either<EngineError, A>> => {
  // The token projection alone reads its files in place (indexer/tokens/indexTokenFiles.ts), on a reader
  // thread of its own when asked and it reads much (adapters/driven/jsonl/workers/tokenReaderThread.ts, loaded
  // only then): the general catch-up's reader thread is not asked for. An index rebuilt for a
  // schema change is rebuilt with the token projection alone too (not marked backfilled: the next
  // gate fills the rest).
  const whyNoThread = opts.readerThread !== true ? 'not asked (tokens --reader-thread)' : busyMachine();
  const options = {
    quarantine: homeQuarantineSink(codexHome, indexDir),
    subset: 'tokens' as const,
    ...(whyNoThread === undefined
      ? { tokenReaderThread: (await import('../../driven/jsonl/workers/tokenReaderThread.js')).openTokenReaderThread }
      : { tokenReaderThreadNot: whyNoThread }),
    ...(opts.garbage === undefined ? {} : { afterCommit: opts.garbage.read }),
  };
  const opened = await openIndex(lmdbDirOf(indexDir), codexHome, {
    ...reportingTo(options, opts.onStatus, 'rebuild', codexHome),
    ...indexLockWaitStatus(opts.onStatus, codexHome),
  })();
  if (E.isLeft(opened)) return opened;
  const { store, migrated } = opened.right;
  try {
    const caught = await lazyCatchUpHome(store, codexHome, reportingTo(options, opts.onStatus, 'catchUp', codexHome))();
    if (E.isLeft(caught)) return caught;
    opts.garbage?.done();
    // The checkpoints' pages (and a catch-up's writes) leave the process's RSS before the report maps its own.
    const remapped = store.remap?.();
    if (remapped !== undefined && E.isLeft(remapped)) return remapped;
    return await use({ store, indexWas: migrated }, caught.right)();
  } finally {
    await store.close()();
  }
};
