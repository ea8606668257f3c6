// One mistake, one message: a thread id the home does not have is `thread not found: <id>` from
// every command (exit 2), while `serve` keeps Codex's words for each method; with `--json` an
// error is one JSON object on stderr.
import { expect } from 'chai';
import { spawnRpcServer } from '../../fixtures/stdioRpcClient.js';
import { ENGINE_CLI_PATH } from '../../compat/engineCli.js';
import { useTempDir } from '../../fixtures/tempDir.js';
import { chatThread, rolloutName, writeRollout } from '../../replay/mutationHome.js';
import { runCli } from './runCli.js';

const P = '01a1fe84-0000-7000-8000-0000000000b1';
const UNKNOWN = '01a1fe84-0000-7000-8000-0000000000bf';

describe('CLI errors: one message per mistake, a JSON object with --json', function () {
  this.timeout(120_000);
  const homeOf = useTempDir('cli-errors-');
  const cli = (...args: string[]) => runCli(...args, '--codex-home', homeOf());

  before(() => {
    writeRollout(homeOf(), rolloutName(P), chatThread('paginated', P, 2).text());
  });

  const commands: ReadonlyArray<string[]> = [
    ['read', UNKNOWN],
    ['turns', UNKNOWN],
    ['items', UNKNOWN],
    ['fork', UNKNOWN],
    ['token-usage', UNKNOWN],
    ['revert', UNKNOWN, '--before-turn-id', 't1'],
    ['rollback', UNKNOWN, '--num-turns', '1'],
    ['review', UNKNOWN, '--uncommitted'],
  ];

  it('an unknown thread: `thread not found: <id>` and exit 2 from every command', () => {
    for (const args of commands) {
      const r = cli(...args);
      expect(r.status, args.join(' ')).to.equal(2);
      expect(r.stdout, args.join(' ')).to.equal('');
      expect(r.stderr, args.join(' ')).to.equal(`rollout-engine: thread not found: ${UNKNOWN}\n`);
    }
  });

  it('with --json: the error as one JSON object on stderr (tag, message, exit code, its fields), same exit code', () => {
    for (const args of commands) {
      const r = cli(...args, '--json');
      expect(r.status, args.join(' ')).to.equal(2);
      expect(r.stdout, args.join(' ')).to.equal('');
      expect(JSON.parse(r.stderr), args.join(' ')).to.deep.equal({
        error: { tag: 'NotFound', message: `thread not found: ${UNKNOWN}`, exitCode: 2, what: 'thread', id: UNKNOWN },
      });
    }
    const bad = cli('turns', P, '--limit', 'abc', '--json');
    expect(bad.status).to.equal(2);
    expect(JSON.parse(bad.stderr)).to.deep.nested.include({ 'error.tag': 'InvalidArgument', 'error.exitCode': 2, 'error.field': '--limit' });
    const refused = cli('turns', P, '--cursor', 'not-a-cursor', '--json');
    expect(refused.status).to.equal(2);
    expect(JSON.parse(refused.stderr)).to.deep.equal({
      error: { tag: 'Rejected', message: 'invalid cursor: not-a-cursor', exitCode: 2, reason: 'invalid cursor: not-a-cursor' },
    });
  });

  it('usage mistakes (unknown option or command) exit 2 like any invalid option, as JSON with --json; help and version exit 0', () => {
    const unknownOption = runCli('turns', P, '--bogus');
    expect(unknownOption.status).to.equal(2);
    expect(unknownOption.stderr).to.equal("error: unknown option '--bogus'\n");
    const unknownCommand = runCli('nosuchcmd');
    expect(unknownCommand.status).to.equal(2);
    expect(unknownCommand.stderr).to.contain("unknown command 'nosuchcmd'");
    const json = runCli('turns', P, '--bogus', '--json');
    expect(json.status).to.equal(2);
    expect(json.stdout).to.equal('');
    expect(JSON.parse(json.stderr)).to.deep.nested.include({ 'error.tag': 'InvalidArgument', 'error.exitCode': 2, 'error.reason': "unknown option '--bogus'" });
    expect(runCli('--help').status).to.equal(0);
    expect(runCli('--version').status).to.equal(0);
    // The two commands that render their own JSON report follow --json for errors too.
    for (const command of ['index', 'tokens']) {
      const missing = runCli(command, '--codex-home', `${homeOf()}/nope`, '--json');
      expect(missing.status, command).to.equal(2);
      expect(JSON.parse(missing.stderr), command).to.deep.nested.include({ 'error.tag': 'NotFound', 'error.exitCode': 2 });
    }
  });

  it("serve keeps Codex 0.169.0's words for an unknown thread, method by method", async () => {
    const server = spawnRpcServer(process.execPath, [ENGINE_CLI_PATH, 'serve', '--codex-home', homeOf()]);
    try {
      await server.request('initialize', { clientInfo: { name: 'test', version: '1' } });
      server.notify('initialized');
      const refusal = (message: string) => ({ error: { code: -32600, message } });
      expect(await server.request('thread/read', { threadId: UNKNOWN })).to.deep.equal(refusal(`thread not loaded: ${UNKNOWN}`));
      expect(await server.request('thread/read', { threadId: UNKNOWN, includeTurns: true })).to.deep.equal(refusal(`thread not loaded: ${UNKNOWN}`));
      expect(await server.request('thread/turns/list', { threadId: UNKNOWN })).to.deep.equal(refusal(`thread not loaded: ${UNKNOWN}`));
      expect(await server.request('thread/items/list', { threadId: UNKNOWN })).to.deep.equal(refusal(`thread not loaded: ${UNKNOWN}`));
      expect(await server.request('thread/fork', { threadId: UNKNOWN })).to.deep.equal(refusal(`no rollout found for thread id ${UNKNOWN}`));
      expect(await server.request('thread/revert', { threadId: UNKNOWN, beforeTurnId: 't1' })).to.deep.equal(refusal(`thread not found: ${UNKNOWN}`));
      expect(await server.request('review/start', { threadId: UNKNOWN, target: { type: 'uncommittedChanges' } })).to.deep.equal(refusal(`thread not found: ${UNKNOWN}`));
    } finally {
      await server.close();
    }
  });
});
