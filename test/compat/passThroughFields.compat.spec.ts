// Fields the source says Codex carries from a rollout line into its answer, that the offline binary
// cannot be made to write: a command that resolves to a plugin's script (`plugin_id`,
// `script_path`), an agent message delivered asynchronously (`delivery: "async"`), a standalone web
// search's `results`. Measured here on 0.169.0: it copies each, from a paginated item line and from
// a legacy event line (agent_message, web_search_end) alike.
// They are written into the lines of a copy of a home the binary wrote (the rich scenario, both
// history modes), Codex's state DB and its history projection removed, so it builds both from the
// edited files; then a cold codex app-server 0.169.0 and ours read the threads. Codex's answer is
// the oracle: it shows what it makes of the values (`expected`), and ours equals it field by field.
// The rules: codex-rs/protocol/src/items.rs and protocol.rs (the line types), app-server-protocol
// v2/item.rs and thread_history.rs (the answer); docs/codex-source/thread-items.md, DIFF e, i, n1.
import { expect } from 'chai';
import { cpSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { compatHome, openColdCodex, sharedCompatHomes } from './compatHomes.js';
import { freshRoot, openEngineServer } from './mutationHarness.js';
import type { CompatHome, HistoryMode } from './scenarios.js';

const PLUGIN = { plugin_id: 'compat-scripts@local', script_path: 'scripts/check.sh' };
const RESULTS: unknown[] = [
  { title: 'Event sourcing', url: 'https://example.com/es', snippet: 'An append-only log.', extra: { rank: 1, tags: ['a', null] } },
  'a bare result',
];

type Line = { type?: string; payload?: { type?: string; item?: Record<string, unknown> } & Record<string, unknown> };

/** What is written into the first line of each kind, by history mode: the line's test, its edit, and the item it becomes. */
interface Edit {
  readonly name: string;
  readonly matches: (line: Line) => boolean;
  readonly apply: (line: Line) => void;
  /** The answer's item this line becomes, found by what the line carries. */
  readonly itemOf: (line: Line) => (item: Record<string, unknown>) => boolean;
  /** The item's fields the edit fills, as Codex must answer them. */
  readonly expected: Readonly<Record<string, unknown>>;
}

const itemOfType = (type: string) => (line: Line) => line.type === 'event_msg' && line.payload?.type === 'item_completed' && line.payload.item?.['type'] === type;
const byId = (line: Line) => (item: Record<string, unknown>) => item['id'] === line.payload!.item!['id'];

const EDITS: Readonly<Record<HistoryMode, readonly Edit[]>> = {
  paginated: [
    {
      name: 'item/CommandExecution plugin_id, script_path',
      matches: itemOfType('CommandExecution'),
      apply: (l) => Object.assign(l.payload!.item!, PLUGIN),
      itemOf: byId,
      expected: { pluginId: PLUGIN.plugin_id, scriptPath: PLUGIN.script_path },
    },
    {
      name: 'item/AgentMessage delivery',
      matches: itemOfType('AgentMessage'),
      apply: (l) => Object.assign(l.payload!.item!, { delivery: 'async' }),
      itemOf: byId,
      expected: { delivery: 'async' },
    },
    {
      name: 'item/WebSearch results',
      matches: itemOfType('WebSearch'),
      apply: (l) => Object.assign(l.payload!.item!, { results: RESULTS }),
      itemOf: byId,
      expected: { results: RESULTS },
    },
  ],
  legacy: [
    {
      name: 'event_msg/agent_message delivery',
      matches: (l) => l.type === 'event_msg' && l.payload?.type === 'agent_message',
      apply: (l) => Object.assign(l.payload!, { delivery: 'async' }),
      itemOf: (l) => (item) => item['type'] === 'agentMessage' && item['text'] === l.payload!['message'],
      expected: { delivery: 'async' },
    },
    {
      name: 'event_msg/web_search_end results',
      matches: (l) => l.type === 'event_msg' && l.payload?.type === 'web_search_end',
      apply: (l) => Object.assign(l.payload!, { results: RESULTS }),
      itemOf: (l) => (item) => item['type'] === 'webSearch' && item['id'] === l.payload!['call_id'],
      expected: { results: RESULTS },
    },
  ],
};

const rolloutFilesOf = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? rolloutFilesOf(join(dir, e.name)) : e.name.startsWith('rollout-') && e.name.endsWith('.jsonl') ? [join(dir, e.name)] : [],
  );

/** Edit the first line each edit matches, in place; the edited lines and their threads (from the file name), by edit name. */
const editLines = (codexHome: string, edits: readonly Edit[]): Map<string, { line: Line; threadId: string }> => {
  const done = new Map<string, { line: Line; threadId: string }>();
  for (const file of rolloutFilesOf(join(codexHome, 'sessions')).sort()) {
    const text = readFileSync(file, 'utf8');
    let changed = false;
    const lines = text.split('\n').map((raw) => {
      if (raw === '') return raw;
      const line = JSON.parse(raw) as Line;
      const edit = edits.find((e) => !done.has(e.name) && e.matches(line));
      if (edit === undefined) return raw;
      edit.apply(line);
      done.set(edit.name, { line, threadId: /([0-9a-f-]{36})\.jsonl$/.exec(file)![1]! });
      changed = true;
      return JSON.stringify(line);
    });
    if (changed) writeFileSync(file, lines.join('\n'));
  }
  return done;
};

