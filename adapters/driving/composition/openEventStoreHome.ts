import * as fs from 'node:fs/promises';
import * as E from 'fp-ts/lib/Either.js';
import type { EngineError } from '../../../domain/errors.js';
import { connectEventStore } from '../../driven/eventstore/eventStoreClient.js';
import { eventStoreEventLog } from '../../driven/eventstore/eventLog.js';
import { followIntoHome } from '../../driven/eventstore/homeReplica.js';
import { storeHomeFiles, storeRolloutFiles, storeThreadState } from '../../driven/eventstore/storeRolloutFiles.js';
import { toEngineError } from '../../driven/fs/fsError.js';
import { openCodexHome } from './openCodexHome.js';
import type { OpenCodexHome, OpenCodexHomeOptions } from './openCodexHome.js';
import { ownMadeFolders } from '../../driven/fs/ownership.js';

export interface OpenEventStoreHomeOptions extends OpenCodexHomeOptions {
  /** Told when following the store fails for good (a dropped connection is retried first); the node then answers from its copy as it stands. */
  readonly onFollowFailed?: (error: EngineError) => void;
  /** How long a write waits for this node's copy to hold it (read-your-writes). */
  readonly applyTimeoutMs?: number;
}

/**
 * `serve --eventstore`: the log lives in EventStoreDB and `nodeHome` is this node's copy of it (a
 * CODEX_HOME of rollout files kept by a catch-up subscription to `$all`, `homeReplica.ts`). The
 * copy is caught up before the home is returned (readiness) and followed while it is open; the
 * index is built from it and kept current by the home watch as for any home. Reads are the usual
 * ports; the writes of every mutation go to the store at exact revisions and answer once this
 * node's copy holds them (`storeRolloutFiles`), so a client reads its own writes here, and every
 * node following the store sees them too: rollout lines, thread management and thread state.
 */
export const openEventStoreHome = async (
  url: string,
  nodeHome: string,
  indexDir: string,
  opts: OpenEventStoreHomeOptions = {},
): Promise<E.Either<EngineError, OpenCodexHome>> => {
  try {
    await ownMadeFolders(await fs.mkdir(nodeHome, { recursive: true, mode: 0o700 }), nodeHome);
  } catch (err) {
    return E.left(toEngineError(nodeHome, 'mkdir')(err));
  }
  const connection = connectEventStore(url);
  const stop = new AbortController();
  let caughtUp: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (caughtUp = resolve));
  // Thread-state events the follower appends to this node's log are folded into its index once it is open.
  let foldThreadStates: () => void = () => undefined;
  const following = followIntoHome(connection, nodeHome, {
    signal: stop.signal,
    onCaughtUp: () => caughtUp(),
    onThreadState: () => foldThreadStates(),
  });
  const first = await Promise.race([ready.then(() => undefined), following]);
  if (first !== undefined) {
    await connection.close().catch(() => undefined);
    // Ended before it caught up: failed (or aborted, which nothing does here).
    return E.isLeft(first)
      ? first
      : E.left(toEngineError(nodeHome, 'follow')(new Error('the subscription ended before it caught up')));
  }
  void following.then((r) => (E.isLeft(r) && !stop.signal.aborted ? opts.onFollowFailed?.(r.left) : undefined));
  const opened = await openCodexHome(nodeHome, indexDir, { ...opts, watch: true });
  if (E.isLeft(opened)) {
    stop.abort();
    await following;
    await connection.close().catch(() => undefined);
    return opened;
  }
  const home = opened.right;
  foldThreadStates = () => void home.mutations.threadState.catchUp()();
  const log = eventStoreEventLog(connection);
  const writeOptions = opts.applyTimeoutMs === undefined ? {} : { applyTimeoutMs: opts.applyTimeoutMs };
  return E.right({
    ...home,
    mutations: {
      ...home.mutations,
      files: storeRolloutFiles(nodeHome, home.mutations.files, connection, log, writeOptions),
      homeFiles: storeHomeFiles(nodeHome, home.mutations.homeFiles, connection, writeOptions),
      threadState: storeThreadState(nodeHome, home.mutations.threadState, connection, writeOptions),
    },
    close: async () => {
      stop.abort();
      await following;
      await connection.close().catch(() => undefined);
      await home.close();
    },
  });
};
