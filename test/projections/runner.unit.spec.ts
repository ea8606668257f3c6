import { expect } from 'chai';
import fc from 'fast-check';
import * as E from 'fp-ts/lib/Either.js';
import { compareKeys, memoryIndex } from '../../projections/batch.js';
import { projectBatch } from '../../projections/runner.js';
import type { LineIn } from '../../projections/runner.js';
import { lazyDecode } from '../../projections/lazyLine.js';
import type { FileCheckpoint, ItemRow, RolloutRow, TurnRow } from '../../domain/index/rows.js';
import { classifyRolloutLine, codexView } from '../../domain/rollout/event.js';
import { decodeRolloutLine } from '../../domain/rollout/line.js';
import { emptyTurnFold, foldTurnEvent, visibleTurnEntries } from '../oracle/referenceTurnFold.js';
import { act, newThread, sessionMeta, threadLines } from './synth.js';
import type { Action, SynthThread } from './synth.js';
import { checkpointAfter, toLines } from '../fixtures/lineInputs.js';
import type { HistoryMode } from '../../domain/rollout/historyMode.js';

const cp = (path: string, rolloutId: string, lines: LineIn[]): FileCheckpoint =>
  checkpointAfter(path, rolloutId, rolloutId, lines[lines.length - 1]);

/** Fold lines into an in-memory index in batches cut at `cuts` (line indexes). */
const foldInBatches = (t: SynthThread, texts: string[], cuts: number[]) => {
  const idx = memoryIndex();
  const all = toLines(texts);
  const bounds = [...new Set([0, ...cuts.filter((c) => c > 0 && c < all.length), all.length])].sort((a, b) => a - b);
  for (let i = 0; i + 1 < bounds.length || i === 0; i++) {
    const part = all.slice(bounds[i], bounds[i + 1] ?? all.length);
    const ctx = { rolloutId: t.threadId, threadId: t.threadId, path: '/p' };
    idx.apply(
      projectBatch(idx, {
        ctx,
        resetRollouts: [],
        lines: part,
        checkpoint: cp('/p', t.threadId, all.slice(0, bounds[i + 1] ?? all.length)),
      }).writes,
    );
    if (bounds.length === 1) break;
  }
  return idx;
};

const rowsOf = (idx: ReturnType<typeof memoryIndex>, table: string) =>
  idx
    .rows()
    .filter((r) => r.table === table)
    .sort((a, b) => compareKeys(a.key, b.key));

const canon = (idx: ReturnType<typeof memoryIndex>) =>
  JSON.stringify(
    idx
      .rows()
      .map((r) => [r.table, r.key, r.value])
      .sort((a, b) => (JSON.stringify(a.slice(0, 2)) < JSON.stringify(b.slice(0, 2)) ? -1 : 1)),
  );

/** The domain's whole-history fold: turn ids, statuses and item ids per turn. */
const domainView = (texts: string[], mode: HistoryMode) => {
  const s = emptyTurnFold(mode);
  toLines(texts).forEach((l, i) => {
    const d = decodeRolloutLine(l.text!);
    if (E.isLeft(d)) return;
    // As the index's history folds read each line: as Codex reads it back.
    foldTurnEvent(s, codexView(d.right, classifyRolloutLine(d.right), i), {
      rolloutId: 'r',
      line: i,
      byteOffset: l.byteOffset,
      byteLength: l.byteLength,
      ordinal: d.right.ordinal,
      seq: i,
    });
  });
  return visibleTurnEntries(s).map((t) =>
    turnView(
      t,
      t.items.map((e) => e.item.id),
    ),
  );
};

/** What a turn must agree on in both views. */
const turnView = (
  t: Pick<TurnRow, 'id' | 'status' | 'rootTurnId' | 'startedAt' | 'completedAt' | 'durationMs' | 'error'>,
  items: string[],
) => ({
  id: t.id,
  status: t.status,
  rootTurnId: t.rootTurnId,
  startedAt: t.startedAt,
  completedAt: t.completedAt,
  durationMs: t.durationMs,
  error: t.error,
  items,
});

const indexView = (idx: ReturnType<typeof memoryIndex>) => {
  const items = rowsOf(idx, 'items').map((r) => r.value as ItemRow);
  return rowsOf(idx, 'turns')
    .sort((a, b) => (a.key[1] as number) - (b.key[1] as number))
    .map((r) => {
      const t = r.value as TurnRow;
      return turnView(
        t,
        items.filter((i) => i.turnId === t.id).map((i) => i.id),
      );
    });
};