/** The items of every turn of a thread/read answer. */
const itemsOf = (read: { thread: { turns: Array<{ items: Array<Record<string, unknown>> }> } }): Array<Record<string, unknown>> =>
  read.thread.turns.flatMap((t) => t.items);

describe('compat: fields the binary cannot be made to write offline, written into its lines, read by codex app-server 0.169.0 and by ours', function () {
  this.timeout(600_000);
  let root: string;
  before(() => {
    root = freshRoot();
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  for (const mode of ['paginated', 'legacy'] as const) {
    it(`rich-${mode}: ${EDITS[mode].map((e) => e.name).join('; ')}: Codex answers what it makes of them, ours the same`, async function () {
      const fixture = await sharedCompatHomes();
      const built = compatHome(fixture, `rich-${mode}`);
      // A copy (the shared home stays as the binary wrote it), without Codex's state DB and its history
      // projection (thread_history_1.sqlite: the items of each thread as Codex rendered them when it
      // wrote the lines). Kept, that projection hides the edits: Codex answers a paginated thread from
      // it and never reads the edited lines (every edit answered as before it, measured 2026-11-26).
      // Removed, a cold thread/read answers a paginated thread with no turns until thread/resume
      // projects its file again; so each thread is resumed (it writes nothing to the file) and then read.
      const copy = join(root, built.key);
      cpSync(join(built.codexHome, '..'), copy, { recursive: true, preserveTimestamps: true });
      const home: CompatHome = {
        ...built,
        codexHome: join(copy, relative(join(built.codexHome, '..'), built.codexHome)),
        workDir: join(copy, relative(join(built.codexHome, '..'), built.workDir)),
      };
      expect(statSync(home.codexHome).isDirectory()).to.equal(true);
      for (const f of readdirSync(home.codexHome)) if (f.startsWith('state_5.sqlite') || f.startsWith('thread_history_1.sqlite')) rmSync(join(home.codexHome, f));
      const edited = editLines(home.codexHome, EDITS[mode]);
      expect([...edited.keys()], 'a line of each kind in the home').to.have.members(EDITS[mode].map((e) => e.name));

      const threads = [...new Set([...edited.values()].map((e) => e.threadId))];
      const sizes = () => rolloutFilesOf(join(home.codexHome, 'sessions')).map((f) => [f, statSync(f).size]);
      const written = sizes();
      const codexReads = new Map<string, Array<Record<string, unknown>>>();
      const codex = await openColdCodex(home);
      try {
        for (const id of threads) {
          await codex.server.request('thread/resume', { threadId: id, excludeTurns: true });
          codexReads.set(id, itemsOf(await codex.server.request('thread/read', { threadId: id, includeTurns: true })));
        }
      } finally {
        await codex.stop();
      }
      expect(sizes(), 'the files as edited: thread/resume loads a thread and writes nothing').to.deep.equal(written);
      const ours = await openEngineServer(home);
      const ourReads = new Map<string, Array<Record<string, unknown>>>();
      const ourPages = new Map<string, Array<Record<string, unknown>>>();
      try {
        for (const id of threads) {
          const read = await ours.request('thread/read', { threadId: id, includeTurns: true });
          if (!('result' in read)) throw new Error(`ours: thread/read ${id}: ${JSON.stringify(read.error)}`);
          ourReads.set(id, itemsOf(read.result as Parameters<typeof itemsOf>[0]));
          // The index's path too: the same items from thread/turns/list (full items, one page of all turns).
          const page = await ours.request('thread/turns/list', { threadId: id, itemsView: 'full', limit: 100 });
          if (!('result' in page)) throw new Error(`ours: thread/turns/list ${id}: ${JSON.stringify(page.error)}`);
          ourPages.set(
            id,
            (page.result as { data: Array<{ items: Array<Record<string, unknown>> }> }).data.flatMap((t) => t.items),
          );
        }
      } finally {
        await ours.close();
      }

      // Every edit's fields, Codex's and ours, before any verdict: one run shows them all.
      const found: string[] = [];
      for (const edit of EDITS[mode]) {
        const { line, threadId } = edited.get(edit.name)!;
        const find = edit.itemOf(line);
        const fields = (item: Record<string, unknown> | undefined) =>
          item === undefined ? 'no such item' : Object.fromEntries(Object.keys(edit.expected).map((k) => [k, item[k]]));
        const inCodex = codexReads.get(threadId)!.filter(find);
        const codexFields = fields(inCodex[0]);
        if (inCodex.length !== 1 || JSON.stringify(codexFields) !== JSON.stringify(edit.expected))
          found.push(`${edit.name}: Codex answers ${JSON.stringify(codexFields)} (${inCodex.length} items), the line carries ${JSON.stringify(edit.expected)}`);
        for (const [path, reads] of [
          ['thread/read', ourReads],
          ['thread/turns/list', ourPages],
        ] as const) {
          const inOurs = reads.get(threadId)!.filter(find);
          if (inOurs.length !== 1 || JSON.stringify(fields(inOurs[0])) !== JSON.stringify(codexFields))
            found.push(`${edit.name}: ours (${path}) ${JSON.stringify(fields(inOurs[0]))} (${inOurs.length} items), Codex's ${JSON.stringify(codexFields)}`);
        }
      }
      expect(found).to.deep.equal([]);
    });
  }
});
