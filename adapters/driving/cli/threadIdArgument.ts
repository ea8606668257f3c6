import * as E from 'fp-ts/lib/Either.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../../../domain/errors.js';
import { refusedThreadOf } from '../../../domain/errors.js';
import { isThreadIdPrefix } from '../../../domain/thread/threadId.js';
import { resolveThreadIds, threadStanding } from '../../../replay/history/resolveThreadId.js';
import type { ThreadIdPorts } from '../../../replay/history/resolveThreadId.js';
import { withCodexHome } from '../composition/openCodexHome.js';
import type { HomeOptions } from './homeOptions.js';
import { homeOf } from './homeOptions.js';
import { cliFeedback } from './progress.js';
import { takeNow, useCase } from '../../../domain/effect.js';

/*
 * The CLI's side of a thread id given on its command line: a unique prefix stands for the id
 * (`serve` takes ids only, as Codex), and a refusal naming a thread ends with where to find one.
 * The hint is the CLI's alone: the error, its words and its exit code are the method's.
 */

/** How a person finds a thread's id. */
export const LIST_THREADS =
  'run `rollout-engine threads` to list them (`rollout-engine threads --archived`: the archived ones)';

/** An error with the line the CLI adds under it (`reportError` prints it; `--json` carries it as `hint`). */
export type HintedError = EngineError & { readonly hint?: string };

const hinted = (e: EngineError, hint: string): EngineError => ({ ...e, hint }) as HintedError;

/** The thread ids a request names: its `threadId`, and `includedThreadIds` (`threads --only`). */
const idsIn = (request: Readonly<Record<string, unknown>>): string[] => [
  ...(typeof request['threadId'] === 'string' ? [request['threadId']] : []),
  ...(Array.isArray(request['includedThreadIds'])
    ? request['includedThreadIds'].filter((id): id is string => typeof id === 'string')
    : []),
];

/** Whether a request names a thread by a prefix (not an id, nor other text): resolved against the home before the method sees it. */
export const needsResolving = (request: Readonly<Record<string, unknown>>): boolean =>
  idsIn(request).some(isThreadIdPrefix);

/**
 * The request with each thread id prefix it holds replaced by the id it stands for, from the
 * home's index (opened for this lookup, built or caught up as `threads` would be); a prefix no
 * thread or several start with is refused, with where to look.
 */
export const resolvedRequest = (
  opts: HomeOptions,
  request: Readonly<Record<string, unknown>>,
): Promise<E.Either<EngineError, Readonly<Record<string, unknown>>>> =>
  useCase(async () => {
    const named = takeNow(homeOf(opts));
    const given = idsIn(request);
    const hasId = typeof request['threadId'] === 'string';
    const r = await withCodexHome(named.codexHome, named.indexDir, { onStatus: cliFeedback.onStatus }, (home) =>
      TE.map((ids: string[]) => ({
        ...request,
        ...(hasId ? { threadId: ids[0] } : {}),
        ...(Array.isArray(request['includedThreadIds']) ? { includedThreadIds: ids.slice(hasId ? 1 : 0) } : {}),
      }))(resolveThreadIds(home.read, given)),
    );
    cliFeedback.settle();
    return takeNow(E.mapLeft((e: EngineError) => (e._tag === 'NotFound' ? hinted(e, LIST_THREADS) : e))(r));
  })();

/** A refusal of a malformed id (the method's rule, in Codex's words), said to be no thread id, and where ids are. */
export const malformedIdHint = (e: EngineError): EngineError => {
  const about = refusedThreadOf(e);
  return about?.refused === 'malformedId'
    ? hinted(e, `${JSON.stringify(about.id)} is not a thread id (nor the start of one): ${LIST_THREADS}`)
    : e;
};

const namesNoThread = (e: EngineError, threadId: string): boolean =>
  (e._tag === 'NotFound' && e.what === 'thread') ||
  (refusedThreadOf(e)?.refused === 'noRollout' && refusedThreadOf(e)?.id === threadId);

/**
 * A refusal that finds no thread, with the line that says where the thread is: archived (and how
 * to bring it back), not archived, or not in this home (how to list them); one that finds no turn
 * of it, where its turns are listed. Other errors as they are.
 */
export const threadHinted = async (
  ports: Pick<ThreadIdPorts, 'index'>,
  e: EngineError,
  threadId: string,
): Promise<EngineError> => {
  // A turn the thread does not have (revert, fork): where its turns are listed.
  if (e._tag === 'NotFound' && e.what === 'turn')
    return hinted(e, `\`rollout-engine turns ${threadId} --view notLoaded\` lists the thread's turns`);
  if (!namesNoThread(e, threadId)) return e;
  const standing = await threadStanding(ports, threadId)();
  if (E.isLeft(standing) || standing.right === 'unknown')
    return hinted(e, `no thread ${threadId} in this home: ${LIST_THREADS}`);
  if (standing.right === 'archived')
    return hinted(
      e,
      `thread ${threadId} is archived (its rollout is in archived_sessions/): \`rollout-engine unarchive ${threadId}\` brings it back; \`rollout-engine threads --archived\` lists archived threads`,
    );
  return hinted(
    e,
    `thread ${threadId} is not archived (its rollout is under sessions/): \`rollout-engine threads\` lists it`,
  );
};
