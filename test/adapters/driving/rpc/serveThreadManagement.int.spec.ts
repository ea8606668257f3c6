// Thread management over `rollout-engine serve`: what the compat transcript cannot ask of Codex
// (detached reviews, which Codex 0.169.0 refuses) and the per-connection opt-out on our side.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { expect } from 'chai';
import { initializedServe } from '../../../fixtures/stdioRpcClient.js';
import type { StdioRpcClient } from '../../../fixtures/stdioRpcClient.js';
import { chatThread, rolloutName, writeRollout } from '../../../replay/mutationHome.js';
import { answerSchema, CodexSchema } from '../../../fixtures/codexSchema.js';
import { CODEX_VERSIONS } from '../../../../protocol/codexVersions.js';

const P = 'eeeeeeee-0000-7000-8000-000000000001';

describe('rollout-engine serve: thread management notifications, loaded threads, opt-out', function () {
  this.timeout(120_000);
  let home: string;
  const open = async (capabilities: Record<string, unknown>): Promise<StdioRpcClient> => {
    return initializedServe(home, { capabilities });
  };
  const arrived = (s: StdioRpcClient, from: number) =>
    s.received.slice(from).map((x) => x.replace(/^answer .*/, 'answer'));

  before(() => {
    home = fs.mkdtempSync(nodePath.join(os.tmpdir(), 'serve-mgmt-'));
    writeRollout(home, rolloutName(P), chatThread('paginated', P, 2).text());
  });
  after(() => fs.rmSync(home, { recursive: true, force: true }));

  it('a detached review thread is held loaded and told with thread/started after the answer; archiving it unloads it first', async () => {
    const s = await open({ experimentalApi: true });
    try {
      const m = s.received.length;
      const { reviewThreadId } = await s.typed.request('review/start', {
        threadId: P,
        target: { type: 'uncommittedChanges' },
        delivery: 'detached',
      });
      await s.settle();
      expect(arrived(s, m)).to.deep.equal(['answer', 'thread/started']);
      const started = s.notifications[s.notifications.length - 1]!.params as {
        thread: { id: string; status: unknown; turns: unknown[] };
      };
      expect(started.thread).to.deep.include({ id: reviewThreadId, status: { type: 'idle' }, turns: [] });
      expect(await s.typed.request('thread/loaded/list', {})).to.deep.equal({
        data: [reviewThreadId],
        nextCursor: null,
      });
      expect((await s.typed.request('thread/read', { threadId: reviewThreadId })).thread.status).to.deep.equal({
        type: 'idle',
      });
      const a = s.received.length;
      await s.typed.request('thread/archive', { threadId: reviewThreadId });
      await s.settle();
      expect(arrived(s, a)).to.deep.equal(['thread/status/changed', 'answer', 'thread/archived']);
      expect((await s.typed.request('thread/loaded/list', {})).data).to.deep.equal([]);
    } finally {
      await s.close();
    }
  });

  it('optOutNotificationMethods: the named notifications are not sent on that connection, the others are', async () => {
    const s = await open({
      experimentalApi: true,
      optOutNotificationMethods: ['thread/started', 'thread/name/updated'],
    });
    try {
      const m = s.received.length;
      await s.request('thread/fork', { threadId: P, lastTurnId: 't1' });
      await s.request('thread/name/set', { threadId: P, name: 'quiet' });
      await s.settle();
      expect(arrived(s, m)).to.deep.equal(['deprecationNotice', 'answer', 'thread/tokenUsage/updated', 'answer']);
    } finally {
      await s.close();
    }
  });

  it('thread/readState/update: a stale revision is -32600 "read state changed" with Codex’s data', async () => {
    const s = await open({ experimentalApi: true });
    try {
      const first = await s.typed.request('thread/readState/update', {
        threadId: P,
        operation: { type: 'unread' },
        expectedRevision: `initial:${P}`,
      });
      const stale = await s.request('thread/readState/update', {
        threadId: P,
        operation: { type: 'read' },
        expectedRevision: `initial:${P}`,
      });
      expect(stale).to.deep.equal({
        error: {
          code: -32600,
          message: 'read state changed',
          data: { reason: 'readStateConflict', readState: first.readState },
        },
      });
      expect((await s.typed.request('thread/read', { threadId: P })).readState).to.deep.equal(first.readState);
    } finally {
      await s.close();
    }
  });

  it('thread/readState/update: at 0.171.0 thread/readState/changed with the state applied comes before the answer; at 0.169.0, and for a stale revision, none', async () => {
    for (const version of CODEX_VERSIONS) {
      // Our notifications held to that version's schema (the hooks' is the run's own).
      const schema = version === answerSchema.active()?.version ? undefined : await CodexSchema.generateAt(version);
      const s = await initializedServe(home, {
        capabilities: { experimentalApi: true },
        args: ['--codex-version', version],
        ...(schema === undefined ? {} : { schema }),
      });
      try {
        const revision = (await s.typed.request('thread/read', { threadId: P })).readState!.revision;
        const from = s.received.length;
        const changed = await s.typed.request('thread/readState/update', {
          threadId: P,
          operation: { type: 'unread' },
          expectedRevision: revision,
        });
        const stale = await s.request('thread/readState/update', {
          threadId: P,
          operation: { type: 'read' },
          expectedRevision: revision,
        });
        expect(stale, version).to.have.property('error');
        expect(arrived(s, from), version).to.deep.equal(
          version === '0.169.0' ? ['answer', 'answer'] : ['thread/readState/changed', 'answer', 'answer'],
        );
        const told = s.notifications.filter((n) => n.method === 'thread/readState/changed');
        expect(
          told.map((n) => n.params),
          version,
        ).to.deep.equal(version === '0.169.0' ? [] : [{ threadId: P, readState: changed.readState }]);
      } finally {
        await s.close();
      }
    }
  });
});
