import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { useTempDir } from '../../../fixtures/tempDir.js';
import { chatThread, rolloutName, writeRollout } from '../../../replay/mutationHome.js';
import { CLI } from '../../../fixtures/cliBundle.js';

const LEGACY = '01a1fe84-0000-7000-8000-00000000000a';

const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });

describe('CLI exit codes in practice (the table in adapters/driving/cli/exitCodes.ts)', () => {
  const homeOf = useTempDir('exit-codes-');

  before(() => {
    writeRollout(homeOf(), rolloutName(LEGACY), chatThread('legacy', LEGACY, 2).text());
  });

  it('0 for an answer; 2 for a thread that is not there, a request Codex refuses, an invalid option', () => {
    const home = homeOf();
    const ok = run('turns', LEGACY, '--codex-home', home, '--json');
    expect(ok.status, ok.stderr).to.equal(0);
    const unknown = run('turns', '01a1fe84-0000-7000-8000-0000000000ff', '--codex-home', home);
    expect(unknown.status).to.equal(2);
    expect(unknown.stderr).to.contain('thread not loaded: 01a1fe84-0000-7000-8000-0000000000ff');
    const refused = run('revert', LEGACY, '--before-turn-id', 't1', '--codex-home', home);
    expect(refused.status).to.equal(2);
    expect(refused.stderr).to.contain('thread/revert only supports paginated threads');
    const forkUnknownTurn = run('fork', LEGACY, '--last-turn-id', 'nope', '--codex-home', home);
    expect(forkUnknownTurn.status).to.equal(2);
    expect(forkUnknownTurn.stderr).to.contain('turn not found: nope');
    const badOption = run('tokens', '--by', 'size', '--codex-home', home);
    expect(badOption.status).to.equal(2);
    expect(badOption.stderr).to.match(/--by/);
  });
});
