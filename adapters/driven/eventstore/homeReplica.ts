import * as E from 'fp-ts/lib/Either.js';
import type { EngineError } from '../../../domain/errors.js';
import { stop, take, useCase } from '../../../domain/effect.js';
import { toEngineError } from '../fs/fsError.js';
import type { EventStoreConnection, RecordedEvent } from './eventStoreClient.js';
import { eventStoreError } from './eventStoreError.js';
import { HOME_CONTROL_STREAM } from './homeControl.js';
import { ROLLOUT_STREAM_PREFIX } from './streamNames.js';
import { readState } from './replicaState.js';
import type { FollowOptions, FollowSummary, Following } from './replicaCopy.js';
import { flush, following } from './replicaCopy.js';
import { applyFact, applyLine } from './replicaEvents.js';

/**
 * A node's own copy of the log as rollout files, kept current by a catch-up subscription to
 * `$all` (rollout streams and the control stream): the node's indexer then builds its LMDB
 * projections from it exactly as from a Codex home, and the history API reads item bytes from it
 * by the same byte ranges. The subscription's position `{commit, prepare}` and the stream → file
 * map are kept in `<home>/.rollout-engine/eventstore-replica.json`, written after the lines they
 * cover; a restart resumes from it, and an event whose line the file already holds (its offset
 * is below the file's end: the lines were written before a kill) is skipped, so nothing is
 * written twice and nothing is lost.
 *
 * Exactly once without the `$all` position in the LMDB transaction: the copy's files are the
 * index's input, and the index commits each file's checkpoint (bytes folded) in the same LMDB
 * transaction as the rows they gave (`indexer/write/commit.ts`). So the chain is store → copy,
 * idempotent by byte offset (a line is only ever written at its file's end; the position is saved
 * after the lines, so a kill replays events, never skips them) → index, atomic per batch. The
 * control stream's facts replay in order from the saved position and each is idempotent: a move
 * whose source is gone is done, a mark is rewritten whole, a removal forces, a rename's line is
 * appended only if the file lacks it, forgetting names twice forgets nothing more. Tested by
 * SIGKILLing `serve --eventstore` while it follows (`followKills.int.spec.ts`).
 */

export { REPLICA_STATE_FILE } from './replicaState.js';
export type { FollowOptions, FollowSummary } from './replicaCopy.js';

/** The lines and state waiting, written; a failure to write them stops the follow. */
const flushed = async (home: string, f: Following): Promise<void> => {
  try {
    await flush(f);
  } catch (err) {
    return stop(toEngineError(home, 'follow')(err));
  }
};

/** Follow the store into `home` (see the module's comment). Resolves when caught up (`untilCaughtUp`), aborted, or failed. */
export const followIntoHome = (
  connection: EventStoreConnection,
  home: string,
  options: FollowOptions = {},
): Promise<E.Either<EngineError, FollowSummary>> =>
  useCase(async () => {
    const f = following(home, await take(readState(home)), options);
    let backoff = options.backoffMs ?? 100;
    for (;;) {
      const outcome = await subscribeOnce(connection, f);
      if (outcome.kind !== 'failed') {
        await flushed(home, f);
        return f.summary;
      }
      const error = outcome.error;
      if (error !== null && typeof error === 'object' && '_tag' in error) return stop(error as EngineError);
      const mapped = eventStoreError('$all', 'subscribe')(error);
      if (!(mapped._tag === 'Io' && mapped.code === 'UNAVAILABLE') && mapped._tag !== 'Timeout') return stop(mapped);
      // The connection dropped: resume from the last position applied, after a pause.
      f.summary.reconnects += 1;
      await flushed(home, f);
      f.parts.clear();
      f.live = false;
      await new Promise((r) => setTimeout(r, backoff));
      backoff = Math.min(backoff * 2, options.maxBackoffMs ?? 5000);
    }
  })();

/** One subscription from the position applied, until it catches up (`untilCaughtUp`), is aborted, or fails. */
const subscribeOnce = async (
  connection: EventStoreConnection,
  f: Following,
): Promise<{ kind: 'caughtUp' | 'aborted' } | { kind: 'failed'; error: unknown }> => {
  const { options } = f;
  let stop: (() => Promise<void>) | undefined;
  const outcome = await new Promise<{ kind: 'caughtUp' | 'aborted' } | { kind: 'failed'; error: unknown }>(
    (resolve) => {
      let busy = Promise.resolve();
      const subscription = connection.subscribeAll(
        [ROLLOUT_STREAM_PREFIX, HOME_CONTROL_STREAM],
        f.position ?? 'start',
        {
          onEvent: async (event) => {
            busy = onEvent(f, event);
            await busy;
          },
          onCaughtUp: () => {
            f.live = true;
            void busy
              .then(() => flush(f))
              .then(() => {
                options.onCaughtUp?.();
                if (options.untilCaughtUp === true) resolve({ kind: 'caughtUp' });
              })
              .catch((error: unknown) => resolve({ kind: 'failed', error }));
          },
          onError: (error) => resolve({ kind: 'failed', error }),
        },
      );
      options.signal?.addEventListener('abort', () => resolve({ kind: 'aborted' }), { once: true });
      if (options.signal?.aborted === true) resolve({ kind: 'aborted' });
      stop = () => subscription.stop();
    },
  );
  await stop?.().catch(() => undefined);
  return outcome;
};

const onEvent = async (f: Following, event: RecordedEvent): Promise<void> => {
  await f.flushing;
  f.summary.events += 1;
  if (event.stream === HOME_CONTROL_STREAM) await applyFact(f, event);
  else await applyLine(f, event);
  // A resume starts past the position: only where no line is half received.
  if (event.position !== undefined && f.parts.size === 0) f.position = event.position;
  // Past the caught-up point events come one by one: each is written as it comes.
  if (++f.sinceFlush >= f.flushEvery || f.live) await flush(f);
};
