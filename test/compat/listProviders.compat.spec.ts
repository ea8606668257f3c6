// Issue 69, defect 1: which providers' threads `thread/list` lists, by its `modelProviders` and the
// home's configuration, as codex app-server 0.169.0 answers it next to ours. The home: the threads
// the fork scenario's legacy home holds, written by the real binary, gathered into one home
// with their `model_provider` (meta and thread settings) set round the providers `mock`, `openai`, `ollama` and
// none (a meta without one), two of them archived, and Codex's state DB left out (it builds it from
// the files). Each configuration (the compat config: `mock`; no config.toml: `openai`; a legacy
// `profile` selector naming `ollama` over a top-level `mock`, which Codex refuses: `openai`; a
// `[profiles.x]` table alone: `mock`) is asked every combination of sort key, `archived` and
// `modelProviders` (absent, null, [], one, two), and the state-DB paths (`useStateDbOnly`, a search
// term). The rule: codex-rs/app-server/src/request_processors/thread_processor.rs (`thread_list`'s
// `model_provider_filter`), codex-rs/core/src/config/mod.rs (`model_provider_id`).
import { expect } from 'chai';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { initializedServe } from '../fixtures/stdioRpcClient.js';
import type { RpcAnswer, StdioRpcClient } from '../fixtures/stdioRpcClient.js';
import { AppServer, codexConfigToml } from './appServer.js';
import { MockResponses } from './mockResponses.js';
import { freshRoot } from './mutationHarness.js';
import { buildCompatHomes, discoverRollouts } from './scenarios.js';

/** The providers given to the threads' metas in turn; undefined: the meta names none. */
const PROVIDERS: ReadonlyArray<string | undefined> = ['mock', 'openai', 'ollama', undefined];

/** The configurations asked: config.toml's text given the mock's port, or none. */
const CONFIGS: ReadonlyArray<{ readonly name: string; readonly toml: ((port: number) => string) | null }> = [
  { name: 'model_provider = "mock"', toml: codexConfigToml },
  { name: 'no config.toml', toml: null },
  // Codex 0.169 refuses the legacy `profile` selector and runs on its defaults (provider `openai`).
  {
    name: 'legacy profile = "alt" naming ollama over model_provider = "mock"',
    toml: (port) => `profile = "alt"\n${codexConfigToml(port)}\n[profiles.alt]\nmodel_provider = "ollama"\n`,
  },
  // A `[profiles.x]` table without the selector is inert.
  {
    name: '[profiles.alt] table alone',
    toml: (port) => `${codexConfigToml(port)}\n[profiles.alt]\nmodel_provider = "ollama"\n`,
  },
];

const queries = (): Array<Record<string, unknown>> => {
  const out: Array<Record<string, unknown>> = [];
  for (const sortKey of ['created_at', 'updated_at', 'recency_at'])
    for (const archived of [false, true])
      for (const modelProviders of [undefined, null, [], ['openai'], ['ollama', 'mock']])
        out.push({ sortKey, archived, ...(modelProviders === undefined ? {} : { modelProviders }), limit: 100 });
  out.push(
    { useStateDbOnly: true, limit: 100 },
    { useStateDbOnly: true, modelProviders: [], limit: 100 },
    { searchTerm: 'turn', limit: 100 },
    { searchTerm: 'turn', modelProviders: [], limit: 100 },
  );
  return out;
};

/** The ids a list answer holds, in order; or its error. */
const idsOf = (a: RpcAnswer): string[] | string =>
  'result' in a
    ? (a.result as { data: Array<{ id: string }> }).data.map((t) => t.id)
    : `error ${JSON.stringify(a.error)}`;

