import { expect } from 'chai';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { catchUpHome } from '../../indexer/catchUp/catchUp.js';
import { openIndex } from '../../indexer/open/openIndex.js';
import { verifyIndex } from '../../indexer/verify/verify.js';
import { portsOver } from '../../adapters/driving/composition/openCodexHome.js';
import type { LmdbIndexStore } from '../../adapters/driven/lmdb/indexStore.js';
import type { HistoryMode } from '../../domain/rollout/historyMode.js';
import type { SegmentRenderingHeader } from '../../domain/index/rows.js';
import { isEngineError } from '../../domain/errors.js';
import type { HistoryReadPorts } from '../../replay/ports.js';
import { materialisedThread, readThread } from '../../replay/history/readThread.js';
import { take, useCase } from '../../domain/effect.js';
import { RolloutWriter } from '../fixtures/rolloutLines.js';
import { right } from '../fixtures/right.js';
import { streamedText } from '../fixtures/streamedText.js';
import { useTempDir } from '../fixtures/tempDir.js';
import { chatThread, rolloutName, writeRollout } from './mutationHome.js';
import { countedReads } from '../fixtures/countedReads.js';

const L = '01a1fe84-0000-7000-8000-0000000000e1';
const P = '01a1fe84-0000-7000-8000-0000000000e2';
/** Enough turns of long answers that a thread renders to over the 1 MiB a whole rendering is stored from. */
const TURNS = 400;
const answer = (i: number): string => `answer ${i}: ${'a long answer, with "quotes", é and ✓ in it; '.repeat(80)}`;

/** A thread of long chat turns, one file. */
const longThread = (mode: HistoryMode, id: string): RolloutWriter => {
  const w = chatThread(mode, id, 1);
  for (let i = 2; i <= TURNS; i++) w.chatTurn(`t${i}`, `question ${i}`, answer(i));
  return w;
};

/** `thread/read includeTurns` as the server writes it, and the same answer as `JSON.stringify` writes it from memory. */
const readBothWays = async (
  ports: HistoryReadPorts,
  threadId: string,
): Promise<{ streamed: string; inMemory: string }> => {
  const streamed = await streamedText(right(await readThread(ports, { threadId: threadId, includeTurns: true })()));
  const inMemory = right(
    await useCase(async () => {
      const r = await take(readThread(ports, { threadId: threadId, includeTurns: true }));
      return JSON.stringify({ ...r, thread: await materialisedThread(r.thread) });
    })(),
  );
  return { streamed, inMemory };
};

const headerOf = async (store: LmdbIndexStore, rolloutId: string): Promise<SegmentRenderingHeader | undefined> => {
  const h = right(await store.get('segmentRenderings', [rolloutId, 0])());
  return h !== undefined && 'chunks' in h ? h : undefined;
};

