// A thread's git origin as codex app-server 0.169.0 answers it, next to ours: Codex keeps a remote
// URL without its credentials (codex-rs protocol `SanitizedGitUrl`, sanitized_git_url.rs: every
// user name and password removed but SSH's `git` user, remote helpers peeled, a helper's command
// line with whitespace and an empty origin refused). Found on real users' rollouts (the wild corpus,
// bench/wildCorpus.ts): an SCP remote `user@host:repo.git` in a session meta. The home: one thread
// per origin, written by hand in Codex's format. Compared: `thread/read`, the rows of `thread/list`
// (file scan and state DB), and `thread/metadata/update` setting each origin (each server on a copy
// of its own).
import { expect } from 'chai';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RpcAnswer, StdioRpcClient } from '../fixtures/stdioRpcClient.js';
import { RolloutWriter } from '../fixtures/rolloutLines.js';
import { AppServerError } from './appServer.js';
import { openColdCodex } from './compatHomes.js';
import { openEngineServer } from './mutationHarness.js';
import { describeDifferences, jsonDifferences } from './jsonDifferences.js';

/** Origins as users' metas hold them: with credentials of each kind, without, and ones Codex refuses. */
export const ORIGINS: readonly string[] = [
  'group14@gitrepo.example.edu:group14.git',
  'https://user:token@github.com/o/r.git',
  'https://git@github.com/o/r.git',
  'https://github.com/o/r.git',
  'ssh://git@github.com/o/r.git',
  'ssh://git:secret@host.example/o/r.git',
  'ssh://deploy@host.example:2222/o/r.git',
  'git@github.com:o/r.git',
  'file://user@host.example/srv/r.git',
  'persistent-https::https://u:p@host.example/o/r',
  'ext::ssh -i key host.example',
  '/home/me/repos/a@b',
  'user@[::1]:repo.git',
  '',
];

const idOf = (i: number): string => `019a0000-0000-7000-8000-0000000001${String(i).padStart(2, '0')}`;

/** One thread of one chat turn per origin, a minute apart; the last one also names a branch. */
const writeHome = (codexHome: string): void => {
  const day = join(codexHome, 'sessions', '2026', '11', '21');
  mkdirSync(day, { recursive: true });
  ORIGINS.forEach((origin, i) => {
    const w = new RolloutWriter('paginated', idOf(i), { startMs: Date.UTC(2026, 10, 21, 14, i + 1, 0) }).sessionMeta({
      git: i === ORIGINS.length - 1 ? { branch: 'main', repository_url: origin } : { repository_url: origin },
    });
    w.chatTurn('t1', `origin ${i}`, 'A');
    writeFileSync(join(day, `rollout-2026-11-21T14-${String(i + 1).padStart(2, '0')}-00-${idOf(i)}.jsonl`), w.text());
  });
};

type Ask = (method: string, params: unknown) => Promise<RpcAnswer>;

const gitOf = (a: RpcAnswer): unknown =>
  'result' in a ? ((a.result as { thread?: { gitInfo?: unknown } }).thread?.gitInfo ?? null) : a;
const rowsOf = (a: RpcAnswer): unknown =>
  'result' in a
    ? (a.result as { data: Array<{ id: string; gitInfo: unknown }> }).data
        .map((t) => ({ id: t.id, gitInfo: t.gitInfo }))
        .sort((x, y) => (x.id < y.id ? -1 : 1))
    : a;

