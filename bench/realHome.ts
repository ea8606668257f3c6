/**
 * Homes of the shape users have: rollouts the real `codex` 0.169.0 binary writes (every compat
 * scenario — chat, tools, failures, compaction, review, forks, reverts — in both history modes,
 * plus a long working thread of a few hundred turns per mode), cloned under fresh ids until a
 * home reaches the size asked for. Real rollouts are dominated by small lines (~0.6 KB), unlike
 * the heavy generator of `indexData.ts`; per-line costs only show here.
 *
 * The template (Codex's own output) is written once per machine and kept in
 * `$ROLLOUT_ENGINE_BENCH_CACHE` (default `~/.cache/rollout-engine-bench/`), keyed by the codex
 * version and this file's template version; a clone is a byte-for-byte copy in which every UUID is
 * remapped (same length, so `history_base` byte offsets stay true) and every timestamp shifted by
 * the clone's offset (same length), so clones are distinct threads spread over days.
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { createHash } from 'node:crypto';
import { buildCompatHomes, buildScenarioHome, discoverRollouts } from '../test/compat/scenarios.js';
import type { CompatHome, ScenarioContext, ScenarioDefinition } from '../test/compat/scenarios.js';
import type { HistoryMode } from '../domain/rollout/historyMode.js';
import { writeCodexConfig } from '../test/compat/appServer.js';
import { CODEX_VERSION, cachedTemplate } from './templateCache.js';
import { largeOutputsTemplate } from './largeOutputsThread.js';

/** The port a bench home's config.toml names until a Codex started beside writes its mock's (discard: nothing listens). */
const UNUSED_PORT = 9;

/** What a bench measures on: generated data with large payloads (`heavy`), or homes built from real codex rollouts (`real`). */
export type BenchShape = 'heavy' | 'real';

/** Bumped when the template's scenarios change, so a cached template of older ones is not reused. */
const TEMPLATE_VERSION = 3;
/** Turns of the long working thread, per history mode. */
export const LONG_TURNS = 200;

const LONG_ANSWER = [
  'Here is what I found.',
  '',
  '1. The parser reads each line, keeps its byte range and hands the decoded event to the fold.',
  '2. The fold builds turns from `task_started` / `task_complete` and items from the events between them.',
  '3. Pages are cut from the index, so a request never reads the whole rollout.',
  '',
  '```ts',
  'export const listTurns = (ports, threadId, query) => useCase(async () => walk(ports, threadId, query));',
  '```',
  '',
  'Next I would measure the warm page latency on a real home and compare it with the app-server.',
].join('\n');

/** A working session: questions, tool calls with real output, long answers, compactions. */
const long: ScenarioDefinition = {
  name: 'long',
  modes: ['paginated', 'legacy'],
  prepareWorkDir: (workDir) => {
    fs.writeFileSync(nodePath.join(workDir, 'README.txt'), 'Bench work dir.\n');
    fs.writeFileSync(
      nodePath.join(workDir, 'notes.md'),
      `${'- a note about the build, with a few words of context\n'.repeat(40)}`,
    );
  },
  run: async (ctx: ScenarioContext) => {
    const id = await ctx.startThread('long');
    for (let i = 1; i <= LONG_TURNS; i++) {
      switch (i % 6) {
        case 0:
          ctx.mock.replyTo(id, {
            kind: 'stream',
            output: [
              { type: 'reasoning', summary: `I should look at the numbers for step ${i}.` },
              { type: 'functionCall', callId: `call_seq_${i}`, cmd: `seq 1 ${40 + (i % 7) * 30}` },
            ],
          });
          break;
        case 1:
          ctx.mock.replyTo(id, {
            kind: 'stream',
            output: [
              { type: 'functionCall', callId: `call_ls_${i}`, cmd: 'ls -la' },
              { type: 'functionCall', callId: `call_cat_${i}`, cmd: 'cat notes.md' },
            ],
          });
          break;
        case 2:
          ctx.mock.replyTo(id, {
            kind: 'stream',
            output: [
              { type: 'reasoning', summary: 'Summarising what I know.' },
              { type: 'message', text: `${LONG_ANSWER}\n(step ${i})` },
            ],
          });
          break;
        case 3:
          ctx.mock.replyTo(
            id,
            { kind: 'stream', output: [{ type: 'functionCall', callId: `call_a_${i}`, cmd: 'echo first' }] },
            {
              kind: 'stream',
              output: [
                { type: 'reasoning', summary: 'One more.' },
                { type: 'functionCall', callId: `call_b_${i}`, cmd: 'grep -c note notes.md' },
              ],
            },
          );
          break;
        case 4:
          ctx.mock.replyTo(id, {
            kind: 'stream',
            output: [{ type: 'functionCall', callId: `call_fail_${i}`, cmd: 'echo oops >&2; exit 3' }],
          });
          break;
        default:
          break; // the mock's default: reasoning and a short answer
      }
      await ctx.turn(
        id,
        `Step ${i}: ${i % 6 === 2 ? 'explain how the index answers a page' : `carry on with task number ${i}`}.`,
      );
      if (i % 80 === 0) await ctx.compact(id);
    }
  },
};

