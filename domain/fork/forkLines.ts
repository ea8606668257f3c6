import type { HistoryPoint, TurnRef } from '../history/cut.js';
import type { LineDraft } from '../rollout/lineDraft.js';
import { interruptedTurnMarkers, threadSettingsApplied } from '../rollout/sessionEvents.js';
import { forkSessionMeta } from './forkMeta.js';

export interface ForkFileInput {
  readonly sourceMeta: Readonly<Record<string, unknown>>;
  readonly sourceThreadId: string;
  readonly newThreadId: string;
  readonly windowId: string;
  readonly timestamp: string;
  readonly cut: HistoryPoint | null;
  /** The settings the source thread runs with (its last `thread_settings_applied`), if any. */
  readonly settings: unknown;
  /** The last turn kept, when it was still running: the fork closes it as interrupted. */
  readonly runningTurn: TurnRef | undefined;
  /** Id for the interruption's model-context message. */
  readonly markerMessageId: string;
  readonly originator?: string | undefined;
}

/** The fork's own session meta line (first line of its file). */
export const forkMetaLine = (f: ForkFileInput): LineDraft => ({
  timestamp: f.timestamp,
  type: 'session_meta',
  payload: forkSessionMeta({
    source: f.sourceMeta,
    sourceThreadId: f.sourceThreadId,
    newThreadId: f.newThreadId,
    windowId: f.windowId,
    timestamp: f.timestamp,
    cut: f.cut,
    originator: f.originator,
  }),
});

/**
 * What a fork writes after the history it holds (by reference or by copy): its settings, then,
 * if the last kept turn was running, the lines that close it.
 */
export const forkTailLines = (f: ForkFileInput): LineDraft[] => [
  ...(f.settings === undefined || f.settings === null
    ? []
    : [threadSettingsApplied(f.timestamp, f.newThreadId, f.settings)]),
  ...(f.runningTurn === undefined ? [] : interruptedTurnMarkers(f.timestamp, f.markerMessageId, f.runningTurn)),
];
