// A rollout whose bytes are not all UTF-8 (found in a user's published home: a legacy thread of
// Codex 0.98.0 whose lines from the 411th on are binary). Codex reads a rollout with tokio's
// `lines()`, which fails on such a line, and its whole load with it (codex-rs
// rollout/src/recorder.rs `load_rollout_items`): its history reads and forks are refused (-32603),
// its state DB holds no row for the file, its file scan lists the thread from the head it read
// before the bytes, and its read without turns answers from that head. The homes: the chat
// scenario's, written by the real binary, copied, with bytes that are not UTF-8 appended to the
// thread's rollout (its head read first), and, in the legacy home, copies of the thread whose bad
// bytes follow its meta line (its head scan fails), follow a first user message of images alone
// (its head scan stops there: `[Image]`), or end the file with no newline (Codex's `lines()` reads
// them as a last line); Codex's state DB left out (it backfills the files).
import { expect } from 'chai';
import { appendFileSync, cpSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { BUILD_TIMEOUT_MS, sharedCompatHomes } from './compatHomes.js';
import { compareHome } from './historyComparison.js';
import type { AnswerDifference, Step } from './historyComparison.js';
import type { RequestWindow } from './clockOracle.js';
import { freshRoot } from './mutationHarness.js';
import { discoverRollouts } from './scenarios.js';
import type { CompatHome } from './scenarios.js';

/** Lines of bytes that are not UTF-8: a lone continuation byte, an overlong lead, binary. */
const NOT_UTF8 = Buffer.concat([
  Buffer.from([0x00, 0xff, 0xfe, 0x80, 0x81, 0x62, 0x69, 0x6e, 0xc3, 0x28, 0x0a]),
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0xe2, 0x82, 0x0a]),
]);

/** Where a fork's answer names the new thread: the id each server draws. */
const NEW_THREAD_PATHS = new Set(['result.thread.id', 'result.thread.sessionId', 'result.thread.path']);
/** Where it holds the moment each server made it (seconds): both within the step's asking, a second apart when it spans one. */
const MADE_AT_PATHS = new Set(['result.thread.createdAt', 'result.thread.updatedAt', 'result.thread.recencyAt']);

/** A time in seconds that overlaps the step's asking (the second it was made in). */
const madeWhileAsked = (s: unknown, asked: RequestWindow | undefined): boolean =>
  typeof s === 'number' && asked !== undefined && s * 1000 + 999 >= asked.fromMs && s * 1000 <= asked.toMs;

/** The lists whose path (file scan or state DB) decides whether such a thread is listed. */
const LIST_STEPS: Step[] = [
  ['configured provider', {}],
  ['every provider', { modelProviders: [] }],
  ['created', { sortKey: 'created_at' }],
  ['updated', { sortKey: 'updated_at' }],
  ['recency', { sortKey: 'recency_at' }],
  ['from the state DB', { useStateDbOnly: true }],
  ['with exec', { sourceKinds: ['cli', 'vscode', 'appServer', 'exec'] }],
  ['search', { searchTerm: 'a' }],
].map(([label, params]) => ({
  label: `list ${label as string}`,
  method: 'thread/list',
  params: { limit: 50, ...(params as Record<string, unknown>) },
}));

/**
 * A copy of the home's rollout of `threadId` under a new id (its last twelve hex digits `digit`),
 * its bytes as `edit` makes them from its meta line and the lines after it.
 */
const copyOf = (
  codexHome: string,
  threadId: string,
  digit: string,
  edit: (meta: string, rest: readonly string[]) => Buffer,
): string => {
  const source = discoverRollouts(codexHome).find((r) => r.threadId === threadId)!.path;
  const copyId = `${threadId.slice(0, 24)}${digit.repeat(12)}`;
  const [meta, ...rest] = readFileSync(source, 'utf8').split(threadId).join(copyId).split('\n');
  const file = join(dirname(source), basename(source).split(threadId).join(copyId));
  writeFileSync(file, edit(meta!, rest));
  return copyId;
};