export interface RealTemplate {
  readonly dir: string;
  /** Every home the template holds (compat scenarios and the long thread), each written by codex. */
  readonly homes: ReadonlyArray<Pick<CompatHome, 'key' | 'mode' | 'codexHome' | 'workDir'>>;
  /** The long working thread of each mode: its home key and thread id. */
  readonly long: Readonly<Record<HistoryMode, { readonly key: string; readonly threadId: string }>>;
}

/** The template, written by the real codex on first use (about a minute on 2 cores), then reused. */
export const realTemplate = (log?: (line: string) => void): Promise<RealTemplate> =>
  cachedTemplate(
    `real-template-codex-${CODEX_VERSION}-v${TEMPLATE_VERSION}`,
    'the real-shaped template',
    log,
    async (dir) => {
      const compat = await buildCompatHomes(dir, { concurrency: 2 });
      const longs = [await buildScenarioHome(long, 'paginated', dir), await buildScenarioHome(long, 'legacy', dir)];
      return {
        dir,
        homes: [...compat, ...longs].map((h) => ({
          key: h.key,
          mode: h.mode,
          codexHome: h.codexHome,
          workDir: h.workDir,
        })),
        long: {
          paginated: { key: longs[0]!.key, threadId: longs[0]!.threads[0]!.id },
          legacy: { key: longs[1]!.key, threadId: longs[1]!.threads[0]!.id },
        },
      };
    },
  );

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
const ISO_TIME = /\b(\d{4})-(\d{2})-(\d{2})T(\d{2})([:-])(\d{2})\5(\d{2})/g;
const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/**
 * The clone's copy of a UUID: same length and version, a clone-specific node part, and a UUIDv7's
 * time (its first 48 bits, milliseconds) moved back by `shiftMs` with its clone's files. Codex's
 * thread and turn ids are UUIDv7s of their creation times, so a home's ids sort as its files do;
 * clones that kept the template's times clustered each template thread's clones in the index's key
 * order, away from the order the files are read in.
 */
const cloneUuid = (uuid: string, clone: number, shiftMs: number): string => {
  const node = createHash('sha1').update(`${clone}:${uuid}`).digest('hex').slice(0, 12);
  const ms = uuid[14] === '7' ? parseInt(uuid.slice(0, 8) + uuid.slice(9, 13), 16) - shiftMs : -1;
  if (ms < 0 || shiftMs === 0) return `${uuid.slice(0, 24)}${node}`;
  const time = ms.toString(16).padStart(12, '0');
  return `${time.slice(0, 8)}-${time.slice(8)}${uuid.slice(13, 24)}${node}`;
};

/** A timestamp (ISO `:` or file-name `-` form) moved back by `shiftMs`, in the same form and length. */
const shiftTime =
  (shiftMs: number) =>
  (match: string, y: string, mo: string, d: string, h: string, sep: string, mi: string, s: string): string => {
    const t = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)) - shiftMs);
    if (Number.isNaN(t.getTime()) || t.getUTCFullYear() > 9999) return match;
    return `${pad(t.getUTCFullYear(), 4)}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())}T${pad(t.getUTCHours())}${sep}${pad(t.getUTCMinutes())}${sep}${pad(t.getUTCSeconds())}`;
  };

/** A template text as clone `clone` holds it: ids remapped, times shifted, every byte length kept. */
export const rewriteForClone = (text: string, clone: number, shiftMs: number): string =>
  text.replace(UUID, (u) => cloneUuid(u, clone, shiftMs)).replace(ISO_TIME, shiftTime(shiftMs));

