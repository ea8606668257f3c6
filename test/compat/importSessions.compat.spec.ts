// Importing Claude Code sessions: the same Claude home (made here) imported once by the real
// `codex app-server` (externalAgentConfig/detect + import) and once by `rollout-engine import
// claude`, into two Codex homes. Each imported thread read with turns must be equal, normalising
// only ids and the import's clock readings; then each side reads the other's import, and each
// honours the other's ledger (nothing imported twice).
import { expect } from 'chai';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TypedClient } from '../../protocol/client.js';
import type { ResultOf } from '../../protocol/methods.js';
import { AppServer, COMPAT_CLIENT_NAME, stopAllAppServers, writeCodexConfig } from './appServer.js';
import { engineJson, runEngineCli } from './engineCli.js';
import { describeDifferences, jsonDifferences } from './jsonDifferences.js';
import { ClockOracle } from './clockOracle.js';
import { freshRoot } from './mutationHarness.js';
import { openImportServer } from './externalAgentServe.js';
import {
  resumedSessionRows,
  richSessionRows,
  rolloutsOf,
  untitledSessionRows,
  writeClaudeSession,
} from '../fixtures/claudeSessions.js';

interface Imported {
  readonly source: string;
  readonly threadId: string;
}

/**
 * The import's clock readings: every line of an imported thread carries the time it was imported,
 * and so do the thread's times (Codex's state DB row holds the source messages' times, but a Codex
 * process answers them from the rollout, as the engine does).
 */
const IMPORT_TIME_FIELDS = new Set(['createdAt', 'updatedAt', 'recencyAt']);

/** A thread/read answer with what is the import's own (ids, paths, clock readings) replaced by placeholders. */
const normalised = (answer: unknown, threadId: string): unknown => {
  const walk = (v: unknown, key: string | undefined): unknown => {
    if (Array.isArray(v)) return v.map((x) => walk(x, undefined));
    if (typeof v === 'object' && v !== null)
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, k)]));
    if (typeof v === 'string') {
      if (v === threadId) return '<thread>';
      if (key === 'path') return '<path>';
      if (key === 'id' && (/^[0-9a-f-]{36}$/.test(v) || /^item-\d+$/.test(v))) return '<item>';
    }
    if (key !== undefined && IMPORT_TIME_FIELDS.has(key)) return '<import time>';
    return v;
  };
  const { readState: _r, ...rest } = (walk(answer, undefined) ?? {}) as Record<string, unknown>;
  return rest;
};

const engineRead = async (codexHome: string, threadId: string): Promise<unknown> => {
  const r = engineJson(await runEngineCli(['read', threadId, '--codex-home', codexHome, '--json'], 60_000));
  if (!r.ok) throw new Error(r.problem);
  // `rollout-engine read --json` prints the thread; `thread/read` answers `{thread}`.
  return { thread: r.value };
};

const engineImport = async (codexHome: string, claudeHome: string, ...extra: string[]): Promise<any> => {
  const r = engineJson(
    await runEngineCli(
      [
        'import',
        'claude',
        '--from',
        claudeHome,
        '--originator',
        COMPAT_CLIENT_NAME,
        '--source',
        'vscode',
        '--model-provider',
        'mock',
        ...extra,
        '--codex-home',
        codexHome,
        '--json',
      ],
      120_000,
    ),
  );
  if (!r.ok) throw new Error(r.problem);
  return r.value;
};

let codexDetected: unknown;
let codexRefusal: unknown;

/** An import of a file detection does not offer: Codex answers, then reports it as not detected. */
const refusalOf = async (
  ask: TypedClient['request'],
  completed: (importId: string) => Promise<unknown>,
  outside: string,
): Promise<unknown> => {
  const item = {
    itemType: 'SESSIONS',
    description: 'x',
    cwd: null,
    details: { sessions: [{ path: outside, cwd: '/', title: 'x' }] },
  };
  const { importId } = await ask('externalAgentConfig/import', { migrationItems: [item] });
  const params = (await completed(importId)) as { importId: string };
  return { ...params, importId: '<import>' };
};
let codexNotifications: Array<{ method: string; params: unknown }> = [];

