// Item fields whose answer differs between the Codex versions spoken (protocol/itemDeltas.ts), read
// from hand-written rollout lines by each binary and by `rollout-engine serve --codex-version X`:
// an agent message's moderation in 0.169.0's shape (`display.action`, …) and in 0.171.0's (a union
// tagged by `mode`, with `version`), displays neither version reads, and MCP calls with an
// environment id on the line. Each version's binary is the oracle for its own connections (its
// items, pages and search hits); ours are also held to that version's schema. Each binary reads
// its own copy of the home: a Codex answers a paginated thread from the history projection
// (thread_history_1.sqlite) the first binary to resume it wrote, so 0.171.0 after 0.169.0 in one
// home answers 0.169.0's reading (measured: no item for a `mode` display, `bothshapes` with no
// display). Paginated threads are resumed on Codex first: without its history projection (a home
// it did not write) a cold read answers them with no turns.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { expect } from 'chai';
import { codexCommandAt, writeCodexConfig } from './appServer.js';
import { CodexSchema, answerSchema } from '../fixtures/codexSchema.js';
import { handshake, serveOverStdio, spawnAppServerRpc } from '../fixtures/stdioRpcClient.js';
import type { RpcAnswer, StdioRpcClient } from '../fixtures/stdioRpcClient.js';
import { RolloutWriter } from '../fixtures/rolloutLines.js';
import { CODEX_VERSIONS } from '../../protocol/codexVersions.js';
import type { HistoryMode } from '../../domain/rollout/historyMode.js';

const THREADS: Readonly<Record<HistoryMode, string>> = {
  paginated: '019a0000-0000-7000-8000-0000000000a1',
  legacy: '019a0000-0000-7000-8000-0000000000a2',
};

/** Agent messages' `moderation` on the line, by a word only their text holds (searched). */
const MODERATIONS: ReadonlyArray<readonly [string, unknown]> = [
  ['unmoderated', undefined],
  ['nullmoderation', null],
  ['notmoderated', { moderated: false }],
  ['nodisplay', { moderated: true, display: null }],
  // 0.169.0's AgentMessageDisplay: `action` required, the rest optional, unknown fields ignored.
  [
    'oldhide',
    {
      moderated: true,
      display: { action: 'hide', blockType: 'cyber', cyberTrustedAccess: true, checkTrustedContacts: false },
    },
  ],
  ['oldshow', { moderated: false, display: { action: 'show' } }],
  ['oldsnake', { moderated: true, display: { action: 'show', block_type: 'cyber' } }],
  // 0.171.0's AgentMessageDisplay, as its schema answers it.
  [
    'newshow',
    {
      moderated: true,
      display: {
        mode: 'show',
        version: 1,
        trustedContacts: 'check',
        annotation: { kind: 'wellbeingHelpline', subject: 'answer' },
      },
    },
  ],
  [
    'newhide',
    { moderated: true, display: { mode: 'hide', version: 1, replacement: { kind: 'wellbeingPromptHelpline' } } },
  ],
  [
    'newblock',
    {
      moderated: true,
      display: { mode: 'block', version: 1, reason: { kind: 'protection', protectionType: 'weapons' } },
    },
  ],
  [
    'newcyber',
    { moderated: false, display: { mode: 'block', version: 1, reason: { kind: 'cyber', trustedAccess: true } } },
  ],
  ['bothshapes', { moderated: true, display: { action: 'show', mode: 'show', version: 1, trustedContacts: 'skip' } }],
  ['neithershape', { moderated: true, display: { blockType: 'cyber' } }],
  ['emptydisplay', { moderated: false, display: {} }],
  ['stringdisplay', { moderated: false, display: 'hide' }],
  // 0.171.0's shape, but not a display it reads: another version, a required field missing or misshapen.
  ['newversiontwo', { moderated: false, display: { mode: 'show', version: 2, trustedContacts: 'check' } }],
  ['newnoreason', { moderated: true, display: { mode: 'block', version: 1 } }],
  ['newbadcontacts', { moderated: true, display: { mode: 'show', version: 1, trustedContacts: 'maybe' } }],
  [
    'newsnakereason',
    {
      moderated: true,
      display: { mode: 'block', version: 1, reason: { kind: 'protection', protection_type: 'weapons' } },
    },
  ],
  // Read by 0.171.0: unknown fields dropped, a null annotation or trusted access left out.
  [
    'newextra',
    {
      moderated: true,
      display: { mode: 'hide', version: 1, replacement: { kind: 'wellbeingPromptHelpline', note: 1 }, action: 7 },
    },
  ],
  ['newnulls', { moderated: false, display: { mode: 'show', version: 1, trustedContacts: 'skip', annotation: null } }],
  [
    'newcybernull',
    { moderated: true, display: { mode: 'block', version: 1, reason: { kind: 'cyber', trustedAccess: null } } },
  ],
];

/** MCP calls' environment id on the line: camelCase (the paginated item's spelling), snake_case (the legacy event's), none. */
const MCP_CALLS: ReadonlyArray<readonly [string, Record<string, unknown>]> = [
  ['mcp-camel', { environmentId: 'env-camel' }],
  ['mcp-snake', { environment_id: 'env-snake' }],
  ['mcp-none', {}],
];

