// thread/search reads only the texts of lines whose own signature holds the term
// (domain/search/lineSignatures.ts, blocks of 128 lines): a match in a file's last line, past many
// blocks and a gap of blocks, or in lines a later catch-up appended to a block and past it, is still found, with the
// snippet a brute-force scan of the files gives.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { searchThreads } from '../../replay/history/searchThreads.js';
import type { HistoryReadPorts } from '../../replay/ports.js';
import { RolloutWriter } from '../fixtures/rolloutLines.js';
import { searchThreadsByScan } from '../oracle/searchByScan.js';
import { openMutationHome, right, writeRollout } from './mutationHome.js';

const BASE_MS = Date.UTC(2026, 10, 21, 14, 0, 0);
const idOf = (i: number): string => `01a1fe89-0000-7000-8000-${i.toString(16).padStart(12, '0')}`;
const nameOf = (id: string, ms: number): string =>
  `rollout-${new Date(ms).toISOString().slice(0, 19).replace(/:/g, '-')}-${id}.jsonl`;
const MARK = 'zebra crossing 42';

/** A thread of `turns` chat turns whose every message holds the marker's words, never the marker. */
const longThread = (i: number, turns: number): RolloutWriter => {
  const w = new RolloutWriter(i % 2 === 0 ? 'legacy' : 'paginated', idOf(i), {
    startMs: BASE_MS + i * 1000,
  }).sessionMeta();
  for (let t = 0; t < turns; t++) w.chatTurn(`t${t}`, `zebra crossing, ${t} please`, `crossing 4${t % 10} zebra, done`);
  return w;
};

const expectAsScan = async (ports: HistoryReadPorts, searchTerm: string): Promise<string[]> => {
  const indexed = await searchThreads(ports, { searchTerm, limit: 10 })();
  const scanned = await searchThreadsByScan(ports, { searchTerm, limit: 10 });
  expect(E.isRight(indexed) ? indexed.right : indexed.left).to.deep.equal(scanned);
  return E.isRight(indexed) ? indexed.right.data.map((d) => `${d.thread.id} ${d.snippet}`) : [];
};

describe('thread/search through line signatures: no match is dropped', function () {
  this.timeout(120_000);

  it('finds a term only in a file’s last line (past many blocks) or its first, and in lines appended later, as a scan of the files does', async () => {
    const home = fs.mkdtempSync(nodePath.join(os.tmpdir(), 're-searchlines-'));
    try {
      const writers = [0, 1, 2, 3].map((i) => longThread(i, 90));
      // 0 and 1: the marker only in the last line's text; 2: only in the first message; 3: not yet.
      // 0: past a run of lines without text longer than two blocks (blocks missing in between).
      for (let t = 0; t < 300; t++) writers[0]!.tokenCount(t);
      writers[0]!.responseMessage('assistant', `at last: ${MARK.toUpperCase()}`);
      writers[1]!.push('event_msg', {
        type: 'agent_message',
        message: `finally ${MARK}`,
        phase: null,
        memory_citation: null,
      });
      const first = new RolloutWriter('paginated', idOf(2), { startMs: BASE_MS + 2000 }).sessionMeta();
      first.chatTurn('t0', `start with ${MARK}`, 'ok');
      for (let t = 1; t < 90; t++) first.chatTurn(`t${t}`, `zebra crossing, ${t} please`, 'crossing 4 zebra');
      writers[2] = first;
      const paths = writers.map((w, i) => writeRollout(home, nameOf(idOf(i), BASE_MS + i * 1000), w.text()));
      const lines = fs.readFileSync(paths[0]!, 'utf8').split('\n').length;
      expect(lines).to.be.greaterThan(5 * 128);
      const m = await openMutationHome(home);
      try {
        await right(m.ports.indexer.refreshAll());
        const found = await expectAsScan(m.ports, 'Zebra Crossing 42');
        expect(found).to.deep.equal([
          `${idOf(2)} start with ${MARK}`,
          `${idOf(1)} finally ${MARK}`,
          `${idOf(0)} at last: ${MARK.toUpperCase()}`,
        ]);
        // Appended in three catch-ups, the last one past its block's end: each time the new last line is found.
        const w3 = writers[3]!;
        let written = w3.text();
        for (const [n, extra] of [
          [1, 'zebra crossing 4'],
          [2, `see ${MARK} here`],
          [140, 'more zebra crossing 4'],
        ] as const) {
          for (let t = 0; t < n; t++) w3.chatTurn(`a${n}-${t}`, 'zebra crossing again', 'crossing 4 zebra');
          w3.responseMessage('assistant', extra);
          fs.appendFileSync(paths[3]!, w3.text().slice(written.length));
          written = w3.text();
          await right(m.ports.indexer.refreshAll());
          const now = await expectAsScan(m.ports, MARK);
          expect(
            now.some((f) => f.startsWith(idOf(3))),
            `after ${n} turns`,
          ).to.equal(n !== 1);
        }
        w3.responseMessage('assistant', `the very last ${MARK}!`);
        fs.appendFileSync(paths[3]!, w3.text().slice(written.length));
        await right(m.ports.indexer.refreshAll());
        expect(await expectAsScan(m.ports, `last ${MARK}!`)).to.deep.equal([`${idOf(3)} the very last ${MARK}!`]);
        // A file rewritten shorter is indexed again from its first line: its old blocks are gone with its old lines.
        const rewritten = longThread(1, 2);
        rewritten.responseMessage('assistant', `now only ${MARK} once`);
        fs.writeFileSync(paths[1]!, rewritten.text());
        await right(m.ports.indexer.refreshAll());
        expect((await expectAsScan(m.ports, MARK)).filter((f) => f.startsWith(idOf(1)))).to.deep.equal([
          `${idOf(1)} now only ${MARK} once`,
        ]);
        expect((await expectAsScan(m.ports, 'finally zebra')).length).to.equal(0);
      } finally {
        await m.close();
      }
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  });
});
