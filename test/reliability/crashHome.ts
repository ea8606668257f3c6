// The home the crash trials run on, and what the crash child acknowledges (shared by child and spec).
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