const writeHome = (codexHome: string): void => {
  writeCodexConfig(codexHome, 9);
  const day = nodePath.join(codexHome, 'sessions', '2026', '11', '21');
  fs.mkdirSync(day, { recursive: true });
  (['paginated', 'legacy'] as const).forEach((mode, i) => {
    const id = THREADS[mode];
    const w = new RolloutWriter(mode, id, { startMs: Date.UTC(2026, 10, 21, 14, i + 1, 0) }).sessionMeta({
      model_provider: 'mock',
    });
    w.taskStarted('t1').turnContext('t1').responseMessage('user', 'moderate these');
    if (mode === 'paginated') w.item('t1', { type: 'UserMessage', id: 'u1', content: w.userText('moderate these') });
    else
      w.push('event_msg', {
        type: 'user_message',
        message: 'moderate these',
        images: [],
        local_images: [],
        text_elements: [],
      });
    for (const [word, moderation] of MODERATIONS)
      w.agentMessage(
        't1',
        `msg-${word}`,
        `Answer ${word} here.`,
        moderation === undefined ? {} : { moderation, phase: null },
      );
    for (const [callId, fields] of MCP_CALLS) w.mcpToolCall('t1', callId, fields);
    w.responseMessage('assistant', 'done').taskComplete('t1');
    fs.writeFileSync(nodePath.join(day, `rollout-2026-11-21T14-0${i + 1}-00-${id}.jsonl`), w.text());
  });
};

type Item = Record<string, unknown>;
const resultOf = (a: RpcAnswer, what: string): any => {
  if ('error' in a) throw new Error(`${what}: ${JSON.stringify(a.error)}`);
  return a.result;
};

/** Item pages of `limit` walked to the end: each page's item ids, so that a page's count and boundaries are compared. */
const itemPages = async (s: StdioRpcClient, threadId: string, limit: number): Promise<string[][]> => {
  const pages: string[][] = [];
  let cursor: string | null = null;
  do {
    const page = resultOf(
      await s.request('thread/items/list', { threadId, limit, ...(cursor === null ? {} : { cursor }) }),
      'thread/items/list',
    );
    pages.push((page.data as Array<{ item: Item }>).map((e) => String(e.item['id'])));
    cursor = (page.nextCursor as string | null | undefined) ?? null;
  } while (cursor !== null && pages.length < 50);
  return pages;
};

/** What one server answers for the home: each thread's items by each history method, and the threads each word finds. */
const answersOf = async (s: StdioRpcClient, resume: boolean): Promise<Record<string, unknown>> => {
  const out: Record<string, unknown> = {};
  for (const [mode, id] of Object.entries(THREADS)) {
    if (resume && mode === 'paginated')
      resultOf(await s.request('thread/resume', { threadId: id, excludeTurns: true }), 'thread/resume');
    const read = resultOf(await s.request('thread/read', { threadId: id, includeTurns: true }), `thread/read ${mode}`);
    out[`${mode} thread/read`] = (read.thread.turns as Array<{ items: Item[] }>).flatMap((t) => t.items);
    for (const itemsView of ['full', 'summary'] as const) {
      const turns = resultOf(
        await s.request('thread/turns/list', { threadId: id, itemsView, limit: 10 }),
        `thread/turns/list ${mode}`,
      );
      out[`${mode} thread/turns/list ${itemsView}`] = (turns.data as Array<{ items: Item[] }>).map((t) => t.items);
    }
    if (mode === 'paginated') {
      const items = resultOf(await s.request('thread/items/list', { threadId: id, limit: 100 }), 'thread/items/list');
      out[`${mode} thread/items/list`] = items.data;
      out[`${mode} thread/items/list pages of 4`] = await itemPages(s, id, 4);
    }
  }
  for (const [word] of MODERATIONS) {
    const found = resultOf(await s.request('thread/search', { searchTerm: word }), `thread/search ${word}`);
    out[`thread/search ${word}`] = (found.data as Array<{ thread: { id: string } }>).map((r) => r.thread.id).sort();
  }
  return out;
};

const agentMessage = (items: unknown, word: string): Item | undefined =>
  (items as Item[]).find((i) => i['type'] === 'agentMessage' && i['id'] === `msg-${word}`);
const mcpCalls = (items: unknown): Item[] => (items as Item[]).filter((i) => i['type'] === 'mcpToolCall');

