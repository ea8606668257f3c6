// Issue 51 (finding 1), a Claude Code session with a hostile line: a line nested 100,000 deep hid
// the whole session (a recursive walk of its parse overflowed the stack: the session failed, and
// `--session` died), and a 200 MB line was gathered, parsed and written whole (1.0-3.8 GB), into a
// rollout line the index then quarantined as over-size. Now a line nested deeper than Codex's
// parser goes is refused before it is parsed, and a line over CLAUDE_LINE_MAX_BYTES is passed over
// as it streams by: both counted and reported as bad lines, the session imported with its others.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { CLAUDE_LINE_MAX_BYTES } from '../../adapters/driven/externalAgents/claudeSessionFile.js';
import { assistantRows, encodedCwd, text, userRow } from '../fixtures/claudeSessions.js';
import { useTempDir } from '../fixtures/tempDir.js';
import { reportArea } from './areaSummary.js';
import { cliPeak } from './cliPeak.js';

const DEPTH = 100_000;
const BIG_LINE_BYTES = 200 << 20;
/** Growth of the import's peak RSS over the same session without its two bad lines (measured 1.0-3.8 GB before). */
const PEAK_GROWTH_BOUND_MB = 100;

const figures = {
  trials: 0,
  depth: DEPTH,
  bigLineMB: BIG_LINE_BYTES >> 20,
  baselineMB: 0,
  peakMB: 0,
  badLines: 0,
  turns: 0,
};

interface Outcome {
  readonly status: string;
  readonly turns?: number;
  readonly message?: string;
  readonly report?: {
    readonly badLines: number;
    readonly badLineSamples: ReadonlyArray<{ line: number; reason: string }>;
  };
}

describe('reliability · Claude Code import (a line nested 100,000 deep, a 200 MB line)', function () {
  this.timeout(600_000);
  const tmp = useTempDir('import-bad-lines-');
  after(() => reportArea('import bad lines', figures));

  /** A session of three exchanges, written a piece at a time; with `hostile`, the two bad lines among them (lines 3 and 6). */
  const writeSession = (claudeHome: string, cwd: string, hostile: boolean): string => {
    const folder = nodePath.join(claudeHome, 'projects', encodedCwd(cwd));
    fs.mkdirSync(folder, { recursive: true });
    const path = nodePath.join(folder, 'session.jsonl');
    const fd = fs.openSync(path, 'w');
    const row = (r: Record<string, unknown>): void => void fs.writeSync(fd, `${JSON.stringify(r)}\n`);
    const exchange = (n: number): void => {
      row(userRow(cwd, `question ${n}`));
      for (const r of assistantRows(cwd, [text(`answer ${n}`)])) row(r);
    };
    exchange(1);
    if (hostile)
      fs.writeSync(
        fd,
        `{"type":"user","cwd":${JSON.stringify(cwd)},"message":{"content":${'['.repeat(DEPTH)}${']'.repeat(DEPTH)}}}\n`,
      );
    exchange(2);
    if (hostile) {
      fs.writeSync(fd, `{"type":"user","cwd":${JSON.stringify(cwd)},"message":{"role":"user","content":"`);
      const block = Buffer.alloc(1 << 20, 'z');
      for (let i = 0; i < BIG_LINE_BYTES >> 20; i++) fs.writeSync(fd, block);
      fs.writeSync(fd, '"}}\n');
    }
    exchange(3);
    fs.closeSync(fd);
    return path;
  };

  const importSession = (name: string, hostile: boolean): { outcome: Outcome; rssMB: number } => {
    const root = nodePath.join(tmp(), name);
    const claudeHome = nodePath.join(root, '.claude');
    const cwd = nodePath.join(root, 'project');
    const codexHome = nodePath.join(root, 'codex');
    fs.mkdirSync(cwd, { recursive: true });
    fs.mkdirSync(codexHome, { recursive: true });
    const session = writeSession(claudeHome, cwd, hostile);
    figures.trials += 1;
    const run = cliPeak([
      'import',
      'claude',
      '--from',
      claudeHome,
      '--session',
      session,
      '--codex-home',
      codexHome,
      '--new-home',
      '--json',
    ]);
    expect(run.status, `import claude exit: ${run.err.slice(0, 600)}`).to.equal(0);
    const sessions = (JSON.parse(run.out) as { sessions: Outcome[] }).sessions;
    expect(sessions).to.have.length(1);
    fs.rmSync(session);
    return { outcome: sessions[0]!, rssMB: run.rssMB };
  };

  it('imports the session with its other lines, the two reported as bad, its peak RSS within 100 MB of the same session without them', () => {
    // Not a count: the test's line must be past the import's bound, whatever the two constants become.
    expect(BIG_LINE_BYTES).to.be.above(CLAUDE_LINE_MAX_BYTES);
    const baseline = importSession('plain', false);
    figures.baselineMB = baseline.rssMB;
    expect(baseline.outcome).to.deep.include({ status: 'imported', turns: 3 });
    const hostile = importSession('hostile', true);
    figures.peakMB = hostile.rssMB;
    figures.badLines = hostile.outcome.report?.badLines ?? 0;
    figures.turns = hostile.outcome.turns ?? 0;
    expect(hostile.outcome.status, hostile.outcome.message ?? '').to.equal('imported');
    expect(hostile.outcome.turns).to.equal(3);
    expect(hostile.outcome.report?.badLines).to.equal(2);
    const samples = hostile.outcome.report?.badLineSamples ?? [];
    expect(samples.map((s) => s.line)).to.deep.equal([3, 6]);
    expect(samples[0]!.reason).to.match(/^nested deeper than 127 levels/);
    expect(samples[1]!.reason).to.match(/^a line of \d+ bytes, over the \d+-byte limit/);
    expect(hostile.rssMB - baseline.rssMB, `peak RSS ${hostile.rssMB} MB against ${baseline.rssMB} MB`).to.be.at.most(
      PEAK_GROWTH_BOUND_MB,
    );
  });
});
