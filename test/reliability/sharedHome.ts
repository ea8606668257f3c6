// What the shared-file reliability specs (sharedFiles, soak) share: a `serve` on a home, the
// names session_index.jsonl holds, the rollout files a thread has left.
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { initializedServe } from '../fixtures/stdioRpcClient.js';
import type { StdioRpcClient } from '../fixtures/stdioRpcClient.js';

export const openServe = async (home: string): Promise<StdioRpcClient> => {
  return initializedServe(home, {
    clientInfo: { name: 'shared-files', version: '1' },
    capabilities: { experimentalApi: true },
  });
};

/**
 * `{id, thread_name}` of every entry line of the home's session_index.jsonl. Every writer here
 * (ours, the Codex-style appender) writes whole lines, so a line that is not JSON (torn,
 * interleaved) is a failure, thrown with its number; only the empty rest after the last newline is
 * no line.
 */
export const sessionIndexNames = (home: string): Array<{ id: string; name: string }> => {
  const path = nodePath.join(home, 'session_index.jsonl');
  if (!fs.existsSync(path)) return [];
  const text = fs.readFileSync(path, 'utf8');
  if (text !== '' && !text.endsWith('\n'))
    throw new Error(
      `session_index.jsonl ends in a partial line: ${JSON.stringify(text.slice(text.lastIndexOf('\n') + 1))}`,
    );
  return text
    .split('\n')
    .slice(0, -1)
    .map((l, i) => {
      let e: { id: string; thread_name: string };
      try {
        e = JSON.parse(l) as typeof e;
      } catch (err) {
        throw new Error(
          `session_index.jsonl line ${i + 1} is not JSON (${(err as Error).message}): ${JSON.stringify(l)}`,
        );
      }
      return { id: e.id, name: e.thread_name };
    });
};

/** The rollout files of a thread left in the home (revisions are written in today's day folder). */
export const filesOf = (home: string, threadId: string): string[] =>
  fs
    .readdirSync(nodePath.join(home, 'sessions'), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.includes(threadId) && f.endsWith('.jsonl'));
