/**
 * The writer of the serveLoad bench (bench/serveLoad.ts): a real-shaped turn appended to the long
 * legacy thread, through `rollout/append` on ours, by another process on Codex's.
 */
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import { connectWebSocketRpc } from '../test/fixtures/webSocketRpcClient.js';
import type { ResultOf } from '../protocol/methods.js';

/** Appends one turn; says its id and when it was sent. */
export type TurnWriter = () => Promise<{ turnId: string; at: number }>;

/** The thread's last turn's lines, and a copy of them under a fresh turn id: a turn as Codex appends it. */
const lastTurnOf = (path: string): ((fresh: string) => string[]) => {
  const lines = fs
    .readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l !== '');
  let start = lines.length - 1;
  while (start > 0 && !lines[start]!.includes('"type":"task_started"')) start--;
  const turnId = (JSON.parse(lines[start]!) as { payload: { turn_id: string } }).payload.turn_id;
  const body = lines.slice(start);
  return (fresh) => body.map((l) => l.split(turnId).join(fresh));
};

/** Another process appending to the rollout file, as a running Codex does (what Codex's side gets: it has no append method). */
export const fileTurnWriter =
  (path: string): ((url: string) => Promise<TurnWriter>) =>
  async () => {
    const turn = lastTurnOf(path);
    return async () => {
      const fresh = randomUUID();
      fs.appendFileSync(path, `${turn(fresh).join('\n')}\n`);
      return { turnId: fresh, at: performance.now() };
    };
  };
/** A client of the server appending through `rollout/append` on a connection of its own (a Conflict's `actual` gives the first expected end). */
export const rpcTurnWriter =
  (path: string, threadId: string): ((url: string) => Promise<TurnWriter>) =>
  async (url) => {
    const turn = lastTurnOf(path);
    const c = await connectWebSocketRpc(url);
    await c.request('initialize', { clientInfo: { name: 'bench-writer', version: '0' } });
    c.notify('initialized');
    let expected = 0;
    return async () => {
      const fresh = randomUUID();
      const at = performance.now();
      for (let attempt = 0; attempt < 3; attempt++) {
        const a = await c.request('rollout/append', {
          threadId,
          lines: turn(fresh),
          expectedOrdinal: expected,
          idempotencyKey: randomUUID(),
        });
        if ('result' in a) {
          expected = (a.result as ResultOf<'rollout/append'>).ordinal;
          return { turnId: fresh, at };
        }
        const actual = (a.error as { data?: { actual?: { ordinal?: number } } }).data?.actual?.ordinal;
        if (actual === undefined) throw new Error(`rollout/append: ${a.error.message}`);
        expected = actual;
      }
      throw new Error('rollout/append: no expected end found after 3 tries');
    };
  };
