// Each Codex version's real TUI through `rollout-engine serve --upstream codex`, whose upstream is
// the same version's `codex app-server` (issue 70): `codex resume --remote` lists the engine's
// history in its picker, searches it, opens a thread with its history and runs a turn (the
// upstream's, against the loopback mock), which is then read through the engine (`thread/read`);
// a fresh `codex --remote` starts a thread through the upstream, which the engine reads at once
// (no rollout yet: the upstream's answer) and again after a turn (from the index). The version
// each TUI connection speaks (serve's log) is the TUI's own.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import type { WebSocketRpcClient } from '../fixtures/webSocketRpcClient.js';
import { appServerEnv, codexCommandAt } from './appServer.js';
import type { CodexCommand } from './appServer.js';
import { chatHomeWithMock, startUpstreamServe } from './upstreamServe.js';
import type { UpstreamServe } from './upstreamServe.js';
import type { MockResponses } from './mockResponses.js';

import type { CompatHome } from './scenarios.js';
import { skipUnmet } from '../fixtures/skipUnmet.js';
import { CODEX_VERSIONS } from '../../protocol/codexVersions.js';
import { hasTmux, tmuxTui, until } from './tmuxTui.js';
import type { TmuxTui } from './tmuxTui.js';

/** A record of serve's JSON log (stderr). */
type LogRecord = { readonly msg?: string } & Readonly<Record<string, unknown>>;

const recordsOf = (stderr: string): LogRecord[] =>
  stderr.split('\n').flatMap((line) => {
    if (!line.startsWith('{')) return []; // serve's status lines are not log records
    try {
      return [JSON.parse(line) as LogRecord];
    } catch {
      return []; // a line still being written
    }
  });

