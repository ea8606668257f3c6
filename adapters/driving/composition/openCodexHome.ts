import { openTailReaderThread } from '../../driven/jsonl/workers/tailReaderThread.js';
import * as E from 'fp-ts/lib/Either.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../../../domain/errors.js';
import { stop, take, useCase } from '../../../domain/effect.js';
import type { ExternalAgentPorts, HistoryReadPorts, ThreadManagementPorts } from '../../../replay/ports.js';
import type { HomePluginPorts } from '../../driven/plugins/homeRemotePlugins.js';
import { threadStateLogOver } from '../../driven/engineState/threadStateLog.js';
import { threadHomeFiles } from '../../driven/jsonl/writers/threadHomeFiles.js';
import { homeQuarantineSink } from '../../driven/jsonl/writers/quarantine.js';
import { readRanges } from '../../driven/jsonl/readers/readRange.js';
import { isInsideHome, outsideHome } from '../../driven/fs/insideHome.js';
import { jsonlRolloutFiles } from '../../driven/jsonl/writers/rolloutFiles.js';
import { fileAppendKeys } from '../../driven/jsonl/writers/appendKeys.js';
import * as nodePath from 'node:path';
import { homedir } from 'node:os';
import type { WriterOptions } from '../../driven/jsonl/writers/lockedRolloutFile.js';
import type { LmdbIndexStore } from '../../driven/lmdb/indexStore.js';
import { lazyCatchUpHome } from '../../../indexer/catchUp/lazyCatchUp.js';
import type { CatchUpOptions, CatchUpSummary } from '../../../indexer/catchUp/catchUp.js';
import { lmdbHistoryIndexer } from '../../../indexer/reads/historyIndexer.js';
import type { IndexerContext } from '../../../indexer/reads/historyIndexer.js';
import { BACKFILLED_KEY, openIndex } from '../../../indexer/open/openIndex.js';
import type { GatePassage, OpenIndexResult } from '../../../indexer/open/openIndex.js';
import { gateStatus, indexLockWaitStatus, reportingTo } from '../../../indexer/open/indexStatus.js';
import type { OnIndexStatus } from '../../../indexer/open/indexStatus.js';
import { systemClock } from '../../driven/system/clock.js';
import { codexThreadState } from '../../driven/codexState/codexThreadState.js';
import { uuidv7Ids } from '../../driven/system/uuidv7.js';
import { lmdbDirOf } from '../../driven/lmdb/environmentFolder.js';
import { confinementRoot } from '../../driven/fs/noFollow.js';
import type { IndexObserver } from '../../../indexer/reads/indexObserver.js';
import { renderedItemsInMemory } from './renderedItemsInMemory.js';
import { readConfiguredModelProvider } from '../../driven/fs/codexConfig.js';
import { openBackfillingBehind, openBehindTheGate } from './backfillModes.js';
import type { Opening } from './backfillModes.js';

/** A CODEX_HOME opened over the embedded default: its rollout files and their LMDB index. */
export interface OpenCodexHome {
  readonly codexHome: string;
  readonly store: LmdbIndexStore;
  /** The history read use cases' ports. */
  readonly read: HistoryReadPorts;
  /** Fork, revert, rollback, review and token replay over the same index and files. */
  readonly mutations: ThreadManagementPorts;
  /** Other agents' homes and Codex's import records, with one import at a time on this home: built once, its code loaded by the first call. */
  readonly externalAgents: () => Promise<ExternalAgentPorts>;
  /** The home's plugins, local and remote (`chatgptBaseUrl`): built once, its code loaded by the first call. */
  readonly plugins: () => Promise<HomePluginPorts>;
  /**
   * How the backfill gate let this process in, and the backfill this process ran if it was the one;
   * null when the gate was not passed before the home was returned (`backfill: 'background' | 'onDemand'`).
   */
  readonly gate: GatePassage | null;
  /** `init`: the index was created by this open (`steps` / `rebuilt`: migrated; `current`: as it was). */
  readonly indexWas: OpenIndexResult['migrated'];
  /** Runs a request ahead of a backfill running behind (`backfill: 'background'`), which waits meanwhile; else just runs it. */
  readonly aheadOfBackfill: <A>(request: () => Promise<A>) => Promise<A>;
  /** The catch-up options its ports use (the home's quarantine file, progress): for a home-wide catch-up with the same. */
  readonly catchUpOptions: CatchUpOptions;
  readonly close: () => Promise<void>;
}

