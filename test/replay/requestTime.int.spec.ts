// Issue 69: a thread whose first meta `timestamp` is no RFC 3339 time. Codex's file scan and its
// rollout reads answer its start as the time of the request (thread-store
// `stored_thread_from_rollout_item`: `Utc::now()`), its state DB the file name's. Ours takes the
// request's time from the clock port; the answers are compared with the binary in
// test/compat/fuzzShrunkHomes.compat.spec.ts.
import { expect } from 'chai';
import * as nodePath from 'node:path';
import { useTempDir } from '../fixtures/tempDir.js';
import { chatThread, openMutationHome, right, rolloutName, writeRollout } from './mutationHome.js';
import { listThreads } from '../../replay/history/listThreads.js';
import { readThread } from '../../replay/history/readThread.js';
import type { HistoryReadPorts } from '../../replay/ports.js';

const ID = '01a1fe84-0000-7000-8000-000000000147';
const NAMED = Date.parse('2026-11-21T14:00:00Z') / 1000;

describe('the time of the request, for a start Codex reads as it (issue 69)', () => {
  const tmp = useTempDir('request-time-');

  const homeWith = async (timestamp: string) => {
    const home = nodePath.join(tmp(), 'home');
    const text = chatThread('legacy', ID, 1)
      .text()
      .replace(/("type":"session_meta","payload":\{[^\n]*?"timestamp":)"[^"]*"/, `$1${JSON.stringify(timestamp)}`);
    writeRollout(home, rolloutName(ID), text);
    return openMutationHome(home);
  };
  const at = (ports: HistoryReadPorts, ms: number): HistoryReadPorts => ({
    ...ports,
    clock: { now: () => new Date(ms) },
  });

  it('a file-scan list answers createdAt and its created_at backwards cursor at each request; the state DB list the file name', async () => {
    const h = await homeWith('unknown_variant_x');
    try {
      const scan = { modelProviders: ['openai'] };
      const first = await right(listThreads(at(h.ports, Date.parse('2026-11-28T03:00:00.500Z')), scan));
      expect(first.page.data.map((t) => [t.id, t.createdAt])).to.deep.equal([
        [ID, Date.parse('2026-11-28T03:00:00Z') / 1000],
      ]);
      expect(first.page.backwardsCursor).to.equal('2026-11-28T03:00:00.499Z');
      // The same request later: not the first answer kept.
      const later = await right(listThreads(at(h.ports, Date.parse('2026-11-28T03:00:07.250Z')), scan));
      expect(later.page.data[0]!.createdAt).to.equal(Date.parse('2026-11-28T03:00:07Z') / 1000);
      expect(later.page.backwardsCursor).to.equal('2026-11-28T03:00:07.249Z');
      const fromDb = await right(
        listThreads(at(h.ports, Date.parse('2026-11-28T03:00:09Z')), { ...scan, useStateDbOnly: true }),
      );
      expect(fromDb.page.data[0]!.createdAt).to.equal(NAMED);
    } finally {
      await h.close();
    }
  });

  it("a legacy thread's read without turns answers createdAt and updatedAt at the request; with turns, the state DB's", async () => {
    const h = await homeWith('');
    try {
      const now = Date.parse('2026-11-28T03:10:00.900Z');
      const bare = await right(readThread(at(h.ports, now), { threadId: ID }));
      expect([bare.thread.createdAt, bare.thread.updatedAt]).to.deep.equal([now / 1000 - 0.9, now / 1000 - 0.9]);
      const full = await right(readThread(at(h.ports, now), { threadId: ID, includeTurns: true }));
      expect(full.thread.createdAt).to.equal(NAMED);
    } finally {
      await h.close();
    }
  });

  it('an RFC 3339 start is read, whatever the clock', async () => {
    const h = await homeWith('2026-11-21T14:00:05.000Z');
    try {
      const later = at(h.ports, Date.parse('2026-11-28T03:20:00Z'));
      const listed = await right(listThreads(later, { modelProviders: ['openai'] }));
      expect(listed.page.data[0]!.createdAt).to.equal(NAMED + 5);
      expect((await right(readThread(later, { threadId: ID }))).thread.createdAt).to.equal(NAMED + 5);
    } finally {
      await h.close();
    }
  });
});