/** The time of a rollout's last line (its envelope timestamp), or null when it has none. */
const lastLineTime = (body: Buffer): Date | null => {
  const text = body.toString('utf8').trimEnd();
  const m = /^\{"timestamp":"([^"]+)"/.exec(text.slice(text.lastIndexOf('\n') + 1));
  const t = m === null ? Number.NaN : Date.parse(m[1]!);
  return Number.isNaN(t) ? null : new Date(t);
};

/** Where a rollout goes in the clone: its day folder from its (shifted) file name. */
const clonePath = (codexHome: string, templateHome: string, path: string, clone: number, shiftMs: number): string => {
  const rel = nodePath.relative(templateHome, path);
  const top = rel.split(nodePath.sep)[0]!; // sessions | archived_sessions
  const name = rewriteForClone(nodePath.basename(path), clone, shiftMs);
  const day = /^rollout-(\d{4})-(\d{2})-(\d{2})T/.exec(name);
  if (top === 'sessions' && day !== null) return nodePath.join(codexHome, 'sessions', day[1]!, day[2]!, day[3]!, name);
  return nodePath.join(codexHome, top, name);
};

export interface RealShapedHome {
  readonly codexHome: string;
  readonly bytes: number;
  readonly lines: number;
  readonly files: number;
  readonly threads: number;
  readonly meanLineBytes: number;
  /** The long working thread of each mode in the first clone (ids as the clone renamed them). */
  readonly long: Readonly<Record<HistoryMode, string>>;
  /** Work dirs named by the rollouts (the template's), for a codex started on this home. */
  readonly workDir: string;
}

const countLines = (buf: Buffer): number => {
  let n = 0;
  for (let i = buf.indexOf(10); i !== -1; i = buf.indexOf(10, i + 1)) n++;
  return n;
};

/**
 * A home of about `targetBytes` made of clones of the template. Each clone holds every rollout
 * of the template once (every scenario, both modes, the long threads), under fresh ids, shifted
 * 5 hours further back than the one before; the last clone may be partial so the size is met
 * without overshooting by more than a clone. Deterministic for a given template and size.
 */
export const buildRealShapedHome = async (
  codexHome: string,
  targetBytes: number,
  template?: RealTemplate,
  /** A home of many threads (the scale bench): at most `maxFiles` rollouts, cloned from the template's rollouts up to `maxFileBytes` each. */
  many: { readonly maxFiles: number; readonly maxFileBytes: number } = { maxFiles: Infinity, maxFileBytes: Infinity },
): Promise<RealShapedHome> => {
  const t = template ?? (await realTemplate());
  // The provider its threads were written with, as in a user's home: without it every
  // `thread/list` asks Codex's default provider, lists none of them, and walks the whole home.
  // A Codex started beside writes it again with its mock's port.
  writeCodexConfig(codexHome, UNUSED_PORT);
  const sources = t.homes.flatMap((h) =>
    discoverRollouts(h.codexHome).map((r) => ({ home: h.codexHome, path: r.path, threadId: r.threadId })),
  );
  // Biggest first within a clone, so a partial last clone still carries the long threads' shape.
  const contents = sources
    .map((s) => ({ ...s, text: fs.readFileSync(s.path, 'utf8') }))
    .filter((s) => Buffer.byteLength(s.text) <= many.maxFileBytes)
    .sort((a, b) => b.text.length - a.text.length);
  let bytes = 0;
  let lines = 0;
  let files = 0;
  const threads = new Set<string>();
  for (let clone = 0; bytes < targetBytes && files < many.maxFiles; clone++) {
    const shiftMs = clone * 5 * 3600_000;
    for (const s of contents) {
      if (bytes >= targetBytes || files >= many.maxFiles) break;
      const out = clonePath(codexHome, s.home, s.path, clone, shiftMs);
      const body = Buffer.from(rewriteForClone(s.text, clone, shiftMs), 'utf8');
      if (body.length !== Buffer.byteLength(s.text)) throw new Error(`clone of ${s.path} changed length`);
      fs.mkdirSync(nodePath.dirname(out), { recursive: true });
      fs.writeFileSync(out, body);
      // Modified when its last line was written, as a file a Codex wrote (listings bound thread times by file times).
      const lastWritten = lastLineTime(body);
      if (lastWritten !== null) fs.utimesSync(out, lastWritten, lastWritten);
      bytes += body.length;
      lines += countLines(body);
      files += 1;
      threads.add(cloneUuid(s.threadId, clone, shiftMs));
    }
  }
  return {
    codexHome,
    bytes,
    lines,
    files,
    threads: threads.size,
    meanLineBytes: Math.round(bytes / Math.max(1, lines)),
    long: { paginated: cloneUuid(t.long.paginated.threadId, 0, 0), legacy: cloneUuid(t.long.legacy.threadId, 0, 0) },
    workDir: t.homes.find((h) => h.key === t.long.paginated.key)!.workDir,
  };
};