describe("compat: thread/list's provider filter by modelProviders and the home's configured provider (codex app-server 0.169.0)", function () {
  this.timeout(600_000);
  let root: string;
  let codexHome: string;
  let workDir: string;
  const byProvider = new Map<string | undefined, number>();

  before(async function () {
    this.timeout(300_000);
    root = freshRoot();
    const built = await buildCompatHomes(join(root, 'built'), { scenarios: ['fork'], concurrency: 1 });
    codexHome = join(root, 'providers', 'home');
    workDir = join(root, 'providers', 'work');
    mkdirSync(workDir, { recursive: true });
    const rollouts = built
      .filter((h) => h.mode === 'legacy')
      .flatMap((h) => discoverRollouts(h.codexHome).map((r) => ({ home: h.codexHome, path: r.path })));
    for (const [i, r] of rollouts.entries()) {
      const to = join(codexHome, r.path.slice(r.home.length + 1));
      mkdirSync(join(to, '..'), { recursive: true });
      cpSync(r.path, to, { preserveTimestamps: true });
      // A thread written under a provider names it in its meta (Codex's file scan reads it there)
      // and in each `thread_settings_applied` (its state DB takes the last: codex-rs/state/src/extract.rs);
      // one written before providers were recorded has neither.
      const provider = PROVIDERS[i % PROVIDERS.length];
      const lines = readFileSync(to, 'utf8')
        .split('\n')
        .flatMap((text, n) => {
          if (text === '') return [text];
          const line = JSON.parse(text) as { type: string; payload: Record<string, any> };
          if (n === 0 && line.type !== 'session_meta') throw new Error(`${to}: first line is ${line.type}`);
          if (line.type === 'event_msg' && line.payload['type'] === 'thread_settings_applied') {
            if (provider === undefined) return [];
            line.payload['thread_settings']['model_provider_id'] = provider;
          } else if (n === 0) {
            if (provider === undefined) delete line.payload['model_provider'];
            else line.payload['model_provider'] = provider;
          } else return [text];
          return [JSON.stringify(line)];
        });
      byProvider.set(provider, (byProvider.get(provider) ?? 0) + 1);
      const written = statSync(r.path);
      writeFileSync(to, lines.join('\n'));
      // The file's times as Codex left them: Codex orders archived threads by them.
      utimesSync(to, written.atime, written.mtime);
      // The first two of mock's and openai's threads archived (Codex's flat archived_sessions).
      if (i < 2) {
        mkdirSync(join(codexHome, 'archived_sessions'), { recursive: true });
        renameSync(to, join(codexHome, 'archived_sessions', basename(to)));
      }
    }
    expect(rollouts.length, 'threads in the home').to.be.greaterThan(PROVIDERS.length);
  });
  after(() =>
    process.env.FID_KEEP ? process.stderr.write(`kept ${root}\n`) : rmSync(root, { recursive: true, force: true }),
  );

  for (const config of CONFIGS) {
    it(`${config.name}: every list answers the threads Codex lists`, async () => {
      const mock = await MockResponses.start();
      rmSync(join(codexHome, 'config.toml'), { force: true });
      for (const f of ['state_5.sqlite', 'state_5.sqlite-wal', 'state_5.sqlite-shm'])
        rmSync(join(codexHome, f), { force: true });
      if (config.toml !== null) writeFileSync(join(codexHome, 'config.toml'), config.toml(mock.port));
      const indexDir = mkdtempSync(join(tmpdir(), 'compat-providers-index-'));
      let codex: AppServer | undefined;
      let ours: StdioRpcClient | undefined;
      const differing: string[] = [];
      const asked = queries();
      try {
        codex = await AppServer.start({ codexHome, userHome: join(codexHome, '..', 'user-home'), cwd: workDir });
        ours = await initializedServe(codexHome, {
          clientInfo: { name: 'compat', version: '0' },
          capabilities: { experimentalApi: true },
          args: ['--index-dir', indexDir],
        });
        let codexListed = 0;
        for (const q of asked) {
          const c = idsOf(
            await codex.request('thread/list', q).then(
              (result) => ({ result }) as RpcAnswer,
              (e: { code?: number; rpcMessage?: string }) =>
                ({ error: { code: e.code, message: e.rpcMessage } }) as unknown as RpcAnswer,
            ),
          );
          const o = idsOf(await ours.request('thread/list', q));
          // Which threads, not their order, for archived threads by update: Codex orders that list by
          // its scan of the files, by their mtimes (a list without useStateDbOnly lists each file:
          // codex-rs rollout/src/list.rs), where its state DB's rows, which ours answer, have the times
          // its backfill allocated (codex-rs state/src/runtime/threads.rs `allocate_thread_timestamp`,
          // files in path order, archived_sessions/ first; domain/thread/backfillTimes.ts): the two
          // archived here were written 0.3 s apart, against their path order (measured: rows 1 ms
          // apart in the other order). Ours walk one updated order, the rows' (issue 69, left open).
          // By recency, Codex's order is its rows', and so is ours.
          if (q['sortKey'] === 'updated_at' && q['archived'] === true && Array.isArray(c) && Array.isArray(o)) {
            c.sort();
            o.sort();
          }
          if (Array.isArray(c)) codexListed += c.length;
          if (JSON.stringify(c) !== JSON.stringify(o))
            differing.push(`${JSON.stringify(q)}\n  codex ${JSON.stringify(c)}\n  ours  ${JSON.stringify(o)}`);
        }
        // The test can fail: Codex lists threads here, and leaves some out by provider.
        expect(codexListed, 'threads Codex listed over every query').to.be.greaterThan(0);
      } finally {
        await ours?.close();
        await codex?.stop();
        await mock.stop();
        rmSync(indexDir, { recursive: true, force: true });
      }
      process.stderr.write(
        `  ${config.name}: ${asked.length - differing.length}/${asked.length} lists equal (threads by provider: ${JSON.stringify([...byProvider])})\n`,
      );
      expect(differing, differing.join('\n')).to.deep.equal([]);
    });
  }
});
