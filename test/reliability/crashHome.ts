// The home the crash trials run on, and what the crash child acknowledges (shared by child and spec).
import type { LineDraft } from '../../domain/rollout/lineDraft.js';
import { RolloutWriter } from '../fixtures/rolloutLines.js';
import { chatThread, rolloutName, writeRollout } from '../replay/mutationHome.js';

export const CRASH_THREADS = { legacy: 'cccccccc-0000-7000-8000-00000000000a', paginated: 'cccccccc-0000-7000-8000-00000000000b' } as const;

/** One durable mutation: the bytes it wrote, `[from, to)` of `path`, and their hash. */
export interface CrashAck {
  readonly op: string;
  readonly thread: string;
  readonly path: string;
  readonly from: number;
  readonly to: number;
  readonly sha256: string;
}

/** A legacy and a paginated thread of three turns each. */
export const writeCrashHome = (home: string): void => {
  writeRollout(home, rolloutName(CRASH_THREADS.legacy), chatThread('legacy', CRASH_THREADS.legacy, 3).text());
  writeRollout(home, rolloutName(CRASH_THREADS.paginated), chatThread('paginated', CRASH_THREADS.paginated, 3).text());
};

/** A whole chat turn as drafts (the fixture writer's lines without their ordinals), for `RolloutFiles.append`. */
export const turnDrafts = (mode: 'legacy' | 'paginated', threadId: string, turnId: string): LineDraft[] =>
  new RolloutWriter(mode, threadId, { startMs: Date.now() })
    .chatTurn(turnId, `question ${turnId}`, `answer ${turnId}`)
    .text()
    .trimEnd()
    .split('\n')
    .map((l) => {
      const { timestamp, type, payload } = JSON.parse(l) as LineDraft;
      return { timestamp, type, payload };
    });