describe("compat · item deltas: both moderation shapes and MCP environment ids are read by both versions' clients (0.169.0, 0.171.0)", function () {
  this.timeout(240_000);
  let root: string;
  const servers: StdioRpcClient[] = [];
  const schemas = new Map<string, CodexSchema>();

  before(async () => {
    // Each version's own schema (the hooks' is the compat run's version: 0.169.0, or 0.171.0 in a whole run against it).
    for (const v of CODEX_VERSIONS)
      if (v !== answerSchema.active()?.version) schemas.set(v, await CodexSchema.generateAt(v));
    root = fs.mkdtempSync(nodePath.join(os.tmpdir(), 'item-deltas-compat-'));
  });
  after(async () => {
    await Promise.all(servers.map((s) => s.close()));
    fs.rmSync(root, { recursive: true, force: true });
  });

  const initialized = async (s: StdioRpcClient): Promise<StdioRpcClient> => {
    resultOf(
      await handshake(s, { clientInfo: { name: 'compat', version: '1' }, capabilities: { experimentalApi: true } }),
      'initialize',
    );
    return s;
  };

  const NEW_SHAPES = ['newshow', 'newhide', 'newblock', 'newcyber', 'newextra', 'newnulls', 'newcybernull'];
  const NEITHER = [
    'neithershape',
    'emptydisplay',
    'stringdisplay',
    'newversiontwo',
    'newnoreason',
    'newbadcontacts',
    'newsnakereason',
  ];

  for (const version of CODEX_VERSIONS) {
    it(`serve --codex-version ${version} answers each item, page and search as codex app-server ${version} does`, async () => {
      // A home of its own for this binary (not one another version's Codex projected).
      const codexHome = nodePath.join(root, version, 'codex-home');
      writeHome(codexHome);
      const command = await codexCommandAt(version);
      const codex = spawnAppServerRpc(command, codexHome);
      servers.push(codex);
      const theirs = await answersOf(await initialized(codex), true);
      await codex.close();
      const schema = schemas.get(version);
      const mine = await serveOverStdio(codexHome, {
        args: ['--codex-version', version],
        ...(schema === undefined ? {} : { schema }),
      });
      servers.push(mine);
      const ours = await answersOf(await initialized(mine), false);
      await mine.close();

      // Every answer, pages and summaries included: a page counts, and a summary picks from, only
      // the items the version has (0.169.0 has no item for a display only 0.171.0 reads).
      const differing = Object.keys(theirs).filter((key) => JSON.stringify(ours[key]) !== JSON.stringify(theirs[key]));
      for (const key of Object.keys(theirs))
        expect(ours[key], `${version} · ${key} (differing: ${differing.join('; ')})`).to.deep.equal(theirs[key]);

      // The measured contract, so that a binary that changes it is seen here and not only as "equal".
      const read = ours['paginated thread/read'];
      const legacyRead = ours['legacy thread/read'];
      const moderationOf = (word: string) => agentMessage(read, word)?.['moderation'];
      for (const [word] of MODERATIONS.slice(2))
        expect(
          agentMessage(legacyRead, word),
          `${version}: a legacy message with a moderation is shown by no item`,
        ).to.equal(undefined);
      expect(mcpCalls(read)).to.have.length(3);
      expect(mcpCalls(legacyRead)).to.have.length(3);
      if (version === '0.169.0') {
        expect(moderationOf('oldhide')).to.deep.equal(MODERATIONS[4]![1]);
        expect(moderationOf('bothshapes')).to.deep.equal({
          moderated: true,
          display: { action: 'show', blockType: null, cyberTrustedAccess: null, checkTrustedContacts: null },
        });
        for (const word of [...NEW_SHAPES, ...NEITHER])
          expect(agentMessage(read, word), `${version}: ${word}: a display 0.169.0 cannot read, no item`).to.equal(
            undefined,
          );
        for (const call of [...mcpCalls(read), ...mcpCalls(legacyRead)])
          expect(call).to.not.have.property('environmentId');
      } else {
        for (const word of ['oldhide', 'oldshow', 'oldsnake', 'nodisplay', ...NEITHER])
          expect(moderationOf(word), word).to.deep.equal({ moderated: true, display: null });
        expect(moderationOf('notmoderated')).to.deep.equal({ moderated: false, display: null });
        expect(moderationOf('newshow')).to.deep.equal({
          moderated: true,
          display: {
            mode: 'show',
            version: 1,
            annotation: { kind: 'wellbeingHelpline', subject: 'answer' },
            trustedContacts: 'check',
          },
        });
        expect(moderationOf('bothshapes')).to.deep.equal({
          moderated: true,
          display: { mode: 'show', version: 1, trustedContacts: 'skip' },
        });
        expect(moderationOf('newcyber')).to.deep.equal(MODERATIONS.find(([w]) => w === 'newcyber')![1]);
        expect(moderationOf('newextra')).to.deep.equal({
          moderated: true,
          display: { mode: 'hide', version: 1, replacement: { kind: 'wellbeingPromptHelpline' } },
        });
        for (const call of [...mcpCalls(read), ...mcpCalls(legacyRead)])
          expect(Object.keys(call).slice(0, 5)).to.deep.equal(['type', 'id', 'server', 'environmentId', 'tool']);
        // A paginated item's camelCase `environmentId` as written; snake_case, or a legacy event's, null.
        expect(mcpCalls(read).map((c) => c['environmentId'])).to.deep.equal(['env-camel', null, null]);
        for (const call of mcpCalls(legacyRead)) expect(call['environmentId']).to.equal(null);
      }
    });
  }
});