const codexImport = async (server: AppServer): Promise<Imported[]> => {
  const detected = await server.typed.request('externalAgentConfig/detect', { includeHome: true });
  codexDetected = detected;
  const items = detected.items.filter((i) => i.itemType === 'SESSIONS');
  if (items.length === 0) return [];
  const since = server.mark();
  const { importId } = await server.typed.request('externalAgentConfig/import', { migrationItems: items });
  const done = await server.waitForNotification(
    'externalAgentConfig/import/completed',
    (p: any) => p.importId === importId,
    60_000,
    since,
  );
  codexNotifications = server.notifications
    .filter((n) => n.seq >= since && n.method.startsWith('externalAgentConfig/'))
    .map((n) => ({ method: n.method, params: n.params }));
  const results = (
    done.params as {
      itemTypeResults: Array<{ itemType: string; successes: Array<{ source: string; target: string }> }>;
    }
  ).itemTypeResults;
  return results
    .filter((r) => r.itemType === 'SESSIONS')
    .flatMap((r) => r.successes.map((s) => ({ source: s.source, threadId: s.target })));
};

describe('import Claude Code sessions: rollout-engine import claude against codex app-server externalAgentConfig/import (compat)', function () {
  this.timeout(240_000);
  let root: string;
  let claudeHome: string;
  let codexSide: string;
  let ourSide: string;
  let userHome: string;
  let sessions: { rich: string; untitled: string; resumed: string };
  let codexImported: Imported[];
  let ourImported: Imported[];
  let codexReads: Map<string, unknown>;
  /** What Codex's state DB row says as preview for its own import (its label of the first message). */
  const codexDbPreviews = new Map<string, string>();
  let outsideSession: string;

  before(async () => {
    root = freshRoot();
    userHome = join(root, 'user-home');
    claudeHome = join(userHome, '.claude');
    const project = join(root, 'work', 'parser-project');
    mkdirSync(project, { recursive: true });
    sessions = {
      rich: writeClaudeSession(claudeHome, project, '6f1c2d9e-rich', richSessionRows(project)),
      untitled: writeClaudeSession(claudeHome, project, '7a2b3c4d-untitled', untitledSessionRows(project)),
      resumed: writeClaudeSession(claudeHome, project, '8b3c4d5e-resumed', resumedSessionRows(project)),
    };
    outsideSession = join(root, 'outside.jsonl');
    writeFileSync(
      outsideSession,
      `${JSON.stringify({ type: 'user', cwd: project, timestamp: '2026-06-03T12:00:00Z', message: { content: 'not offered' } })}\n`,
    );
    codexSide = join(root, 'codex-side');
    ourSide = join(root, 'our-side');
    writeCodexConfig(codexSide, 1);
    writeCodexConfig(ourSide, 1);

    const codex = await AppServer.start({ codexHome: codexSide, userHome });
    try {
      codexImported = await codexImport(codex);
      codexRefusal = await refusalOf(
        codex.typed.request,
        async (importId) =>
          (
            await codex.waitForNotification(
              'externalAgentConfig/import/completed',
              (p: any) => p.importId === importId,
              60_000,
            )
          ).params,
        outsideSession,
      );
    } finally {
      await codex.stop();
    }
    // Codex's answers for its import. With turns, Codex answers a thread's preview (and times, and
    // name) from the state DB row it holds for it — for its own import the row its import wrote, whose
    // preview is its one-line label of the first message; without turns, from the rollout, as it does
    // for a thread it did not import (ours: its row is then made from the rollout) and as the engine
    // always does. So the preview of Codex's own import is compared with its rollout answer.
    const later = await AppServer.start({ codexHome: codexSide, userHome });
    try {
      codexReads = new Map();
      for (const i of codexImported) {
        const withTurns = await later.typed.request('thread/read', { threadId: i.threadId, includeTurns: true });
        const fromRollout = await later.typed.request('thread/read', { threadId: i.threadId });
        codexDbPreviews.set(i.source, withTurns.thread.preview);
        codexReads.set(i.source, {
          ...withTurns,
          thread: { ...withTurns.thread, preview: fromRollout.thread.preview },
        });
      }
    } finally {
      await later.stop();
    }
    const ours = await engineImport(ourSide, claudeHome);
    ourImported = (ours.sessions as Array<{ status: string; source: string; threadId: string }>)
      .filter((s) => s.status === 'imported')
      .map((s) => ({ source: s.source, threadId: s.threadId }));
  });

  after(async () => {
    await stopAllAppServers();
    if (root !== undefined) rmSync(root, { recursive: true, force: true });
  });

  it('imports the same sessions as Codex', () => {
    expect(codexImported.map((i) => i.source).sort()).to.deep.equal(Object.values(sessions).sort());
    expect(ourImported.map((i) => i.source).sort()).to.deep.equal(Object.values(sessions).sort());
  });

  it("Codex's state DB row for its own import holds its one-line label of the first message as preview (what the comparisons take from its rollout answer instead)", () => {
    expect(codexDbPreviews.get(sessions.rich)).to.equal('<command-message>review is running</command-message>');
    expect((codexReads.get(sessions.rich) as { thread: { preview: string } }).thread.preview).to.equal(
      '<command-message>review is running</command-message>\n<command-name>/review</command-name>\nPlease fix the failing parser test',
    );
  });

  for (const which of ['rich', 'untitled'] as const) {
    it(`thread/read includeTurns of the ${which} session equals Codex's, ids and import times aside`, async () => {
      const source = sessions[which];
      const codexThread = codexImported.find((i) => i.source === source)!;
      const ourThread = ourImported.find((i) => i.source === source)!;
      const expected = normalised(codexReads.get(source), codexThread.threadId);
      const actual = normalised(await engineRead(ourSide, ourThread.threadId), ourThread.threadId);
      const differences = jsonDifferences(expected, actual);
      if (differences.length > 0) expect.fail(describeDifferences(differences));
    });
  }

  it("writes Codex's rollout lines after the session_meta (events, items, marker, token estimate, completions), times aside", () => {
    const body = (codexHome: string, threadId: string): string[] => {
      const file = rolloutsOf(codexHome).find((p) => p.endsWith(`${threadId}.jsonl`))!;
      return readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l !== '')
        .slice(1)
        .map((l) => JSON.stringify({ ...(JSON.parse(l) as object), timestamp: '<import time>' }));
    };
    for (const which of ['rich', 'untitled'] as const) {
      const codexLines = body(codexSide, codexImported.find((i) => i.source === sessions[which])!.threadId);
      const ourLines = body(ourSide, ourImported.find((i) => i.source === sessions[which])!.threadId);
      const differences = jsonDifferences(codexLines, ourLines);
      if (differences.length > 0) expect.fail(`${which}: ${describeDifferences(differences)}`);
    }
  });

  it("the resumed session's copied rows are imported once (Codex imports them twice): otherwise equal", async () => {
    const source = sessions.resumed;
    const codexThread = codexImported.find((i) => i.source === source)!;
    const ourThread = ourImported.find((i) => i.source === source)!;
    const expected = normalised(codexReads.get(source), codexThread.threadId) as {
      thread: { turns: Array<{ items: unknown[] }> };
    };
    const actual = normalised(await engineRead(ourSide, ourThread.threadId), ourThread.threadId) as {
      thread: { turns: Array<{ items: unknown[] }> };
    };
    // Codex: the first turn holds the reply twice, and the copied user message opens a turn of its own.
    expect(expected.thread.turns.length).to.equal(actual.thread.turns.length + 1);
    const texts = (turns: Array<{ items: unknown[] }>): string[] =>
      turns.flatMap((t) => t.items.map((i) => JSON.stringify(i)));
    expect(new Set(texts(expected.thread.turns))).to.deep.equal(new Set(texts(actual.thread.turns)));
  });

  it("Codex lists and reads the engine's import as it reads its own", async () => {
    const codex = await AppServer.start({ codexHome: ourSide, userHome });
    try {
      const listed = await codex.typed.request('thread/list', {});
      expect(listed.data.map((t) => t.id).sort()).to.deep.equal(ourImported.map((i) => i.threadId).sort());
      for (const which of ['rich', 'untitled'] as const) {
        const ourThread = ourImported.find((i) => i.source === sessions[which])!;
        const codexThread = codexImported.find((i) => i.source === sessions[which])!;
        const read = await codex.typed.request('thread/read', { threadId: ourThread.threadId, includeTurns: true });
        const differences = jsonDifferences(
          normalised(codexReads.get(sessions[which]), codexThread.threadId),
          normalised(read, ourThread.threadId),
        );
        if (differences.length > 0) expect.fail(`${which}: ${describeDifferences(differences)}`);
        // The same home, the same thread: Codex's answer and the engine's, times included (Codex takes
        // a thread it did not write from the file's mtime: the clock oracle's backfill rule).
        const same = jsonDifferences(
          read,
          new ClockOracle(ourSide).explained(read, await engineRead(ourSide, ourThread.threadId)),
        );
        const sameAside = same.filter((d) => !/^(readState|thread\.status)/.test(d.path));
        if (sameAside.length > 0) expect.fail(`${which} on one home: ${describeDifferences(sameAside)}`);
      }
      // Our ledger is Codex's: nothing is offered again.
      const detected = await codex.typed.request('externalAgentConfig/detect', { includeHome: true });
      expect(detected.items.filter((i) => i.itemType === 'SESSIONS')).to.deep.equal([]);
    } finally {
      await codex.stop();
    }
  });

  it('over JSON-RPC, serve detects as Codex detects, imports in the background with the same notifications, and two concurrent imports make one thread per session', async () => {
    const rpcSide = join(root, 'rpc-side');
    writeCodexConfig(rpcSide, 1);
    const { client, ask } = await openImportServer(rpcSide, userHome);
    try {
      const detected = await ask('externalAgentConfig/detect', { includeHome: true });
      const differences = jsonDifferences(codexDetected, detected);
      if (differences.length > 0) expect.fail(describeDifferences(differences));
      const [a, b] = await Promise.all([
        ask('externalAgentConfig/import', { migrationItems: detected.items }),
        ask('externalAgentConfig/import', { migrationItems: detected.items }),
      ]);
      expect(a.importId).to.not.equal(b.importId);
      const deadline = Date.now() + 60_000;
      const completed = () => client.notifications.filter((n) => n.method === 'externalAgentConfig/import/completed');
      while (completed().length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      const mine = (importId: string) =>
        client.notifications.filter((n) => (n.params as { importId?: string }).importId === importId);
      const shape = (ns: ReadonlyArray<{ method: string; params: unknown }>) =>
        ns.map((n) => ({
          method: n.method,
          results: (
            n.params as { itemTypeResults: Array<{ successes: Array<{ source: string; title: string | null }> }> }
          ).itemTypeResults.map((r) => r.successes.map((s) => [s.source, s.title]).sort()),
        }));
      // The first import does what Codex's did; the second finds everything in the ledger.
      const first = shape(mine(a.importId));
      const expected = shape(codexNotifications);
      expect(first[0]).to.deep.equal(expected[0]);
      expect(first[first.length - 1]).to.deep.equal(expected[expected.length - 1]);
      expect(shape(mine(b.importId))).to.deep.equal([
        { method: 'externalAgentConfig/import/progress', results: [[]] },
        { method: 'externalAgentConfig/import/completed', results: [[]] },
      ]);
      expect(rolloutsOf(rpcSide)).to.have.length(3);
      const refusal = await refusalOf(
        ask,
        async (importId) => {
          while (Date.now() < deadline) {
            const done = client.notifications.find(
              (n) =>
                n.method === 'externalAgentConfig/import/completed' &&
                (n.params as { importId: string }).importId === importId,
            );
            if (done !== undefined) return done.params;
            await new Promise((r) => setTimeout(r, 50));
          }
          throw new Error('no completion');
        },
        outsideSession,
      );
      expect(refusal).to.deep.equal(codexRefusal);
      expect(rolloutsOf(rpcSide)).to.have.length(3);
      const again = await ask('externalAgentConfig/detect', { includeHome: true });
      expect(again.items).to.deep.equal([]);
    } finally {
      await client.close();
    }
  });

  it("the engine reads Codex's import as Codex does, and honours Codex's ledger", async () => {
    for (const which of ['rich', 'untitled'] as const) {
      const codexThread = codexImported.find((i) => i.source === sessions[which])!;
      const read = (await engineRead(codexSide, codexThread.threadId)) as { thread: Record<string, unknown> };
      const expected = normalised(codexReads.get(sessions[which]), codexThread.threadId) as {
        thread: Record<string, unknown>;
      };
      // Codex names its import in its state DB only (session_index.jsonl is not written): the name is compared apart.
      const differences = jsonDifferences(
        { ...expected, thread: { ...expected.thread, name: null } },
        normalised(read, codexThread.threadId),
      );
      if (differences.length > 0) expect.fail(`${which}: ${describeDifferences(differences)}`);
    }
    const before = rolloutsOf(codexSide);
    const again = await engineImport(codexSide, claudeHome);
    expect(again.sessions).to.deep.equal([]);
    const named = await engineImport(codexSide, claudeHome, '--session', sessions.rich);
    expect(named.sessions.map((s: { status: string; reason?: string }) => [s.status, s.reason])).to.deep.equal([
      ['skipped', 'alreadyImported'],
    ]);
    expect(rolloutsOf(codexSide)).to.deep.equal(before);
    expect(readFileSync(join(codexSide, 'external_agent_session_imports.json'), 'utf8')).to.include(
      codexImported[0]!.threadId,
    );
  });
});

