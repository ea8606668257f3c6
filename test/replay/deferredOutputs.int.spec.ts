// thread/items/list's deferOutput: Codex defers a command's output and an MCP call's plain-text
// result only for an item whose `item_completed` has its completion time (measured on 0.169.0:
// fuzzer `--replay 20261161:143:0:1:0:1` and its MCP variant, kept in fuzzShrunkHomes.compat), a
// command's only for exit code 0 (`--replay 20261200:34:0:2:1`).
import { expect } from 'chai';
import * as nodePath from 'node:path';
import { useTempDir } from '../fixtures/tempDir.js';
import { RolloutWriter } from '../fixtures/rolloutLines.js';
import { openMutationHome, right, rolloutName, writeRollout } from './mutationHome.js';
import { listItems } from '../../replay/history/listItems.js';

const ID = '01a1fe84-0000-7000-8000-000000000161';

describe('deferred outputs: only of an item whose completion has its time', () => {
  const tmp = useTempDir('deferred-outputs-');

  it('a command and an MCP call without completed_at_ms keep their outputs; with it, they are deferred', async () => {
    const w = new RolloutWriter('paginated', ID).sessionMeta().taskStarted('t1');
    const command = (id: string, exitCode: unknown = 0) => ({
      type: 'CommandExecution',
      id,
      command: ['bash', '-lc', 'ls'],
      cwd: '/work/project',
      parsed_cmd: [],
      source: 'agent',
      status: 'completed',
      aggregated_output: 'a.ts\n',
      ...(exitCode === 'absent' ? {} : { exit_code: exitCode }),
      duration: { secs: 0, nanos: 5_000_000 },
    });
    const mcp = (id: string) => ({
      type: 'McpToolCall',
      id,
      server: 'docs',
      tool: 'spell',
      status: 'completed',
      arguments: { q: id },
      result: { content: [{ type: 'text', text: 'hello' }], structured_content: null },
    });
    const untimed = (item: Record<string, unknown>) =>
      w.push('event_msg', { type: 'item_completed', thread_id: ID, turn_id: 't1', item, started_at_ms: 1 });
    untimed(command('c-untimed'));
    w.item('t1', command('c-timed'));
    // A command's output is deferred only for exit code 0 (measured on 0.169.0: fuzzer `--replay 20261200:34:0:2:1`).
    w.item('t1', command('c-no-exit', 'absent'));
    w.item('t1', command('c-null-exit', null));
    w.item('t1', command('c-exit-minus-1', -1));
    untimed(mcp('m-untimed'));
    w.item('t1', mcp('m-timed'));
    w.taskComplete('t1');
    const home = nodePath.join(tmp(), 'home');
    writeRollout(home, rolloutName(ID), w.text());
    const h = await openMutationHome(home);
    try {
      const page = await right(
        listItems(h.ports, { threadId: ID, turnId: 't1', deferOutput: { commandExecution: true, mcpToolCall: true } }),
      );
      expect(page.data.map((e) => [e.item.id, e.outputDeferred === true])).to.deep.equal([
        ['c-untimed', false],
        ['c-timed', true],
        ['c-no-exit', false],
        ['c-null-exit', false],
        ['c-exit-minus-1', false],
        ['m-untimed', false],
        ['m-timed', true],
      ]);
    } finally {
      await h.close();
    }
  });
});
