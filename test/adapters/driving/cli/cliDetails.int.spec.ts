// What a person is told by the CLI where a value is out of range or a page is the first one:
// `--limit` beyond a page says what was used, `--num-turns 0` names the option, a first page
// offers no way back, and `repair` rebuilds an index too damaged to open.
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { expect } from 'chai';
import { useTempDir } from '../../../fixtures/tempDir.js';
import { chatThread, rolloutName, writeRollout } from '../../../replay/mutationHome.js';
import { runCli, shellWords } from './runCli.js';

const THREADS = [
  '01a1fe84-0000-7000-8000-0000000000d1',
  '01a1fe84-0000-7000-8000-0000000000d2',
  '01a1fe84-0000-7000-8000-0000000000d3',
];

describe('CLI details: what a person is told', function () {
  this.timeout(120_000);
  const homeOf = useTempDir('cli-details-');
  const cli = (...args: string[]) => runCli(...args, '--codex-home', homeOf());

  const paths: string[] = [];
  before(() => {
    for (const id of THREADS)
      paths.push(writeRollout(homeOf(), rolloutName(id), chatThread('paginated', id, 3).text()));
  });

  it('--limit 500 answers a page of 100 and says so on stderr (not with --json); --limit 0 says 1 was used', () => {
    for (const args of [['threads'], ['turns', THREADS[0]!], ['items', THREADS[0]!]]) {
      const r = cli(...args, '--limit', '500');
      expect(r.status, r.stderr).to.equal(0);
      expect(r.stderr, args.join(' ')).to.include('--limit 500 is more than a page holds: 100 used');
      const json = cli(...args, '--limit', '500', '--json');
      expect(json.stderr, args.join(' ')).to.equal('');
    }
    const zero = cli('turns', THREADS[0]!, '--limit', '0');
    expect(zero.stderr).to.include('--limit 0: 1 used');
  });

  it("rollback --num-turns 0 is refused in `thread/rollback`'s words (exit 2), nothing written", () => {
    const before = fs.readFileSync(paths[0]!);
    const r = cli('rollback', THREADS[0]!, '--num-turns', '0');
    expect(r.status).to.equal(2);
    expect(r.stderr).to.include('numTurns must be >= 1');
    expect(fs.readFileSync(paths[0]!)).to.deep.equal(before);
  });

  it('the first page of threads offers the next page and no way back; the next page offers both', () => {
    const first = cli('threads', '--limit', '1');
    expect(first.status, first.stderr).to.equal(0);
    expect(first.stdout)
      .to.match(/^next page: /m)
      .and.not.match(/^back: /m);
    const next = shellWords(/^next page: (.*)$/m.exec(first.stdout)![1]!);
    const second = runCli(...next.slice(1));
    expect(second.status, second.stderr).to.equal(0);
    expect(second.stdout).to.match(/^back: /m);
  });

  it('repair rebuilds an index whose pages are damaged (exit 0), and the home reads again', () => {
    expect(cli('index').status).to.equal(0);
    const data = nodePath.join(homeOf(), '.rollout-engine', 'index', 'data.mdb');
    const fd = fs.openSync(data, 'r+');
    fs.writeSync(fd, Buffer.alloc(16384, 0xa5), 0, 16384, 0);
    fs.closeSync(fd);
    expect(cli('threads').status).to.equal(1);
    const r = cli('repair');
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout).to.match(
      /^rebuilt the index \(3 files, \d+ lines\) in [\d.]+ s: the index could not be opened \(.*\), so it was rebuilt from the rollouts$/m,
    );
    const listed = cli('threads', '--json');
    expect(listed.status, listed.stderr).to.equal(0);
    expect((JSON.parse(listed.stdout) as { data: unknown[] }).data).to.have.length(3);
  });
});