describe("import Cursor's agent transcripts: rollout-engine import cursor against codex app-server with migrationSource cursor (compat)", function () {
  this.timeout(240_000);
  let root: string;
  let userHome: string;
  let transcript: string;
  let codexSide: string;
  let ourSide: string;

  before(() => {
    // Codex 0.169.0 finds no folder whose name holds two hyphens or more (`rollout-engine-mutations-…`), so this root has none.
    root = mkdtempSync(join(tmpdir(), 'cursorimport'));
    userHome = join(root, 'user-home');
    // A hyphen in the project's own name: Cursor's folder name is ambiguous, the file system decides.
    const project = join(root, 'work', 'cursor-app');
    mkdirSync(project, { recursive: true });
    const folder = join(
      userHome,
      '.cursor',
      'projects',
      project.slice(1).replace(/[/.]/g, '-'),
      'agent-transcripts',
      'c0ffee',
    );
    mkdirSync(join(folder, 'subagents'), { recursive: true });
    transcript = join(folder, 'c0ffee.jsonl');
    const rows = [
      {
        role: 'user',
        message: { content: [{ type: 'text', text: '<user_query>\nMake the build faster\n</user_query>' }] },
      },
      {
        role: 'assistant',
        message: {
          content: [
            { type: 'text', text: 'Profiling first.' },
            { type: 'tool_use', name: 'Shell', input: { command: 'npm run build -- --profile' } },
          ],
        },
      },
      { role: 'user', message: { content: [{ type: 'tool_result', content: 'built in 41s' }] } },
      {
        role: 'assistant',
        message: { content: [{ type: 'text', text: 'Caching the TypeScript build cuts it to 12s.' }] },
      },
      { role: 'user', message: { content: 'thanks' } },
    ];
    writeFileSync(transcript, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
    // A sub-agent's transcript is not a session of its own.
    writeFileSync(
      join(folder, 'subagents', 'helper.jsonl'),
      `${JSON.stringify({ role: 'user', message: { content: 'sub-agent task' } })}\n`,
    );
    codexSide = join(root, 'codex-side');
    ourSide = join(root, 'our-side');
    writeCodexConfig(codexSide, 1);
    writeCodexConfig(ourSide, 1);
  });

  after(async () => {
    await stopAllAppServers();
    if (root !== undefined) rmSync(root, { recursive: true, force: true });
  });

  it('detects and imports as Codex does: the same rollout lines (times aside) and thread/read', async () => {
    const codex = await AppServer.start({ codexHome: codexSide, userHome });
    let codexThread: string;
    let codexRead: unknown;
    let codexDetected: ResultOf<'externalAgentConfig/detect'>;
    try {
      codexDetected = await codex.typed.request('externalAgentConfig/detect', {
        includeHome: true,
        migrationSource: 'cursor',
      });
      expect(
        codexDetected.items.flatMap((i) => i.details?.sessions.map((s) => s.path) ?? []),
        JSON.stringify(codexDetected),
      ).to.deep.equal([transcript]);
      const since = codex.mark();
      const { importId } = await codex.typed.request('externalAgentConfig/import', {
        migrationItems: codexDetected.items,
        migrationSource: 'cursor',
      });
      const done = await codex.waitForNotification(
        'externalAgentConfig/import/completed',
        (p: any) => p.importId === importId,
        60_000,
        since,
      );
      codexThread = (done.params as any).itemTypeResults[0].successes[0].target as string;
      codexRead = await codex.typed.request('thread/read', { threadId: codexThread, includeTurns: true });
    } finally {
      await codex.stop();
    }
    expect(codexDetected.items.flatMap((i) => i.details?.sessions.map((s) => s.path) ?? [])).to.deep.equal([
      transcript,
    ]);

    const { client, ask } = await openImportServer(ourSide, userHome);
    try {
      expect(await ask('externalAgentConfig/detect', { includeHome: true, migrationSource: 'cursor' })).to.deep.equal(
        codexDetected,
      );
    } finally {
      await client.close();
    }

    const r = engineJson(
      await runEngineCli(
        [
          'import',
          'cursor',
          '--from',
          join(userHome, '.cursor'),
          '--originator',
          COMPAT_CLIENT_NAME,
          '--source',
          'vscode',
          '--codex-home',
          ourSide,
          '--json',
        ],
        60_000,
      ),
    );
    if (!r.ok) throw new Error(r.problem);
    const ours = (r.value as { sessions: Array<{ status: string; threadId: string }> }).sessions;
    expect(ours.map((s) => s.status)).to.deep.equal(['imported']);
    const body = (codexHome: string, threadId: string): string[] =>
      readFileSync(
        rolloutsOf(codexHome).find((p) => p.endsWith(`${threadId}.jsonl`))!,
        'utf8',
      )
        .split('\n')
        .filter((l) => l !== '')
        .slice(1)
        .map((l) => JSON.stringify({ ...(JSON.parse(l) as object), timestamp: '<import time>' }));
    const lineDifferences = jsonDifferences(body(codexSide, codexThread), body(ourSide, ours[0]!.threadId));
    if (lineDifferences.length > 0) expect.fail(describeDifferences(lineDifferences));
    const readDifferences = jsonDifferences(
      normalised(codexRead, codexThread),
      normalised(await engineRead(ourSide, ours[0]!.threadId), ours[0]!.threadId),
    );
    if (readDifferences.length > 0) expect.fail(describeDifferences(readDifferences));
  });
});