describe('thread/read includeTurns: renderings stored by whole reads', () => {
  const tmp = useTempDir('whole-read-renderings-');

  for (const [mode, id] of [
    ['legacy', L],
    ['paginated', P],
  ] as const) {
    it(`${mode}: the first read stores the file's rendering, the next is written from it with no item read, the same text`, async () => {
      const home = nodePath.join(tmp(), 'home');
      const path = writeRollout(home, rolloutName(id), longThread(mode, id).text());
      const store = right(await openIndex(nodePath.join(tmp(), 'index'), home)()).store;
      try {
        right(await catchUpHome(store, home)());
        const c = countedReads(portsOver(store, home, {}).read);
        const first = await readBothWays(c.ports, id);
        expect(first.streamed).to.equal(first.inMemory);
        expect(c.calls()).to.be.greaterThan(0);
        const header = await headerOf(store, id);
        expect(header?.through).to.equal(fs.statSync(path).size);
        expect(header?.chunks).to.be.greaterThan(2);
        // A thread at rest is stored whole, not turn by turn.
        expect(right(await store.range('turnRenderings', [id])())).to.have.length(0);

        const before = c.calls();
        const again = await streamedText(right(await readThread(c.ports, { threadId: id, includeTurns: true })()));
        expect(c.calls()).to.equal(before);
        expect(again).to.equal(first.streamed);
        expect(JSON.parse(again).thread.turns).to.have.length(TURNS);
        // Renderings are not the fold's rows: verify compares what the files give and finds nothing to repair.
        expect(right(await verifyIndex(store, home)()).differences).to.equal(0);
      } finally {
        right(await store.close()());
      }
    });
  }

  it('a file of many turns that render small is stored whole too (its walk costs its turns); one of a few turns is not', async () => {
    const home = nodePath.join(tmp(), 'home');
    const many = chatThread('legacy', L, 1);
    for (let i = 2; i <= 300; i++) many.chatTurn(`t${i}`, `question ${i}`, `short answer ${i}`);
    const few = chatThread('legacy', P, 1);
    for (let i = 2; i <= 20; i++) few.chatTurn(`t${i}`, `question ${i}`, `short answer ${i}`);
    writeRollout(home, rolloutName(L), many.text());
    writeRollout(home, rolloutName(P), few.text());
    const store = right(await openIndex(nodePath.join(tmp(), 'index'), home)()).store;
    try {
      right(await catchUpHome(store, home)());
      const c = countedReads(portsOver(store, home, {}).read);
      const first = await readBothWays(c.ports, L);
      expect(first.streamed.length).to.be.lessThan(1024 * 1024);
      expect((await headerOf(store, L))?.chunks).to.be.greaterThan(0);
      const before = c.calls();
      expect(await streamedText(right(await readThread(c.ports, { threadId: L, includeTurns: true })()))).to.equal(
        first.streamed,
      );
      expect(c.calls()).to.equal(before);

      await readBothWays(c.ports, P);
      expect(await headerOf(store, P)).to.equal(undefined);
    } finally {
      right(await store.close()());
    }
  });

  it("a file that grows: read through the turns' own renderings while a turn runs, rendered whole again once it ended, always what a fresh index reads", async () => {
    const home = nodePath.join(tmp(), 'home');
    const w = longThread('legacy', L);
    const path = writeRollout(home, rolloutName(L), w.text());
    /** Append the writer's lines from `from` on to the file, as Codex appends them. */
    const appendSince = (from: number): void =>
      void writeRollout(
        home,
        rolloutName(L),
        w.lines
          .slice(from)
          .map((l) => `${l}\n`)
          .join(''),
        true,
      );
    const store = right(await openIndex(nodePath.join(tmp(), 'index'), home)()).store;
    /** The answer a fresh index of the same files gives (nothing stored by earlier reads). */
    const freshRead = async (): Promise<string> => {
      const dir = fs.mkdtempSync(nodePath.join(tmp(), 'fresh-'));
      const s = right(await openIndex(dir, home)()).store;
      try {
        right(await catchUpHome(s, home)());
        return await streamedText(
          right(await readThread(portsOver(s, home, {}).read, { threadId: L, includeTurns: true })()),
        );
      } finally {
        right(await s.close()());
      }
    };
    try {
      right(await catchUpHome(store, home)());
      const c = countedReads(portsOver(store, home, {}).read);
      await streamedText(right(await readThread(c.ports, { threadId: L, includeTurns: true })()));
      const rendered = (await headerOf(store, L))!.through;

      // A turn starts: the stored rendering is out of date, and the file is not rendered whole again while it runs.
      const n = w.lines.length;
      w.taskStarted('live').turnContext('live').responseMessage('user', 'a live question');
      w.push('event_msg', {
        type: 'user_message',
        message: 'a live question',
        images: [],
        local_images: [],
        text_elements: [],
      });
      appendSince(n);
      const running = await readBothWays(c.ports, L);
      expect(running.streamed).to.equal(running.inMemory);
      expect(running.streamed).to.equal(await freshRead());
      expect(JSON.parse(running.streamed).thread.turns.at(-1).id).to.equal('live');
      expect((await headerOf(store, L))!.through).to.equal(rendered);
      // Each turn's own rendering: the TURNS ended ones and the running one.
      expect(right(await store.range('turnRenderings', [L])()).length).to.equal(TURNS + 1);
      // Read again: every turn from its own rendering, no line read.
      const before = c.calls();
      expect(await streamedText(right(await readThread(c.ports, { threadId: L, includeTurns: true })()))).to.equal(
        running.streamed,
      );
      expect(c.calls()).to.equal(before);
      // The running turn reasons: only its items are read again (one batch of lines).
      const k = w.lines.length;
      w.push('event_msg', { type: 'agent_reasoning', text: 'thinking on the live question' });
      appendSince(k);
      const reasoning = await streamedText(right(await readThread(c.ports, { threadId: L, includeTurns: true })()));
      expect(c.calls() - before).to.equal(1);
      expect(reasoning).to.include('thinking on the live question');
      expect(reasoning).to.equal(await freshRead());
      // More reasoning extends the same item (its ranges grow, not its turn's item count): read again too.
      w.push('event_msg', { type: 'agent_reasoning', text: 'and then some more' });
      appendSince(w.lines.length - 1);
      const extended = await streamedText(right(await readThread(c.ports, { threadId: L, includeTurns: true })()));
      expect(c.calls() - before).to.equal(2);
      expect(extended).to.include('and then some more');
      expect(extended).to.equal(await freshRead());

      // The turn ends: the next read renders the file whole again, and the one after reads nothing.
      const m = w.lines.length;
      w.push('event_msg', { type: 'agent_message', message: 'the live answer', phase: null, memory_citation: null });
      w.taskComplete('live');
      appendSince(m);
      const ended = await readBothWays(c.ports, L);
      expect(ended.streamed).to.equal(ended.inMemory);
      expect(ended.streamed).to.equal(await freshRead());
      expect(ended.streamed).to.include('the live answer');
      expect((await headerOf(store, L))!.through).to.equal(fs.statSync(path).size);
      const after = c.calls();
      expect(await streamedText(right(await readThread(c.ports, { threadId: L, includeTurns: true })()))).to.equal(
        ended.streamed,
      );
      expect(c.calls()).to.equal(after);
      // The home caught up whole first: with no Codex state DB, every thread's times are allocated
      // over every file's mtime (Codex's backfill), and a read refreshes its own thread's row only.
      right(await catchUpHome(store, home)());
      const v = right(await verifyIndex(store, home)());
      expect(v.differences, JSON.stringify(v).slice(0, 2000)).to.equal(0);
    } finally {
      right(await store.close()());
    }
  });

  it('a chunk of another rendering stops the read with a clear error and drops the rendering; the next read renders it again', async () => {
    const home = nodePath.join(tmp(), 'home');
    writeRollout(home, rolloutName(L), longThread('legacy', L).text());
    const store = right(await openIndex(nodePath.join(tmp(), 'index'), home)()).store;
    try {
      right(await catchUpHome(store, home)());
      const ports = portsOver(store, home, {}).read;
      const text = await streamedText(right(await readThread(ports, { threadId: L, includeTurns: true })()));
      const chunk = right(await store.get('segmentRenderings', [L, 2])())!;
      // As if two reads at different checkpoints had stored their chunks at once.
      right(
        await store.commit(() => [
          { op: 'put', table: 'segmentRenderings', key: [L, 2], value: { ...chunk, through: 1 } },
        ])(),
      );
      let failed: unknown;
      try {
        await streamedText(right(await readThread(ports, { threadId: L, includeTurns: true })()));
      } catch (err) {
        failed = err;
      }
      expect(isEngineError(failed) && failed._tag).to.equal('Corrupt');
      expect(JSON.stringify(failed)).to.include('read the thread again');
      expect(await headerOf(store, L)).to.equal(undefined);
      expect(await streamedText(right(await readThread(ports, { threadId: L, includeTurns: true })()))).to.equal(text);
      expect(await headerOf(store, L)).to.not.equal(undefined);
    } finally {
      right(await store.close()());
    }
  });

  it('a rewritten file is indexed again: its renderings go with its rows', async () => {
    const home = nodePath.join(tmp(), 'home');
    const path = writeRollout(home, rolloutName(L), longThread('legacy', L).text());
    const store = right(await openIndex(nodePath.join(tmp(), 'index'), home)()).store;
    try {
      right(await catchUpHome(store, home)());
      const ports = portsOver(store, home, {}).read;
      await streamedText(right(await readThread(ports, { threadId: L, includeTurns: true })()));
      expect(await headerOf(store, L)).to.not.equal(undefined);
      // The same thread written again with other answers (as a restore from elsewhere would).
      const other = chatThread('legacy', L, 1);
      for (let i = 2; i <= TURNS; i++) other.chatTurn(`t${i}`, `question ${i}`, answer(i).toUpperCase());
      fs.writeFileSync(path, other.text());
      const read = await streamedText(right(await readThread(ports, { threadId: L, includeTurns: true })()));
      const inJson = (text: string): string => JSON.stringify(text).slice(1, -1);
      expect(read).to.include(inJson(answer(7).toUpperCase()));
      expect(read).to.not.include(inJson(answer(7)));
      expect(E.isRight(await verifyIndex(store, home)())).to.equal(true);
    } finally {
      right(await store.close()());
    }
  });
});
