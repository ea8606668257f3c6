import type * as E from 'fp-ts/lib/Either.js';
import { take, takeNow, useCase } from '../../../domain/effect.js';
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
import type { RolloutHomeListing } from '../../driven/jsonl/home/discover.js';

/**
 * Open a home's index and catch its token projection up alone, so a token report describes the
 * home as it is now without the whole index: no backfill gate, no other projection, no thread
 * rows, none of the ports a view needs (a `tokens` run loads only this); the token rows and their
 * own checkpoints (`tokenFiles`) are kept, and a later full catch-up (`index`, `serve`, any view)
 * folds the other projections from where they are and passes them.
 */
export const withTokenProjectionCaughtUp = <A>(
  codexHome: string,
  indexDir: string,
  opts: {
    readonly onStatus?: OnIndexStatus;
    /**
     * A one-shot process's bound on its garbage (adapters/driven/system/garbageBound.ts): told each
     * commit's bytes, and that the catch-up is done before the report starts.
     */
    readonly garbage?: GarbageBound;
  },
  use: (
    index: {
      readonly store: IndexStore;
      readonly indexWas: OpenIndexResult['migrated'];
      /**
       * The home as the catch-up listed it (catchUpOptions.ts `onHomeListed`), what a report records
       * the home by: given once, then let go (held on, it was a large home's files through the report).
       */
      readonly takeListing: () => RolloutHomeListing | undefined;
    },
    catchUp: CatchUpSummary,
  ) => TE.TaskEither<EngineError, A>,
): Promise<E.Either<EngineError, A>> =>
  useCase(async () => {
    // The token projection alone reads its files in place (indexer/tokens/indexTokenFiles.ts), on this
    // thread: the fold and the index writes are the report's critical path, and a reader thread did
    // not shorten it (measured in the commit that made it). An index rebuilt for a schema change is rebuilt with the
    // token projection alone too (not marked backfilled: the next gate fills the rest).
    let listing: RolloutHomeListing | undefined;
    const options = {
      quarantine: homeQuarantineSink(codexHome, indexDir),
      subset: 'tokens' as const,
      onHomeListed: (l: RolloutHomeListing) => void (listing = l),
      ...(opts.garbage === undefined ? {} : { afterCommit: opts.garbage.read }),
    };
    const { store, migrated } = await take(
      openIndex(lmdbDirOf(indexDir), codexHome, {
        ...reportingTo(options, opts.onStatus, 'rebuild', codexHome),
        ...indexLockWaitStatus(opts.onStatus, codexHome),
      }),
    );
    try {
      const caught = await take(
        lazyCatchUpHome(store, codexHome, reportingTo(options, opts.onStatus, 'catchUp', codexHome)),
      );
      opts.garbage?.done();
      // The checkpoints' pages (and a catch-up's writes) leave the process's RSS before the report maps its own.
      const remapped = store.remap?.();
      if (remapped !== undefined) takeNow(remapped);
      const takeListing = () => {
        const l = listing;
        listing = undefined;
        return l;
      };
      return await take(use({ store, indexWas: migrated, takeListing }, caught));
    } finally {
      await store.close()();
    }
  })();