/** Copies of the legacy home's thread: bad bytes after its meta (its head scan fails), after an image-only first message, and after its last line with no newline. */
const legacyCopies = (codexHome: string, threadId: string): Array<{ label: string; id: string }> => {
  const image = (meta: string): string =>
    JSON.stringify({
      timestamp: (JSON.parse(meta) as { timestamp: string }).timestamp,
      type: 'event_msg',
      payload: { type: 'user_message', message: '', images: ['data:image/png;base64,iVBORw0KGgo='] },
    });
  return [
    {
      label: 'bad head',
      id: copyOf(codexHome, threadId, 'e', (meta, rest) =>
        Buffer.concat([Buffer.from(`${meta}\n`), NOT_UTF8, Buffer.from(rest.join('\n'))]),
      ),
    },
    {
      label: 'image first',
      id: copyOf(codexHome, threadId, 'd', (meta, rest) =>
        Buffer.concat([Buffer.from(`${meta}\n${image(meta)}\n`), NOT_UTF8, Buffer.from(rest.join('\n'))]),
      ),
    },
    {
      label: 'torn tail',
      // The file ends on them: no newline after (the last of `rest` is the empty string after the last newline).
      id: copyOf(codexHome, threadId, 'c', (meta, rest) =>
        Buffer.concat([Buffer.from([meta, ...rest].join('\n')), NOT_UTF8.subarray(0, -1)]),
      ),
    },
  ];
};

describe('compat: a rollout that is not all UTF-8 (codex app-server 0.169.0, cold)', function () {
  this.timeout(600_000);
  let root: string;
  let homes: CompatHome[];

  before(async function () {
    this.timeout(BUILD_TIMEOUT_MS);
    root = freshRoot();
    const fixture = await sharedCompatHomes();
    homes = ['chat-legacy', 'chat-paginated'].map((key) => {
      const built = fixture.homes.find((h) => h.key === key)!;
      const to = join(root, key);
      cpSync(join(built.codexHome, '..'), to, { recursive: true, preserveTimestamps: true });
      const codexHome = join(to, 'home');
      for (const f of ['state_5.sqlite', 'state_5.sqlite-wal', 'state_5.sqlite-shm'])
        rmSync(join(codexHome, f), { force: true });
      const main = built.threads.find((t) => t.label === 'main')!;
      const file = discoverRollouts(codexHome).find((r) => r.threadId === main.id)!.path;
      const { atime, mtime } = { atime: new Date(), mtime: new Date(Date.now() - 3_600_000) };
      appendFileSync(file, NOT_UTF8);
      // An hour back: Codex's file scan answers the file's time, which must not be the run's.
      utimesSync(file, atime, mtime);
      const threads = built.mode === 'legacy' ? [...built.threads, ...legacyCopies(codexHome, main.id)] : built.threads;
      return { ...built, codexHome, workDir: join(to, 'work'), threads };
    });
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  for (const key of ['chat-legacy', 'chat-paginated'])
    it(`${key}: lists, reads, turns, items and fork of the thread equal codex's`, async () => {
      const home = homes.find((h) => h.key === key)!;
      const { compared, problems, differences, byMethod } = await compareHome(home, {
        extraListSteps: LIST_STEPS,
        // Last: Codex refuses a legacy fork it cannot load; a paginated one it makes (a new thread).
        extraSteps: (threadId) => [{ label: 'fork', method: 'thread/fork', params: { threadId } }],
      });
      // A fork both made differs by the new thread's id, which each server draws.
      const drawn = (d: AnswerDifference): boolean =>
        d.method === 'thread/fork' &&
        d.found !== undefined &&
        d.found.every(
          (x) =>
            NEW_THREAD_PATHS.has(x.path) ||
            (MADE_AT_PATHS.has(x.path) && [x.expected, x.actual].every((s) => madeWhileAsked(s, d.asked))),
        );
      const forksMade = differences.filter(drawn).length;
      const left = problems.filter((_, i) => !drawn(differences[i]!));
      process.stdout.write(
        `      ${key}: ${compared} answers compared; equal: ${[...byMethod].map(([m, n]) => `${m} ${n}`).join(', ')}; ` +
          `forks made by both, equal but their new ids (and the second each was made in): ${forksMade}\n`,
      );
      expect((byMethod.get('thread/fork') ?? 0) + forksMade, 'forks compared').to.be.greaterThan(0);
      if (left.length > 0)
        expect.fail(`${left.length} of ${compared} answers differ:\n${left.slice(0, 12).join('\n')}`);
    });
});