export interface HugeThreadHome {
  readonly codexHome: string;
  readonly threadId: string;
  readonly path: string;
  readonly bytes: number;
  readonly turns: number;
  readonly lines: number;
  readonly workDir: string;
}

/** The thread a huge thread repeats: the long working session, or the one with large tool outputs. */
export type HugeThreadSource = 'long' | 'largeOutputs';

const hugeThreadSourceOf = async (
  thread: HugeThreadSource,
  mode: HistoryMode,
  template?: RealTemplate,
): Promise<{ readonly codexHome: string; readonly workDir: string; readonly threadId: string }> => {
  if (thread === 'largeOutputs') return (await largeOutputsTemplate()).threads[mode];
  const t = template ?? (await realTemplate());
  const home = t.homes.find((h) => h.key === t.long[mode].key)!;
  return { codexHome: home.codexHome, workDir: home.workDir, threadId: t.long[mode].threadId };
};

/**
 * One thread of about `targetBytes` in `mode`: the long working thread codex wrote, its turns
 * repeated (every id but the thread's remapped per repetition) until the size is reached.
 * Streamed to disk; legacy mode is the shape of Codex's biggest old threads.
 */
export const buildHugeThreadHome = async (
  codexHome: string,
  targetBytes: number,
  mode: HistoryMode = 'legacy',
  template?: RealTemplate,
  /** Whose turns are repeated: the long working thread, or the large-outputs session's. */
  thread: HugeThreadSource = 'long',
): Promise<HugeThreadHome> => {
  const home = await hugeThreadSourceOf(thread, mode, template);
  const source = discoverRollouts(home.codexHome).find(
    (r) => r.threadId === home.threadId && r.path.includes(home.threadId),
  );
  if (source === undefined) throw new Error(`template has no ${thread} ${mode} thread`);
  const all = fs.readFileSync(source.path, 'utf8').split('\n');
  if (all[all.length - 1] === '') all.pop();
  const firstTurn = all.findIndex((l) => l.includes('"type":"task_started"'));
  if (firstTurn <= 0) throw new Error(`${thread} ${mode} thread has no task_started`);
  const head = all.slice(0, firstTurn);
  const body = all.slice(firstTurn);
  const turnsPerBody = body.filter((l) => l.includes('"type":"task_started"')).length;
  const threadId = home.threadId;
  const out = nodePath.join(codexHome, nodePath.relative(home.codexHome, source.path));
  fs.mkdirSync(nodePath.dirname(out), { recursive: true });
  const fd = fs.openSync(out, 'w');
  let bytes = 0;
  let lines = 0;
  let turns = 0;
  const write = (ls: ReadonlyArray<string>): void => {
    const chunk = Buffer.from(ls.map((l) => `${l}\n`).join(''), 'utf8');
    fs.writeSync(fd, chunk);
    bytes += chunk.length;
    lines += ls.length;
  };
  try {
    write(head);
    for (let rep = 0; bytes < targetBytes; rep++) {
      // Paginated lines carry ordinals: renumbered so the file stays one ordered log.
      const ordinalBase = head.length + rep * body.length;
      write(
        body.map((l, i) => {
          const remapped = rep === 0 ? l : l.replace(UUID, (u) => (u === threadId ? u : cloneUuid(u, rep, 0)));
          return mode === 'paginated'
            ? remapped.replace(
                /^\{"timestamp":"([^"]*)","ordinal":\d+/,
                (_m, ts: string) => `{"timestamp":"${ts}","ordinal":${ordinalBase + i}`,
              )
            : remapped;
        }),
      );
      turns += turnsPerBody;
    }
  } finally {
    fs.closeSync(fd);
  }
  return { codexHome, threadId, path: out, bytes, turns, lines, workDir: home.workDir };
};
