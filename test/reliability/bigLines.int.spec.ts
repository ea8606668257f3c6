// Issue 39 (item 11), one 200 MB line of a kind the projections read (an agent message): it
// peaked `index` at 1,070 MB and `verify` at 1,271 MB (decoded, parsed and folded whole: the text,
// its parse, its search signature). A line over MAX_LINE_BYTES (64 MiB; Codex writes nothing near
// it) is now quarantined unread, its bytes left in the rollout; the scanner reads a long line once,
// whole (no chunk copies joined), and the checkpoint's tail keeps only the line's last bytes: what
// remains is the line's own buffer.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { MAX_LINE_BYTES } from '../../adapters/driven/jsonl/lines/lineEntry.js';
import { useTempDir } from '../fixtures/tempDir.js';
import { newThread, rolloutRelPath, threadLines } from '../projections/synth.js';
import { reportArea } from './areaSummary.js';
import { cliPeak } from './cliPeak.js';

const AT = '2026-11-21T14:00:09.000Z';
const LINE_BYTES = 200 << 20;
/** The bound: the line's one buffer over the CLI's own ~70 MB (measured 278–289 MB), with room for a loaded machine; 1,270 MB before. */
const PEAK_RSS_BOUND_MB = 450;

const figures = {
  trials: 0,
  lineMB: LINE_BYTES >> 20,
  baselineMB: 0,
  indexPeakMB: 0,
  verifyPeakMB: 0,
  quarantined: 0,
  lost: 0,
};

describe('reliability · a 200 MB line (index and verify memory)', function () {
  this.timeout(600_000);
  const tmp = useTempDir('big-lines-');
  after(() => reportArea('big lines (200 MB agent message)', figures));

  it('index and verify stay under 450 MB: the line is quarantined as over-size, the others indexed', () => {
    // Not a count: the test's line must be past the engine's bound, whatever the two constants become.
    expect(LINE_BYTES).to.be.above(MAX_LINE_BYTES);
    const t = newThread(77, 'legacy');
    const good = threadLines(t, 2);
    const write = (home: string, big: boolean): void => {
      const path = nodePath.join(home, rolloutRelPath(t.threadId));
      fs.mkdirSync(nodePath.dirname(path), { recursive: true });
      const fd = fs.openSync(path, 'w');
      fs.writeSync(fd, `${good.slice(0, 8).join('\n')}\n`);
      if (big)
        fs.writeSync(
          fd,
          `${JSON.stringify({ timestamp: AT, type: 'event_msg', payload: { type: 'agent_message', message: 'z'.repeat(LINE_BYTES) } })}\n`,
        );
      fs.writeSync(fd, `${good.slice(8).join('\n')}\n`);
      fs.closeSync(fd);
    };
    const small = nodePath.join(tmp(), 'small');
    const home = nodePath.join(tmp(), 'big');
    write(small, false);
    write(home, true);
    figures.baselineMB = cliPeak(['index', '--codex-home', small, '--json']).rssMB;
    figures.trials += 1;
    const indexed = cliPeak(['index', '--codex-home', home, '--json']);
    figures.indexPeakMB = indexed.rssMB;
    expect(indexed.status, 'index exit').to.equal(0);
    expect(indexed.rssMB, 'index peak RSS (MB)').to.be.at.most(PEAK_RSS_BOUND_MB);
    const summary = JSON.parse(indexed.out) as { quarantined: number; lines: number };
    figures.quarantined = summary.quarantined;
    figures.lost = good.length + 1 - summary.lines;
    expect(summary).to.deep.include({ quarantined: 1, lines: good.length + 1 });
    const verified = cliPeak(['verify', '--codex-home', home, '--json']);
    figures.verifyPeakMB = verified.rssMB;
    expect(verified.status, `verify: ${verified.out.slice(0, 400)}`).to.equal(0);
    expect(verified.rssMB, 'verify peak RSS (MB)').to.be.at.most(PEAK_RSS_BOUND_MB);
  });
});
