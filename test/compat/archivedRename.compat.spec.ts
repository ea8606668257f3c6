// Issue 72, item 6: `thread/name/set` on a thread whose rollout is already in archived_sessions/,
// asked of a cold codex app-server (the pinned 0.169.0, or ROLLOUT_ENGINE_COMPAT_CODEX_VERSION; the
// thread not loaded, the file archived before the process started) next to ours: the answer, the
// name a later read and list show, and the lines session_index.jsonl gains. Measured on 0.169.0
// and 0.171.0: Codex refuses it (-32600 `no rollout found for thread id …`, nothing written; its
// source: `update_thread_metadata` with `include_archived: false`), so ours does too, and only the
// CLI adds a way forward (threadIds.int.spec.ts). The home: two hand-written threads in Codex's
// format, one live, one archived, no state DB (Codex builds its own from the files).
import { expect } from 'chai';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RpcAnswer, StdioRpcClient } from '../fixtures/stdioRpcClient.js';
import { RolloutWriter } from '../fixtures/rolloutLines.js';
import { AppServerError, compatCodexVersion } from './appServer.js';
import { openColdCodex } from './compatHomes.js';
import { openEngineServer } from './mutationHarness.js';
import { describeDifferences, jsonDifferences } from './jsonDifferences.js';

const LIVE = '019a0000-0000-7000-8000-000000007201';
const ARCHIVED = '019a0000-0000-7000-8000-000000007202';

const rollout = (id: string, minute: number): string => {
  const w = new RolloutWriter('paginated', id, { startMs: Date.UTC(2026, 10, 21, 14, minute, 0) }).sessionMeta();
  w.chatTurn('t1', `question of ${id.slice(-4)}`, 'an answer');
  return w.text();
};

/** The home: LIVE under sessions/, ARCHIVED under archived_sessions/ (flat, as Codex archives). */
const writeHome = (root: string): string => {
  const codexHome = join(root, 'home');
  const day = join(codexHome, 'sessions', '2026', '11', '21');
  mkdirSync(day, { recursive: true });
  mkdirSync(join(codexHome, 'archived_sessions'), { recursive: true });
  writeFileSync(join(day, `rollout-2026-11-21T14-01-00-${LIVE}.jsonl`), rollout(LIVE, 1));
  writeFileSync(
    join(codexHome, 'archived_sessions', `rollout-2026-11-21T14-02-00-${ARCHIVED}.jsonl`),
    rollout(ARCHIVED, 2),
  );
  mkdirSync(join(root, 'work'), { recursive: true });
  return codexHome;
};

/** session_index.jsonl's lines, their times left out (each side writes its own clock's). */
const nameLines = (codexHome: string): unknown[] => {
  const file = join(codexHome, 'session_index.jsonl');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      const { updated_at: _at, ...rest } = JSON.parse(l) as Record<string, unknown>;
      return rest;
    });
};

interface Side {
  readonly answers: Array<{ readonly step: string; readonly answer: RpcAnswer }>;
  readonly names: unknown[];
}

const STEPS: ReadonlyArray<[string, string, Record<string, unknown>]> = [
  ['name archived', 'thread/name/set', { threadId: ARCHIVED, name: '  Archived, renamed  ' }],
  ['read archived', 'thread/read', { threadId: ARCHIVED }],
  ['list archived', 'thread/list', { archived: true }],
  ['name live', 'thread/name/set', { threadId: LIVE, name: 'Live name' }],
];

/** Only what a rename decides: the error, or the thread's name (list: each thread's id and name). */
const decisive = (step: string, a: RpcAnswer): unknown => {
  if ('error' in a) return { error: { code: a.error.code, message: a.error.message } };
  const r = a.result as any;
  if (step === 'read archived') return { name: r.thread.name };
  if (step === 'list archived') return { names: r.data.map((t: any) => [t.id, t.name]) };
  return { result: r };
};

describe(`compat: thread/name/set on an archived thread, cold codex app-server ${compatCodexVersion()} next to ours`, function () {
  this.timeout(300_000);
  let root: string;

  before(() => {
    root = mkdtempSync(join(tmpdir(), 'compat-archived-rename-'));
    writeHome(join(root, 'pristine'));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  const fresh = (side: string): { codexHome: string; workDir: string } => {
    cpSync(join(root, 'pristine'), join(root, side), { recursive: true, preserveTimestamps: true });
    return { codexHome: join(root, side, 'home'), workDir: join(root, side, 'work') };
  };

  it('an archived thread named: the answer, the name read and listed after, the session_index.jsonl lines are Codex’s (0.169.0 and 0.171.0 refuse it)', async () => {
    const codexSide: Side = { answers: [], names: [] };
    const home = fresh('codex');
    const codex = await openColdCodex(home, null);
    try {
      for (const [step, method, params] of STEPS) {
        let answer: RpcAnswer;
        try {
          answer = { result: await codex.server.request(method, params) };
        } catch (error) {
          if (!(error instanceof AppServerError)) throw error;
          answer = { error: { code: error.code, message: error.rpcMessage } };
        }
        codexSide.answers.push({ step, answer });
      }
    } finally {
      await codex.stop();
    }
    codexSide.names.push(...nameLines(home.codexHome));

    const oursSide: Side = { answers: [], names: [] };
    const ourHome = fresh('ours');
    let ours: StdioRpcClient | undefined;
    try {
      ours = await openEngineServer({ codexHome: ourHome.codexHome }, mkdtempSync(join(root, 'index-')));
      for (const [step, method, params] of STEPS)
        oursSide.answers.push({ step, answer: await ours.request(method, params) });
    } finally {
      await ours?.close();
    }
    oursSide.names.push(...nameLines(ourHome.codexHome));

    const c = codexSide.answers.map((a) => ({ step: a.step, ...(decisive(a.step, a.answer) as object) }));
    const o = oursSide.answers.map((a) => ({ step: a.step, ...(decisive(a.step, a.answer) as object) }));
    process.stderr.write(
      `  codex: ${JSON.stringify(c)}\n  codex session_index.jsonl: ${JSON.stringify(codexSide.names)}\n`,
    );
    process.stderr.write(
      `  ours:  ${JSON.stringify(o)}\n  ours session_index.jsonl:  ${JSON.stringify(oursSide.names)}\n`,
    );
    const d = [...jsonDifferences(c, o, 8), ...jsonDifferences(codexSide.names, oursSide.names, 8)];
    expect(d, describeDifferences(d)).to.deep.equal([]);
  });
});