export interface OpenCodexHomeOptions {
  /** How long to wait for another process's backfill before answering from the files (the gate's default when absent). */
  readonly gateWaitMs?: number | undefined;
  /** Catch-up options beyond the home's quarantine file (progress, threads, workers). */
  readonly catchUp?: Omit<CatchUpOptions, 'quarantine'> | undefined;
  /** Told of the long work as it happens: index builds and catch-ups (with their progress), waiting for another process's build. */
  readonly onStatus?: OnIndexStatus | undefined;
  /**
   * When the home-wide backfill (the gate) runs. `await` (default): before the home is returned.
   * `background`: while the home answers (`serve`): a thread asked for meanwhile is indexed first,
   * on its own; closing the home stops it between two files. `onDemand`: not at all (the CLI's
   * thread views index the thread they show, and say so).
   */
  readonly backfill?: 'await' | 'background' | 'onDemand' | undefined;
  /** Watch the home's rollout folders, so a home-wide refresh catches up only what changed (a long-running process). */
  readonly watch?: boolean | undefined;
  /** With `watch`: told of each change the watch sees on a rollout file, as it comes (live notifications). */
  readonly onRolloutChanged?: ((path: string) => void) | undefined;
  /** Told how the backfill gate was passed, of each read-repair and home-wide catch-up (`serve` counts and logs them). */
  readonly observer?: IndexObserver | undefined;
  /** The plugin backend, over config.toml's `chatgpt_base_url` (`--chatgpt-base-url`). */
  readonly chatgptBaseUrl?: string | undefined;
}

/** The home folder as Codex finds it (`dirs::home_dir`: $HOME, else the user's entry), null when there is none. */
const hostHome = (): string | null => homedir() || null;

/** A bundle built by its first caller, and the same one for every later caller. */
const builtOnce = <A>(build: () => Promise<A>): (() => Promise<A>) => {
  let built: Promise<A> | undefined;
  return () => (built ??= build());
};

/** A writer meeting a torn last line quarantines it in the home's quarantine file and goes on (once the line is torn for good). */
const writerRecovery = (options: CatchUpOptions): WriterOptions =>
  options.quarantine === undefined ? {} : { tornTail: 'truncate', quarantine: options.quarantine };

/** Every set of ports over one opened index: the one place they are built (tests and benches use it on an index they opened). */
export const portsOver = (
  store: LmdbIndexStore,
  codexHome: string,
  options: CatchUpOptions,
  context: IndexerContext = {},
  onThreadStateUnreadable?: (error: EngineError) => void,
): { read: HistoryReadPorts; mutations: ThreadManagementPorts } => {
  // Item contents are read at the paths the index holds: never outside the home (second line of defence).
  const readInside: HistoryReadPorts['readRanges'] = (path, ranges) =>
    isInsideHome(codexHome, path) ? readRanges(path, ranges, codexHome) : TE.left(outsideHome(codexHome, path));
  const read: HistoryReadPorts = {
    index: store,
    indexer: lmdbHistoryIndexer(store, codexHome, options, context),
    readRanges: readInside,
    renderedItems: renderedItemsInMemory(),
    configuredModelProvider: () => () => readConfiguredModelProvider(codexHome),
    // Codex's app-server reads a session's relative cwd against its working directory and `~` as
    // $HOME (dirs::home_dir): ours answers against its own, for equal answers when run beside it.
    hostPaths: { cwd: process.cwd(), home: hostHome() },
    clock: systemClock,
  };
  // The append keys are kept beside the LMDB folder, in the index dir (`lmdbDirOf`).
  const appendKeys = fileAppendKeys(
    nodePath.dirname(store.path),
    confinementRoot(codexHome, nodePath.dirname(store.path)),
  );
  return {
    read,
    mutations: {
      ...read,
      files: jsonlRolloutFiles(codexHome, writerRecovery(options)),
      appendKeys,
      ids: uuidv7Ids(),
      threadState: threadStateLogOver(store, codexHome, onThreadStateUnreadable),
      homeFiles: threadHomeFiles(codexHome),
      codexState: codexThreadState(codexHome),
    },
  };
};

/**
 * Open (migrating if needed) the index of a CODEX_HOME and pass the backfill gate: one process
 * backfills while others wait a bounded time. A process that gave up waiting still answers: its
 * reads catch each thread up from the files on demand. Every entry point (the CLI's views,
 * reports and mutations, `serve`) opens a home here, in one of three backfill modes.
 */
export const openCodexHome = (
  codexHome: string,
  indexDir: string,
  opts: OpenCodexHomeOptions = {},
): Promise<E.Either<EngineError, OpenCodexHome>> =>
  useCase(async () => {
    // Large catch-ups read on a reader thread: the indexer takes the tail-source port, this root picks the reader.
    const options: CatchUpOptions = {
      tailReader: openTailReaderThread,
      // A home with no watch is a CLI run's: it ends with its command.
      ...(opts.watch === true ? {} : { oneShot: true as const }),
      ...opts.catchUp,
      quarantine: homeQuarantineSink(codexHome, indexDir),
    };
    const opened = await take(
      openIndex(lmdbDirOf(indexDir), codexHome, {
        ...reportingTo(options, opts.onStatus, 'rebuild', codexHome),
        ...indexLockWaitStatus(opts.onStatus, codexHome),
      }),
    );
    const threadStateUnreadable = saidOnce(opts.onStatus, codexHome);
    // The thread-state log is folded before anything reads (a rebuilt index folds it whole).
    const states = await threadStateLogOver(opened.store, codexHome, threadStateUnreadable).catchUp()();
    if (E.isLeft(states)) {
      await opened.store.close()();
      return stop(states.left);
    }
    const opening = openingOf(codexHome, opts, options, opened, threadStateUnreadable);
    if (opts.backfill === 'onDemand') return opening.home(null, opening.context, opening.closeStore);
    if (opts.backfill === 'background') return openBackfillingBehind(opening);
    return take(openBehindTheGate(opening));
  })();