describe("compat: a thread's git origin without its credentials (codex app-server 0.169.0)", function () {
  this.timeout(300_000);
  let root: string;
  const servers: Array<{ close(): Promise<void> } | { stop(): Promise<void> }> = [];
  // Codex's default config (no config.toml): the threads' provider, `openai`, is listed by default.
  const openCodex = async (codexHome: string): Promise<Ask> => {
    const codex = await openColdCodex({ codexHome, workDir: join(root, 'work') }, null);
    servers.push(codex);
    return async (method, params) => {
      try {
        return { result: await codex.server.request(method, params) };
      } catch (error) {
        if (error instanceof AppServerError) return { error: { code: error.code, message: error.rpcMessage } };
        throw error;
      }
    };
  };
  const openOurs = async (codexHome: string): Promise<Ask> => {
    const ours: StdioRpcClient = await openEngineServer({ codexHome }, mkdtempSync(join(root, 'index-')));
    servers.push(ours);
    return (m, p) => ours.request(m, p);
  };

  before(() => {
    root = mkdtempSync(join(tmpdir(), 'compat-git-origin-'));
    writeHome(join(root, 'home'));
    mkdirSync(join(root, 'work'));
  });
  afterEach(async () => {
    for (const s of servers.splice(0)) await ('close' in s ? s.close() : s.stop());
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it("a session meta's origin: thread/read and thread/list rows equal Codex's", async () => {
    const codex = await openCodex(join(root, 'home'));
    const ours = await openOurs(join(root, 'home'));
    const differing: string[] = [];
    const compare = (label: string, c: unknown, o: unknown): void => {
      const d = jsonDifferences(c, o, 6);
      if (d.length > 0) differing.push(`${label}\n${describeDifferences(d)}`);
    };
    const codexOrigins: unknown[] = [];
    for (const [i, origin] of ORIGINS.entries()) {
      const [c, o] = [
        await codex('thread/read', { threadId: idOf(i) }),
        await ours('thread/read', { threadId: idOf(i) }),
      ];
      codexOrigins.push(gitOf(c));
      compare(`thread/read ${JSON.stringify(origin)}`, gitOf(c), gitOf(o));
    }
    for (const params of [{ limit: 100 }, { limit: 100, useStateDbOnly: true }]) {
      const [c, o] = [await codex('thread/list', params), await ours('thread/list', params)];
      compare(`thread/list ${JSON.stringify(params)}`, rowsOf(c), rowsOf(o));
    }
    process.stderr.write(
      `  ${ORIGINS.length + 2 - differing.length}/${ORIGINS.length + 2} answers equal; Codex's origins: ${JSON.stringify(codexOrigins)}\n`,
    );
    // The test can fail: Codex took the user out of the first origin.
    expect(JSON.stringify(codexOrigins[0])).to.include('"originUrl":"gitrepo.example.edu:group14.git"');
    expect(differing, differing.join('\n')).to.deep.equal([]);
  });

  it("thread/metadata/update's origin: the answer and the thread read after it equal Codex's", async () => {
    // Each server on its own copy of the home: both write their update.
    for (const side of ['codex', 'ours'])
      cpSync(join(root, 'home'), join(root, `home-${side}`), { recursive: true, preserveTimestamps: true });
    const codex = await openCodex(join(root, 'home-codex'));
    const ours = await openOurs(join(root, 'home-ours'));
    const differing: string[] = [];
    const answers: unknown[] = [];
    for (const origin of ORIGINS) {
      const params = { threadId: idOf(0), gitInfo: { originUrl: origin } };
      const [ca, oa] = [await codex('thread/metadata/update', params), await ours('thread/metadata/update', params)];
      answers.push('error' in ca ? ca : gitOf(ca));
      const d = jsonDifferences('error' in ca ? ca : gitOf(ca), 'error' in oa ? oa : gitOf(oa), 6);
      if (d.length > 0) differing.push(`update ${JSON.stringify(origin)}\n${describeDifferences(d)}`);
      const [cr, or] = [
        await codex('thread/read', { threadId: idOf(0) }),
        await ours('thread/read', { threadId: idOf(0) }),
      ];
      const dr = jsonDifferences(gitOf(cr), gitOf(or), 6);
      if (dr.length > 0) differing.push(`read after ${JSON.stringify(origin)}\n${describeDifferences(dr)}`);
    }
    process.stderr.write(
      `  ${2 * ORIGINS.length - differing.length}/${2 * ORIGINS.length} answers equal; Codex's: ${JSON.stringify(answers)}\n`,
    );
    expect(differing, differing.join('\n')).to.deep.equal([]);
  });
});
