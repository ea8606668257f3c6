// Fields the source says Codex carries from a rollout line into its answer, that the offline binary
// cannot be made to write: a command that resolves to a plugin's script (`plugin_id`,
// `script_path`), an agent message delivered asynchronously (`delivery: "async"`), a standalone web
// search's `results`; a user message's `client_id`, its images' details and its audio inputs.
// Measured here on 0.169.0: it copies each, from a paginated item line and from a legacy event line
// (agent_message, web_search_end, user_message) alike; a user_message line with a value its serde
// refuses is dropped whole.
// They are written into the lines of a copy of a home the binary wrote (the rich scenario, both
// history modes), Codex's state DB and its history projection removed, so it builds both from the
// edited files; then a cold codex app-server 0.169.0 and ours read the threads. Codex's answer is
// the oracle: it shows what it makes of the values (`expected`), and ours equals it field by field.
// The rules: codex-rs/protocol/src/items.rs and protocol.rs (the line types), app-server-protocol
// v2/item.rs and thread_history.rs (the answer); docs/codex-source/thread-items.md, DIFF a, b, c, e, i, n1.
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

const CLIENT_ID = 'compat-client-7';
const AUDIO_URL = 'data:audio/wav;base64,UklGRgAAAABXQVZF';
const LOCAL_AUDIO = '/compat/clip.wav';
const SECOND_IMAGE = 'https://example.com/second.png';

type Line = { type?: string; payload?: { type?: string; item?: Record<string, unknown> } & Record<string, unknown> };

/** What is written into the first line of each kind, by history mode: the line's test, its edit, and the item it becomes. */
interface Edit {
  readonly name: string;
  readonly matches: (line: Line) => boolean;
  readonly apply: (line: Line) => void;
  /** The answer's item this line becomes, found by what the line carries. */
  readonly itemOf: (line: Line) => (item: Record<string, unknown>) => boolean;
  /** The item's fields the edit fills, as Codex must answer them (from the edited line, where they carry its own values); `null`: no item. */
  readonly expected: Readonly<Record<string, unknown>> | ((line: Line) => Readonly<Record<string, unknown>>) | null;
}

type Part = Record<string, unknown>;
const hasLocalImage = (parts: unknown): boolean => Array.isArray(parts) && parts.some((p: Part) => p['type'] === 'local_image');
const textPart = (text: unknown) => ({ type: 'text', text, text_elements: [] });
/** A legacy user message's item: the one whose text is the line's message. */
const userMessageOf = (line: Line) => (item: Record<string, unknown>) =>
  item['type'] === 'userMessage' && (item['content'] as Part[])[0]?.['text'] === line.payload!['message'];

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
    {
      name: 'item/UserMessage client_id, detail, audio, local_audio',
      matches: (l) => itemOfType('UserMessage')(l) && hasLocalImage(l.payload!.item!['content']),
      apply: (l) => {
        const item = l.payload!.item!;
        const parts = item['content'] as Part[];
        for (const p of parts) if (p['type'] === 'image') p['detail'] = 'low';
        for (const p of parts) if (p['type'] === 'local_image') p['detail'] = 'original';
        parts.push({ type: 'audio', audio_url: AUDIO_URL }, { type: 'local_audio', path: LOCAL_AUDIO });
        item['client_id'] = CLIENT_ID;
      },
      itemOf: byId,
      // items.rs UserMessageItem, user_input.rs UserInput (core, snake_case) → v2 UserInput (turn.rs From<CoreUserInput>).
      expected: (l) => {
        const parts = l.payload!.item!['content'] as Part[];
        const image = parts.find((p) => p['type'] === 'image')!;
        const local = parts.find((p) => p['type'] === 'local_image')!;
        return {
          clientId: CLIENT_ID,
          content: [
            textPart(parts[0]!['text']),
            { type: 'image', url: image['image_url'], detail: 'low' },
            { type: 'localImage', detail: 'original', path: local['path'] },
            { type: 'audio', url: AUDIO_URL },
            { type: 'localAudio', path: LOCAL_AUDIO },
          ],
        };
      },
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
    {
      name: 'event_msg/user_message client_id, image_details, local_image_details, audio, local_audio',
      matches: (l) => l.type === 'event_msg' && l.payload?.type === 'user_message' && Array.isArray(l.payload['local_images']) && l.payload['local_images'].length > 0,
      apply: (l) => {
        const p = l.payload!;
        const images = [...(p['images'] as string[]), SECOND_IMAGE];
        // `image_order` (0.169.0 writes one `inline` per image; not in the source basis) kept in step with `images`.
        Object.assign(p, { client_id: CLIENT_ID, images, image_order: images.map(() => 'inline'), image_details: ['low'] });
        Object.assign(p, { local_image_details: ['original'], audio: [AUDIO_URL], local_audio: [LOCAL_AUDIO] });
      },
      itemOf: userMessageOf,
      // thread_history.rs build_user_inputs: the text, images with the detail at their index (the second has none), local images likewise, audio, local audio.
      expected: (l) => {
        const p = l.payload!;
        return {
          clientId: CLIENT_ID,
          content: [
            textPart(p['message']),
            { type: 'image', url: (p['images'] as string[])[0], detail: 'low' },
            { type: 'image', url: SECOND_IMAGE, detail: null },
            { type: 'localImage', detail: 'original', path: (p['local_images'] as string[])[0] },
            { type: 'audio', url: AUDIO_URL },
            { type: 'localAudio', path: LOCAL_AUDIO },
          ],
        };
      },
    },
    {
      // serde refuses the line (ImageDetail has no such variant), and Codex drops it: no item. Ours
      // refuses it too (a line set aside, reported as quarantined).
      name: 'event_msg/user_message an image detail serde refuses',
      matches: (l) => l.type === 'event_msg' && l.payload?.type === 'user_message',
      apply: (l) => Object.assign(l.payload!, { images: [SECOND_IMAGE], image_details: ['ultra'] }),
      itemOf: userMessageOf,
      expected: null,
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
        const expected = typeof edit.expected === 'function' ? edit.expected(line) : edit.expected;
        const count = expected === null ? 0 : 1;
        const fields = (item: Record<string, unknown> | undefined) =>
          item === undefined ? 'no such item' : Object.fromEntries(Object.keys(expected ?? item).map((k) => [k, item[k]]));
        const inCodex = codexReads.get(threadId)!.filter(find);
        const codexFields = fields(inCodex[0]);
        if (inCodex.length !== count || (expected !== null && JSON.stringify(codexFields) !== JSON.stringify(expected)))
          found.push(`${edit.name}: Codex answers ${JSON.stringify(codexFields)} (${inCodex.length} items), the line carries ${JSON.stringify(expected)}`);
        for (const [path, reads] of [
          ['thread/read', ourReads],
          ['thread/turns/list', ourPages],
        ] as const) {
          const inOurs = reads.get(threadId)!.filter(find);
          if (inOurs.length !== count || JSON.stringify(fields(inOurs[0])) !== JSON.stringify(codexFields))
            found.push(`${edit.name}: ours (${path}) ${JSON.stringify(fields(inOurs[0]))} (${inOurs.length} items), Codex's ${JSON.stringify(codexFields)}`);
        }
      }
      expect(found).to.deep.equal([]);
    });
  }
});