/** Another user's log (root used the home once) is said once, and the answers go without it. */
const saidOnce = (onStatus: OnIndexStatus | undefined, codexHome: string): ((error: EngineError) => void) => {
  let told = false;
  return (error) => {
    if (told) return;
    told = true;
    onStatus?.({ kind: 'threadStateUnreadable', home: codexHome, error });
  };
};

/** The opened index as the backfill modes take it (backfillModes.ts), and how the home over it is made. */
const openingOf = (
  codexHome: string,
  opts: OpenCodexHomeOptions,
  options: CatchUpOptions,
  opened: OpenIndexResult,
  threadStateUnreadable: (error: EngineError) => void,
): Opening<OpenCodexHome> => {
  const store = opened.store;
  const waiting = gateStatus(opts.onStatus, codexHome);
  const gateOptions = {
    ...(opts.gateWaitMs === undefined ? {} : { waitMs: opts.gateWaitMs }),
    ...waiting.gate,
    ...(opts.observer === undefined ? {} : { onPassed: opts.observer.gatePassed }),
  };
  const catchUpOptions = reportingTo(options, opts.onStatus, 'catchUp', codexHome);
  const isBackfilled = (): boolean => store.reader.get('meta', BACKFILLED_KEY) === true;
  const rest = opts.backfill === 'background' ? 'behind' : 'later';
  const context: IndexerContext = {
    isBackfilled,
    onThreadIndexed: (indexed) => opts.onStatus?.({ kind: 'threadIndexed', home: codexHome, indexed, rest }),
    ...(opts.observer === undefined ? {} : { observer: opts.observer }),
  };
  // Built on first use: a view or a report never loads their code.
  const externalAgents = builtOnce(async () =>
    (await import('../../driven/externalAgents/homeExternalAgents.js')).homeExternalAgents(codexHome),
  );
  const plugins = builtOnce(async () =>
    (await import('../../driven/plugins/homeRemotePlugins.js')).homePluginPorts(
      codexHome,
      opts.chatgptBaseUrl === undefined ? {} : { chatgptBaseUrl: opts.chatgptBaseUrl },
    ),
  );
  const home = (gate: GatePassage | null, ctx: IndexerContext, close: () => Promise<void>): OpenCodexHome => ({
    codexHome,
    store,
    ...portsOver(store, codexHome, catchUpOptions, ctx, threadStateUnreadable),
    externalAgents,
    plugins,
    gate,
    aheadOfBackfill: ctx.first ?? ((request) => request()),
    indexWas: opened.migrated,
    catchUpOptions,
    close,
  });
  const closeStore = async () => void (await store.close()());
  return {
    codexHome,
    opts,
    store,
    options,
    catchUpOptions,
    gateOptions,
    waiting,
    context,
    isBackfilled,
    home,
    closeStore,
  };
};

/** Open a home, run `use` on it, and close it whatever happens. */
export const withCodexHome = <A>(
  codexHome: string,
  indexDir: string,
  opts: OpenCodexHomeOptions,
  use: (home: OpenCodexHome) => TE.TaskEither<EngineError, A>,
): Promise<E.Either<EngineError, A>> =>
  useCase(async () => {
    const home = await take(openCodexHome(codexHome, indexDir, opts));
    try {
      return await take(use(home));
    } finally {
      await home.close();
    }
  })();

/**
 * Open a home and catch its whole index up with the files, so a report read from it (token audit,
 * plugins, analytics) describes the home as it is now. When this process ran the gate's backfill,
 * that catch-up is the one reported; otherwise only new bytes are read.
 */
export const withCaughtUpHome = async <A>(
  codexHome: string,
  indexDir: string,
  opts: OpenCodexHomeOptions,
  use: (home: OpenCodexHome, catchUp: CatchUpSummary) => TE.TaskEither<EngineError, A>,
): Promise<E.Either<EngineError, A>> =>
  withCodexHome(codexHome, indexDir, opts, (home) =>
    useCase(async () => {
      const caught =
        home.gate !== null && home.gate.backfill !== null
          ? home.gate.backfill
          : await take(lazyCatchUpHome(home.store, codexHome, home.catchUpOptions));
      return take(use(home, caught));
    }),
  );

/**
 * Open a home's index as it stands (created or migrated, but not caught up and not through the
 * gate), run `use` on it and close it: `verify` and `repair` examine the index itself, and a
 * backfill first would hide what they look for.
 */
export const withIndexAsItIs = <A>(
  codexHome: string,
  indexDir: string,
  use: (store: LmdbIndexStore) => TE.TaskEither<EngineError, A>,
): Promise<E.Either<EngineError, A>> =>
  useCase(async () => {
    const { store } = await take(
      openIndex(lmdbDirOf(indexDir), codexHome, { quarantine: homeQuarantineSink(codexHome, indexDir) }),
    );
    try {
      return await take(use(store));
    } finally {
      await store.close()();
    }
  })();
