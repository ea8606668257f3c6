import type { HistoryPoint } from '../history/cut.js';
import { withSessionMetaFields } from '../rollout/sessionMetaFields.js';

export interface ForkMetaInput {
  /** The source's current `session_meta` payload, as stored (key order kept). */
  readonly source: Readonly<Record<string, unknown>>;
  readonly sourceThreadId: string;
  readonly newThreadId: string;
  /** A fresh model-context window id. */
  readonly windowId: string;
  readonly timestamp: string;
  /** Paginated: the cut the fork references. Legacy forks copy instead and have none. */
  readonly cut: HistoryPoint | null;
  /** The client that forked; Codex records it. Defaults to the source's originator. */
  readonly originator?: string | undefined;
}

/**
 * The `session_meta` of a fork: a new thread (its own id and session), pointing back at its source
 * (`forked_from_id`) and, when paginated, at the exact cut it continues (`history_base`, with the
 * ordinal it starts numbering from). Everything else comes from the source's meta.
 */
export const forkSessionMeta = (f: ForkMetaInput): Record<string, unknown> => {
  const cut = f.cut !== null && f.cut.ordinal !== null ? { ...f.cut, ordinal: f.cut.ordinal } : null;
  return withSessionMetaFields(
    f.source,
    {
      session_id: f.newThreadId,
      id: f.newThreadId,
      forked_from_id: f.sourceThreadId,
      forked_from_ordinal_exclusive: cut?.ordinal,
      timestamp: f.timestamp,
      originator: f.originator,
      history_base:
        cut === null
          ? undefined
          : { thread_id: cut.rolloutId, end_ordinal_exclusive: cut.ordinal, end_byte_offset: cut.byteOffset },
      multi_agent_version: typeof f.source['multi_agent_version'] === 'string' ? undefined : 'v1',
      context_window: { window_id: f.windowId },
    },
    cut === null ? ['forked_from_ordinal_exclusive', 'history_base'] : [],
  );
};

/** A source `session_meta` copied into a legacy fork: Codex fills in the multi-agent version. */
export const copiedSessionMeta = (payload: Readonly<Record<string, unknown>>): Record<string, unknown> =>
  withSessionMetaFields(payload, {
    multi_agent_version: typeof payload['multi_agent_version'] === 'string' ? undefined : 'v1',
  });