for (const version of CODEX_VERSIONS) {
  describe(`compat: the real Codex ${version} TUI in tmux through serve --upstream codex (${version} upstream)`, function () {
    this.timeout(240_000);
    let root: string;
    let home: CompatHome;
    let mock: MockResponses;
    let codex: CodexCommand;
    let upstream: UpstreamServe | undefined;
    let client: WebSocketRpcClient | undefined;
    let serveUrl = '';
    const tuis: TmuxTui[] = [];

    before(async function () {
      skipUnmet(this, hasTmux(), 'tmux', 'apt-get install tmux; npm test installs it when it can');
      this.timeout(300_000);
      codex = await codexCommandAt(version);
      root = mkdtempSync(join(tmpdir(), `compat-tui-${version}-`));
      ({ home, mock } = await chatHomeWithMock(root));
      upstream = await startUpstreamServe(home, codex, 'info');
      serveUrl = upstream.url;
      client = upstream.client;
      const init = await answer('initialize', {
        clientInfo: { name: 'rollout_engine_compat', version: '0.1.0' },
        capabilities: { experimentalApi: true },
      });
      client!.notify('initialized');
      // The upstream is this version's Codex: its user agent names it.
      expect(init.userAgent).to.match(new RegExp(`^rollout_engine_compat/${version.replaceAll('.', '\\.')} `));
    });

    after(async () => {
      for (const tui of tuis) tui.stop();
      await upstream?.stop();
      await mock?.stop();
      if (root !== undefined) rmSync(root, { recursive: true, force: true });
    });

    const answer = async (method: string, params: unknown): Promise<any> => {
      const a = await client!.request(method, params);
      if ('error' in a) throw new Error(`${method}: ${a.error.code} ${a.error.message}`);
      return a.result;
    };

    const tuiEnv = (): Record<string, string> => ({
      ...appServerEnv({ codexHome: home.codexHome }),
      TERM: 'xterm-256color',
    });
    const newTui = (name: string): TmuxTui => {
      const tui = tmuxTui(`tui-${version.replaceAll('.', '-')}-${name}-${process.pid}`, codex, tuiEnv(), home.workDir);
      tuis.push(tui);
      return tui;
    };

    /** The Codex versions serve's log says its `codex-tui` connections speak, in order. */
    const tuiConnectionVersions = (): unknown[] =>
      recordsOf(upstream!.log())
        .filter((r) => r.msg === 'connection speaks codex' && r['client'] === 'codex-tui')
        .map((r) => r['codexVersion']);

    /** The user messages of a thread as `thread/read` through the engine answers it (its turns included). */
    const userTextsRead = async (threadId: string): Promise<string[]> => {
      const read = await answer('thread/read', { threadId, includeTurns: true });
      return (
        read.thread.turns as Array<{ items: Array<{ type: string; content?: Array<{ type: string; text?: string }> }> }>
      ).flatMap((t) =>
        t.items
          .filter((i) => i.type === 'userMessage')
          .flatMap((i) =>
            (i.content ?? []).flatMap((c) => (c.type === 'text' && c.text !== undefined ? [c.text] : [])),
          ),
      );
    };

    it(`the ${version} TUI lists the engine's history in its resume picker, searches it, opens a thread with its history, runs a turn, and the engine's thread/read holds the turn; its connection speaks ${version}`, async () => {
      const main = home.threads.find((t) => t.label === 'main')!.id;
      const prompt = `Hello from the ${version} TUI`;
      const logged = tuiConnectionVersions().length;
      const tui = newTui('resume');
      tui.start(['resume', '--remote', serveUrl]);
      await tui.seen('the resume picker', 'Resume a previous session');
      await tui.seen('the chat thread by its name', 'Compat chat thread');
      // Type-to-search goes to the engine's thread/list (searchTerm, which looks in titles and previews).
      tui.keys('-l', 'fact number');
      await tui.seen('the search term', 'Search: fact number');
      await tui.seen('the thread found', 'Compat chat thread');
      tui.keys('Enter');
      await tui.seen('the thread history', /Answer #\d+ to "Turn 4: tell me fact number 4\."/);
      tui.paste(prompt);
      await tui.seen('the prompt pasted', `› ${prompt}`);
      tui.keys('Enter');
      await tui.seen("the upstream's answer", new RegExp(`Answer #\\d+ to "${prompt}"`));
      // Read through the engine: the thread's last user message is the TUI's (once its rollout is indexed).
      await until('the engine to read the TUI turn', async () => (await userTextsRead(main)).at(-1) === prompt);
      await until("serve's log to name the TUI connection's version", () => tuiConnectionVersions().length > logged);
      // The resume picker and the session each open a connection: every one speaks the TUI's version.
      expect(
        [...new Set(tuiConnectionVersions().slice(logged))],
        "serve's log: the TUI connections' version",
      ).to.deep.equal([version]);
    });

    it(`a fresh ${version} TUI starts a thread through the upstream: the engine's thread/read answers it before its first turn (no rollout yet) and after it (the turn read)`, async () => {
      const loadedBefore = new Set((await answer('thread/loaded/list', {})).data as string[]);
      const logged = tuiConnectionVersions().length;
      const tui = newTui('fresh');
      tui.start(['--remote', serveUrl]);
      await tui.seen('the composer', '›');
      // The thread it started is loaded in the upstream (thread/loaded/list is the upstream's to answer).
      let started: string | undefined;
      await until('the TUI thread to be loaded upstream', async () => {
        started = ((await answer('thread/loaded/list', {})).data as string[]).find((id) => !loadedBefore.has(id));
        return started !== undefined;
      });
      const early = await client!.request('thread/read', { threadId: started!, includeTurns: false });
      expect(early, JSON.stringify(early)).to.have.nested.property('result.thread.id', started);
      const prompt = `A new thread from the ${version} TUI`;
      tui.paste(prompt);
      await tui.seen('the prompt pasted', `› ${prompt}`);
      tui.keys('Enter');
      await tui.seen("the upstream's answer", new RegExp(`Answer #\\d+ to "${prompt}"`));
      await until('the engine to read the new thread with its turn', async () =>
        (await userTextsRead(started!)).includes(prompt),
      );
      await until("serve's log to name the TUI connection's version", () => tuiConnectionVersions().length > logged);
      // The resume picker and the session each open a connection: every one speaks the TUI's version.
      expect(
        [...new Set(tuiConnectionVersions().slice(logged))],
        "serve's log: the TUI connections' version",
      ).to.deep.equal([version]);
    });
  });
}
