// What the shared-file reliability specs (sharedFiles, soak) share: a `serve` on a home, the
// names session_index.jsonl holds, the rollout files a thread has left.
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { spawnRpcServer } from '../fixtures/stdioRpcClient.js';
import type { StdioRpcClient } from '../fixtures/stdioRpcClient.js';
import { ENGINE_CLI_PATH } from '../compat/engineCli.js';

export const openServe = async (home: string): Promise<StdioRpcClient> => {
  const s = spawnRpcServer(process.execPath, [ENGINE_CLI_PATH, 'serve', '--codex-home', home]);
  await s.request('initialize', { clientInfo: { name: 'shared-files', version: '1' }, capabilities: { experimentalApi: true } });
  s.notify('initialized');
  return s;
};

/** `{id, thread_name}` of every entry line of the home's session_index.jsonl. */
export const sessionIndexNames = (home: string): Array<{ id: string; name: string }> => {
  const path = nodePath.join(home, 'session_index.jsonl');
  if (!fs.existsSync(path)) return [];
  return fs
    .readFileSync(path, 'utf8')
    .split('\n')
    .flatMap((l) => {
      try {
        const e = JSON.parse(l) as { id: string; thread_name: string };
        return [{ id: e.id, name: e.thread_name }];
      } catch {
        return [];
      }
    });
};

/** The rollout files of a thread left in the home (revisions are written in today's day folder). */
export const filesOf = (home: string, threadId: string): string[] =>
  fs.readdirSync(nodePath.join(home, 'sessions'), { recursive: true, encoding: 'utf8' }).filter((f) => f.includes(threadId) && f.endsWith('.jsonl'));
