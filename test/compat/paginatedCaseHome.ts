// A home of one paginated thread per case, each the same three turns with its lines rewritten by
// the case (paginatedUnnumbered.compat: their ordinals; paginatedTimestamps.compat: their times).
import { writeDatedRollout } from '../fixtures/legacyRollout.js';
import { RolloutWriter } from '../fixtures/rolloutLines.js';
import type { WrittenFile } from './mutationHarness.js';

/** A rollout line as parsed back, for a case to rewrite. */
export interface ParsedLine {
  timestamp: unknown;
  ordinal?: number;
  type: string;
  payload: Record<string, unknown>;
}

/**
 * Two turns as 0.169.0 writes them (items as `item_completed` lines), then the legacy-shaped lines
 * of a third (`task_started`, messages as response items and events, `task_complete`). Line 0 is the
 * meta; turn t1 is lines 1-4 (started, user item, agent item, complete), t2 lines 5-8, t3 lines 9-14.
 */
const writeTurns = (w: RolloutWriter): void => {
  for (const t of ['t1', 't2'])
    w.taskStarted(t)
      .item(t, { type: 'UserMessage', id: `u-${t}`, content: w.userText(`question ${t}`) })
      .item(t, { type: 'AgentMessage', id: `msg-${t}`, content: [{ type: 'Text', text: `answer ${t}` }] })
      .taskComplete(t);
  w.taskStarted('t3')
    .responseMessage('user', 'question t3')
    .push('event_msg', { type: 'user_message', message: 'question t3', images: [] })
    .push('event_msg', { type: 'agent_message', message: 'answer t3' })
    .responseMessage('assistant', 'answer t3')
    .taskComplete('t3');
};

/**
 * Writes thread `ids[i]` for each case, an hour apart from `startMs`, its line `n` as `rewrite(i, n,
 * line)` gives it (written in Codex's key order: timestamp, ordinal when it has one, type, payload),
 * each file's mtime its last line's time.
 */
export const writePaginatedCases = (
  codexHome: string,
  ids: readonly string[],
  startMs: number,
  rewrite: (caseIndex: number, n: number, line: ParsedLine) => ParsedLine,
): WrittenFile[] =>
  ids.map((id, i) => {
    const at = startMs + i * 3_600_000;
    const w = new RolloutWriter('paginated', id, { startMs: at });
    w.sessionMeta({ model_provider: 'mock' });
    writeTurns(w);
    const content = w
      .text()
      .split('\n')
      .filter((l) => l !== '')
      .map((l, n) => {
        const { timestamp, ordinal, ...body } = rewrite(i, n, JSON.parse(l) as ParsedLine);
        return `${JSON.stringify(ordinal === undefined ? { timestamp, ...body } : { timestamp, ordinal, ...body })}\n`;
      })
      .join('');
    const mtime = new Date(w.nowMs());
    return { path: writeDatedRollout(codexHome, id, at, content, mtime), content, at: mtime };
  });