const ACTIONS: Action[] = ['startTurn', 'user', 'agent', 'reasoning', 'context', 'tokens', 'complete', 'fail', 'abort'];

const scriptLines = (mode: HistoryMode, script: Action[]): { t: SynthThread; texts: string[] } => {
  const t = newThread(7, mode);
  const texts = threadLines(t, 1);
  for (const a of script) texts.push(...act(t, a));
  return { t, texts };
};

describe('projections runner (pure)', () => {
  it("leaves a sub-agent's inherited lines out of its turns and items (session_meta.subagent_history_start_ordinal)", () => {
    // protocol.rs SessionMeta: records before the ordinal stay out of child turn/item projection;
    // 0.169.0 answers only the later turns (measured, compat passThroughFields).
    const t = newThread(3);
    const texts = threadLines(t, 3);
    const lines = texts.map((x) => JSON.parse(x) as { ordinal: number; payload: Record<string, unknown> });
    const starts = lines.filter((l) => l.payload['type'] === 'task_started');
    const all = foldInBatches(t, texts, []);
    lines[0]!.payload['subagent_history_start_ordinal'] = starts[1]!.ordinal;
    const idx = foldInBatches(
      t,
      lines.map((l) => JSON.stringify(l)),
      [4],
    );
    const full = indexView(all);
    expect(full).to.have.length(3);
    expect(indexView(idx)).to.deep.equal(full.slice(1));
  });

  it('indexes a paginated thread: turns in anchor order, summary items, byte ranges, tokens', () => {
    const t = newThread(1);
    const texts = threadLines(t, 3);
    const idx = foldInBatches(t, texts, []);
    const turns = rowsOf(idx, 'turns').map((r) => r.value as TurnRow);
    expect(turns.map((x) => x.status)).to.deep.equal(['completed', 'completed', 'completed']);
    expect(turns.every((x) => x.firstUserItem !== null && x.finalAgentItem !== null)).to.equal(true);
    expect(turns[0]!.anchor!.ordinal).to.equal(1);
    expect(turns[0]!.anchor!.byteOffset).to.equal(Buffer.byteLength(texts[0]!) + 1);
    const item = idx.get('items', [t.threadId, turns[0]!.firstUserItem!.line])!;
    const [off, len] = item.ranges[0]!;
    const all = texts.join('\n') + '\n';
    expect(
      JSON.parse(
        Buffer.from(all)
          .subarray(off, off + len)
          .toString(),
      ).payload.item.id,
    ).to.equal(item.id);
    const rollout = idx.get('rollouts', [t.threadId]) as RolloutRow;
    expect(rollout.lastTurnId).to.equal(turns[2]!.id);
    expect(rollout.preview).to.match(/^hello/);
    expect(rollout.lines).to.equal(texts.length);
  });

  it('lazy decode skips kinds no projection reads, parses the rest', () => {
    const t = newThread(2);
    const [meta, started, ctx] = [sessionMeta2(t), ...act(t, 'startTurn')];
    expect(lazyDecode(meta).kind).to.equal('decoded');
    expect(lazyDecode(started!).kind).to.equal('decoded');
    expect(lazyDecode(ctx!).kind).to.equal('decoded');
    const ws = act(t, 'context')[0]!;
    expect(lazyDecode(ws)).to.deep.include({ kind: 'skipped', type: 'world_state' });
    expect(lazyDecode('{"type":"world_state","timestamp":"x","payload":{}}').kind).to.equal('decoded');
    expect(lazyDecode('not json').kind).to.equal('undecodable');
  });

  for (const mode of ['paginated', 'legacy'] as const) {
    it(`${mode}: agrees with the domain fold and is independent of batch cuts (property)`, () => {
      fc.assert(
        fc.property(
          fc.array(fc.constantFrom(...ACTIONS), { maxLength: 40 }),
          fc.array(fc.nat(80), { maxLength: 6 }),
          (script, cuts) => {
            const { t, texts } = scriptLines(mode, script);
            const one = foldInBatches(t, texts, []);
            const many = foldInBatches({ ...t }, texts, cuts);
            expect(canon(many)).to.equal(canon(one));
            expect(JSON.stringify(indexView(one))).to.equal(JSON.stringify(domainView(texts, mode)));
          },
        ),
        { numRuns: 150 },
      );
    });
  }

  it("a turn's bytes end just past its terminal line (the next turn's start when it follows), null while open", () => {
    const t = newThread(9);
    const texts = threadLines(t, 3);
    // A line between a turn's end and the next start belongs to no turn (as in Codex's projection).
    texts.push(...act(t, 'context'), ...act(t, 'startTurn'), ...act(t, 'user'));
    const idx = foldInBatches(t, texts, [4, 11]);
    const turns = rowsOf(idx, 'turns').map((r) => r.value as TurnRow);
    const starts = toLines(texts).map((l) => l.byteOffset);
    const ends = toLines(texts).map((l) => l.byteOffset + l.byteLength + 1);
    expect(turns).to.have.length(4);
    expect(turns[0]!.endByteOffset).to.equal(turns[1]!.anchor!.byteOffset);
    expect(turns[1]!.endByteOffset).to.equal(turns[2]!.anchor!.byteOffset);
    expect(turns[2]!.endByteOffset).to.equal(ends[turns[2]!.end!.line]);
    expect(turns[2]!.endByteOffset).to.be.lessThan(turns[3]!.anchor!.byteOffset);
    expect(starts).to.include(turns[2]!.endByteOffset);
    expect(turns[3]!.endByteOffset).to.equal(null);
    // A second end of an ended turn changes nothing: not where Codex cut it, nor the end (its first is final: turnEnds.ts `endedInPaginated`).
    const lateAbort = JSON.stringify({
      timestamp: '2026-11-21T15:00:00.000Z',
      ordinal: t.n++,
      type: 'event_msg',
      payload: { type: 'turn_aborted', turn_id: turns[2]!.id, reason: 'interrupted' },
    });
    const again = rowsOf(foldInBatches(t, [...texts, lateAbort], []), 'turns').map((r) => r.value as TurnRow);
    expect(again[2]!.end!.line).to.equal(turns[2]!.end!.line);
    expect(again[2]!.status).to.equal(turns[2]!.status);
    expect(again[2]!.endByteOffset).to.equal(turns[2]!.endByteOffset);
  });

  it('a paginated turn no task_started, task_complete or turn_aborted named keeps its items, unlisted, until an end lists it (any batch cuts)', () => {
    // Items before any start name turn-…-0, which nothing started (Codex: thread_history.rs apply_change_set).
    const t = newThread(11);
    const texts = threadLines(t, 0);
    texts.push(...act(t, 'user'), ...act(t, 'agent'), ...act(t, 'startTurn'), ...act(t, 'user'), ...act(t, 'complete'));
    const never = `turn-${t.threadId.slice(0, 8)}-0`;
    const end = JSON.stringify({
      timestamp: '2026-11-21T15:00:00.000Z',
      ordinal: t.n++,
      type: 'event_msg',
      payload: { type: 'task_complete', turn_id: never, started_at: 5, completed_at: 6, duration_ms: 7 },
    });
    for (const cuts of [[], [1], [2, 3], [3, 4, 5]]) {
      const idx = foldInBatches(t, texts, cuts);
      expect(indexView(idx).map((v) => v.id)).to.deep.equal([`turn-${t.threadId.slice(0, 8)}-1`]);
      expect(indexView(idx)).to.deep.equal(domainView(texts, 'paginated'));
      const ids = rowsOf(idx, 'turnIds').find((r) => r.key[1] === never)?.value as
        { itemIds: string[]; pending?: TurnRow } | undefined;
      expect(ids?.itemIds).to.have.length(2);
      expect(ids?.pending?.itemCount).to.equal(2);
      const listed = foldInBatches(t, [...texts, end], cuts);
      expect(indexView(listed).map((v) => [v.id, v.items.length])).to.deep.equal([
        [`turn-${t.threadId.slice(0, 8)}-1`, 1],
        [never, 2],
      ]);
      expect(indexView(listed)).to.deep.equal(domainView([...texts, end], 'paginated'));
      expect(rowsOf(listed, 'turnIds').find((r) => r.key[1] === never)?.value).to.not.have.property('pending');
    }
  });

  for (const n of [3, 40]) {
    it(`a later completion of an item the turn has replaces it, not adds it (${n} items, any batch cuts)`, () => {
      const t = newThread(9);
      const texts = [
        sessionMeta(t),
        ...['startTurn', ...Array.from({ length: n }, (): Action => 'agent')].flatMap((a) => act(t, a as Action)),
      ];
      // Codex completes items 1 and n-1 again, later in the turn.
      const again = [1, n - 1].map((k) => {
        const first = JSON.parse(
          texts.find((l) => l.includes(`"id":"item-${t.threadId.slice(0, 8)}-${k}"`))!,
        ) as Record<string, unknown>;
        return JSON.stringify({ ...first, ordinal: t.n++ });
      });
      texts.push(...again, ...act(t, 'complete'));
      const expected = domainView(texts, 'paginated');
      expect(expected[0]!.items).to.have.length(n);
      fc.assert(
        fc.property(fc.array(fc.integer({ min: 1, max: texts.length - 1 }), { maxLength: 4 }), (cuts) => {
          const idx = foldInBatches(t, texts, cuts);
          expect(indexView(idx)).to.deep.equal(expected);
          const items = rowsOf(idx, 'items').map((r) => r.value as ItemRow);
          const last = toLines(texts).find((l) => l.text === again[1])!;
          expect(items.find((i) => i.id === `item-${t.threadId.slice(0, 8)}-${n - 1}`)!.ranges).to.deep.equal([
            [last.byteOffset, last.byteLength],
          ]);
          const ids = rowsOf(idx, 'turnIds')[0]!.value as { itemIds: string[]; itemLines: number[] };
          expect(ids.itemIds).to.have.length(n);
          expect(ids.itemLines).to.deep.equal(rowsOf(idx, 'items').map((r) => r.key[1]));
        }),
        { numRuns: 30 },
      );
    });
  }

  it('legacy rollback drops the last turns and renumbers items like the domain fold', () => {
    const { t, texts } = scriptLines('legacy', [
      'startTurn',
      'user',
      'agent',
      'complete',
      'startTurn',
      'user',
      'reasoning',
      'reasoning',
      'agent',
      'complete',
    ]);
    texts.push(
      JSON.stringify({
        timestamp: '2026-11-21T15:00:00.000Z',
        type: 'event_msg',
        payload: { type: 'thread_rolled_back', num_turns: 1 },
      }),
    );
    for (const a of ['startTurn', 'user', 'agent', 'complete'] as const) texts.push(...act(t, a));
    expect(indexView(foldInBatches(t, texts, [5, 17]))).to.deep.equal(domainView(texts, 'legacy'));
  });

  it("numbers a legacy file's implicit turns as Codex 0.169 does: a ghost snapshot, an event it no longer knows, one its legacy history leaves out and a broken line take no place, however the batches are cut", () => {
    // docs/codex-source/legacy-turn-fold.md D2: recorder.rs drops ghost snapshots and lines that do
    // not decode (`undo_completed` left `EventMsg`), policy.rs leaves `exec_command_end` out.
    const t = newThread(9, 'legacy');
    const at = (s: number) => `2026-11-21T15:00:${String(s).padStart(2, '0')}.000Z`;
    const line = (s: number, type: string, payload: Record<string, unknown>) =>
      JSON.stringify({ timestamp: at(s), type, payload });
    const said = (s: number, text: string) => [
      line(s, 'response_item', { type: 'message', role: 'user', content: [{ type: 'input_text', text }] }),
      line(s, 'event_msg', { type: 'user_message', message: text, images: [] }),
    ];
    const texts = [
      sessionMeta2(t), // 0
      line(1, 'response_item', {
        type: 'ghost_snapshot',
        ghost_commit: { id: 'c1', parent: null, preexisting_untracked_files: [], preexisting_untracked_dirs: [] },
      }), // 1: dropped
      ...said(2, 'fix it'), // 2, 3: Codex's items 1, 2 → the turn `rollout-2`
      line(3, 'event_msg', { type: 'agent_message', message: 'done' }), // 4: item 3
      line(4, 'event_msg', { type: 'undo_completed', success: true }), // 5: dropped
      line(5, 'event_msg', { type: 'exec_command_end', call_id: 'c', stdout: '', stderr: '', exit_code: 0 }), // 6: dropped
      '{"timestamp":"2026-11-21T15:00:06.000Z","type":"event_msg","payload":{"type":"agent_message"', // 7: broken, dropped
      ...said(7, 'again'), // 8, 9: items 4, 5 → `rollout-5`
    ];
    for (const cuts of [[], [2], [5, 8], [1, 2, 3, 4, 5, 6, 7, 8, 9]])
      expect(
        indexView(foldInBatches(t, texts, cuts)).map((v) => v.id),
        `cut at ${cuts.join(', ')}`,
      ).to.deep.equal(['rollout-2', 'rollout-5']);
  });
});

const sessionMeta2 = (t: SynthThread): string => threadLines(t, 0)[0]!;
