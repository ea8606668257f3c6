// One mistake, one answer: a command of the CLI and the `serve` method it is a view of refuse the
// same bad input with the same error (kind and words: Codex 0.169.0's for each method, declared on
// the method's entry, `protocol/threadIdRule.ts`); with `--json` an error is one JSON object on stderr.
import { expect } from 'chai';
import { initializedServe } from '../../../fixtures/stdioRpcClient.js';
import type { RpcAnswer } from '../../../fixtures/stdioRpcClient.js';
import { useTempDir } from '../../../fixtures/tempDir.js';
import { chatThread, rolloutName, writeRollout } from '../../../replay/mutationHome.js';
import { runCli } from './runCli.js';
import { stderrJson } from '../../../fixtures/stderrJson.js';

const P = '01a1fe84-0000-7000-8000-0000000000b1';
const UNKNOWN = '01a1fe84-0000-7000-8000-0000000000bf';
const NOT_A_UUID = 'not-a-uuid';

/** A command and the request `serve` gets for the same input (`id` in the place of the thread id). */
interface Pair {
  readonly cli: (id: string) => string[];
  readonly method: string;
  readonly params: (id: string) => Record<string, unknown>;
}

/** Every command that is a view of one method on a thread. */
const PAIRS: ReadonlyArray<Pair> = [
  { cli: (id) => ['read', id], method: 'thread/read', params: (id) => ({ threadId: id, includeTurns: true }) },
  {
    cli: (id) => ['read', id, '--no-turns'],
    method: 'thread/read',
    params: (id) => ({ threadId: id, includeTurns: false }),
  },
  { cli: (id) => ['turns', id], method: 'thread/turns/list', params: (id) => ({ threadId: id }) },
  { cli: (id) => ['items', id], method: 'thread/items/list', params: (id) => ({ threadId: id }) },
  { cli: (id) => ['fork', id], method: 'thread/fork', params: (id) => ({ threadId: id }) },
  { cli: (id) => ['token-usage', id], method: 'thread/tokenUsage/read', params: (id) => ({ threadId: id }) },
  {
    cli: (id) => ['revert', id, '--before-turn-id', 't1'],
    method: 'thread/revert',
    params: (id) => ({ threadId: id, beforeTurnId: 't1' }),
  },
  {
    cli: (id) => ['rollback', id, '--num-turns', '1'],
    method: 'thread/rollback',
    params: (id) => ({ threadId: id, numTurns: 1 }),
  },
  {
    cli: (id) => ['review', id, '--uncommitted'],
    method: 'review/start',
    params: (id) => ({ threadId: id, target: { type: 'uncommittedChanges' } }),
  },
  {
    cli: (id) => ['name', id, 'a name'],
    method: 'thread/name/set',
    params: (id) => ({ threadId: id, name: 'a name' }),
  },
  { cli: (id) => ['archive', id], method: 'thread/archive', params: (id) => ({ threadId: id }) },
  { cli: (id) => ['unarchive', id], method: 'thread/unarchive', params: (id) => ({ threadId: id }) },
  { cli: (id) => ['delete', id], method: 'thread/delete', params: (id) => ({ threadId: id }) },
  {
    cli: (id) => ['metadata', id, '--git-sha', 'abc'],
    method: 'thread/metadata/update',
    params: (id) => ({ threadId: id, gitInfo: { sha: 'abc' } }),
  },
  {
    cli: (id) => ['read-state', id, '--mark', 'read', '--expected-revision', `initial:${id}`],
    method: 'thread/readState/update',
    params: (id) => ({ threadId: id, operation: { type: 'read' }, expectedRevision: `initial:${id}` }),
  },
  {
    cli: (id) => ['search', 'hello', '--thread', id],
    method: 'thread/searchOccurrences',
    params: (id) => ({ threadId: id, searchTerm: 'hello' }),
  },
];

/** The JSON-RPC code of each kind of refusal (`adapters/driving/rpc/errors.ts`), to compare a CLI error's tag with an answer's code. */
const CODE_OF_TAG: Readonly<Record<string, number>> = { NotFound: -32600, Rejected: -32600, InvalidArgument: -32602 };

/** A refusal as each transport gives it: the CLI's error object, serve's JSON-RPC error. */
interface Refusals {
  readonly line: string;
  readonly cli: { readonly tag: string; readonly message: string };
  readonly serve: { readonly code: number; readonly message: string };
}

describe('CLI errors: one message per mistake, a JSON object with --json', function () {
  this.timeout(120_000);
  const homeOf = useTempDir('cli-errors-');
  const cli = (...args: string[]) => runCli(...args, '--codex-home', homeOf());

  /**
   * `serve` on the home, and for each input the CLI command and the request: both refusals (the
   * CLI's: nothing on stdout, exit 2, one JSON object), or a difference when serve answered.
   */
  const throughBoth = async (
    inputs: ReadonlyArray<{ cli: string[]; method: string; params: unknown }>,
  ): Promise<Array<Refusals | string>> => {
    const server = await initializedServe(homeOf(), { capabilities: { experimentalApi: true } });
    const out: Array<Refusals | string> = [];
    try {
      for (const input of inputs) {
        const line = input.cli.join(' ');
        const answer: RpcAnswer = await server.request(input.method, input.params);
        const r = cli(...input.cli, '--json');
        if (!('error' in answer)) {
          out.push(`${line}: serve answered ${JSON.stringify(answer)}`);
          continue;
        }
        expect(r.stdout, line).to.equal('');
        expect(r.status, line).to.equal(2);
        out.push({ line, cli: (stderrJson(r.stderr) as { error: Refusals['cli'] }).error, serve: answer.error });
      }
    } finally {
      await server.close();
    }
    return out;
  };
  const describeDifference = ({ line, cli: c, serve: s }: Refusals): string =>
    `${line}: CLI ${c.tag} "${c.message}", serve ${s.code} "${s.message}"`;

  before(() => {
    writeRollout(homeOf(), rolloutName(P), chatThread('paginated', P, 2).text());
  });

  it('every command refuses a bad or unknown thread id as the method it is a view of: the same kind and words as `serve`', async () => {
    const inputs = PAIRS.flatMap((pair) =>
      [NOT_A_UUID, UNKNOWN].map((id) => ({ cli: pair.cli(id), method: pair.method, params: pair.params(id) })),
    );
    const both = await throughBoth(inputs);
    const differences = both.flatMap((b) =>
      typeof b === 'string'
        ? [b]
        : b.cli.message !== b.serve.message || CODE_OF_TAG[b.cli.tag] !== b.serve.code
          ? [describeDifference(b)]
          : [],
    );
    expect(both.filter((b) => typeof b !== 'string')).to.have.length(PAIRS.length * 2);
    expect(differences).to.deep.equal([]);
  });

  it('every command refuses a bad --limit, --cursor, --sort, --view, --num-turns, --since, --until or --tz, a plugin id or marketplace that is not there, as `serve` refuses the same params: 0 differences', async () => {
    // Each command's options that fill a param, with values serve refuses; `option` is what the CLI names.
    const pages: ReadonlyArray<[string[], string, Record<string, unknown>]> = [
      [['threads'], 'thread/list', {}],
      [['turns', P], 'thread/turns/list', { threadId: P }],
      [['items', P], 'thread/items/list', { threadId: P }],
      [['search', 'hello'], 'thread/search', { searchTerm: 'hello' }],
      [['search', 'hello', '--thread', P], 'thread/searchOccurrences', { threadId: P, searchTerm: 'hello' }],
    ];
    const rows: Array<{ cli: string[]; option: string; method: string; params: Record<string, unknown> }> = [];
    for (const [words, method, base] of pages) {
      for (const v of ['-1', '1.5', '4294967296', 'abc'])
        rows.push({
          cli: [...words, '--limit', v],
          option: '--limit',
          method,
          params: { ...base, limit: Number.isNaN(Number(v)) ? v : Number(v) },
        });
      for (const v of ['garbage', ''])
        rows.push({ cli: [...words, '--cursor', v], option: '--cursor', method, params: { ...base, cursor: v } });
    }
    for (const v of ['bogus', 'createdAt']) {
      rows.push({ cli: ['threads', '--sort', v], option: '--sort', method: 'thread/list', params: { sortKey: v } });
      rows.push({
        cli: ['search', 'hello', '--sort', v],
        option: '--sort',
        method: 'thread/search',
        params: { searchTerm: 'hello', sortKey: v },
      });
      rows.push({
        cli: ['turns', P, '--view', v],
        option: '--view',
        method: 'thread/turns/list',
        params: { threadId: P, itemsView: v },
      });
    }
    for (const v of ['0', '-1', '1.5'])
      rows.push({
        cli: ['rollback', P, '--num-turns', v],
        option: '--num-turns',
        method: 'thread/rollback',
        params: { threadId: P, numTurns: Number(v) },
      });
    // The token report's range and zone: one parse (readTokenReport) for `tokens` and rolloutEngine/tokens/report.
    for (const [option, param, v] of [
      ['--since', 'since', 'garbage'],
      ['--since', 'since', '2026-13-45'],
      ['--until', 'until', 'yesterday-ish'],
      ['--tz', 'timeZone', 'Mars/Olympus_Mons'],
    ] as const)
      rows.push({ cli: ['tokens', option, v], option, method: 'rolloutEngine/tokens/report', params: { [param]: v } });
    // The plugin commands run the use cases the plugin methods run.
    rows.push({
      cli: ['plugins', 'uninstall', 'not-a-plugin-id'],
      option: '<pluginId>',
      method: 'plugin/uninstall',
      params: { pluginId: 'not-a-plugin-id' },
    });
    rows.push({
      cli: ['plugins', 'install', '/nonexistent/marketplace.json', 'p'],
      option: '<marketplacePath>',
      method: 'plugin/install',
      params: { marketplacePath: '/nonexistent/marketplace.json', pluginName: 'p' },
    });

    const both = await throughBoth(rows);
    let refusedByCodec = 0;
    const differences = both.flatMap((b, i) => {
      if (typeof b === 'string') return [b];
      // A params refusal (serve: -32600 `Invalid request: <serde's sentence>`) is the CLI's
      // InvalidArgument with the same sentence under the option; any other refusal the same words.
      const codec = /^Invalid request: (.*)$/s.exec(b.serve.message);
      if (codec !== null) refusedByCodec += 1;
      // A value the use case refuses names what was given: the param to serve, the option to the CLI; the same sentence after it.
      const named =
        codec === null && b.serve.code === -32602 ? /^invalid ([A-Za-z]+): (.*)$/s.exec(b.serve.message) : null;
      const same =
        codec !== null
          ? b.serve.code === -32600 &&
            b.cli.tag === 'InvalidArgument' &&
            b.cli.message === `invalid ${rows[i]!.option}: ${codec[1]}`
          : named !== null && named[1]! in rows[i]!.params
            ? b.serve.code === -32602 &&
              b.cli.tag === 'InvalidArgument' &&
              b.cli.message === `invalid ${rows[i]!.option}: ${named[2]}`
            : CODE_OF_TAG[b.cli.tag] === b.serve.code && b.cli.message === b.serve.message;
      return same ? [] : [describeDifference(b)];
    });
    expect(differences).to.deep.equal([]);
    // Most are the codec's (limits, sort keys, views); the cursors and a zero count are the use cases'.
    expect(refusedByCodec).to.be.within(1, rows.length - 1);
  });

  it("import: each bad value of its own options refused under the option's name (exit 2, one JSON object); a session file detection does not offer: serve refuses it as Codex does, the CLI imports the file named", async () => {
    // `externalAgentConfig/import` has no bounds (Codex imports the 50 newest of 30 days,
    // `DEFAULT_MAX_SESSIONS`): `--max-sessions`, `--since`, the agent's name are the command's own.
    const rows: ReadonlyArray<[string[], string, string]> = [
      [['--max-sessions', '0'], '--max-sessions', 'expected a positive integer, got 0'],
      [['--max-sessions', '-1'], '--max-sessions', 'expected a positive integer, got -1'],
      [['--max-sessions', '1.5'], '--max-sessions', 'expected a positive integer, got 1.5'],
      [['--max-sessions', 'abc'], '--max-sessions', 'expected a positive integer, got "abc"'],
      [['--since', '-1'], '--since', 'expected a number of days ≥ 0 or a date, got -1'],
      [['--since', '2026-13-45'], '--since', 'expected a number of days ≥ 0 or a date, got "2026-13-45"'],
    ];
    const differences: string[] = [];
    for (const [args, option, reason] of rows) {
      const r = cli('import', 'claude', '--from', `${homeOf()}/no-claude`, ...args, '--json');
      const error = r.stderr === '' ? undefined : (stderrJson(r.stderr) as { error: Record<string, unknown> }).error;
      const expected = {
        tag: 'InvalidArgument',
        message: `invalid ${option}: ${reason}`,
        exitCode: 2,
        field: option,
        reason,
      };
      if (r.status !== 2 || r.stdout !== '' || JSON.stringify(error) !== JSON.stringify(expected))
        differences.push(`import ${args.join(' ')}: exit ${r.status}, ${r.stdout}${r.stderr}`);
    }
    expect(differences).to.deep.equal([]);
    const agent = cli('import', 'bogus', '--json');
    expect(agent.status).to.equal(2);
    expect(stderrJson(agent.stderr)).to.deep.nested.include({
      'error.tag': 'InvalidArgument',
      'error.field': 'command line',
    });

    // The one input both take, a session file: a client of serve names only what detection offers
    // (Codex's `session_not_detected`, so no client can have the server read any file); at the
    // shell, `--session` names the files to import instead of the detected ones.
    const named = `${homeOf()}/no-claude/projects/p/s.jsonl`;
    const server = await initializedServe(homeOf(), {
      capabilities: { experimentalApi: true },
    });
    try {
      const answer = await server.request('externalAgentConfig/import', {
        migrationItems: [
          {
            itemType: 'SESSIONS',
            description: 's',
            cwd: null,
            details: { sessions: [{ path: named, cwd: '/', title: null }] },
          },
        ],
      });
      expect(answer).to.have.nested.property('result.importId');
      // Told after the answer, once the import is done: wait for it (a bound only against a hang).
      let completed: unknown;
      for (
        const deadline = Date.now() + 15_000;
        completed === undefined && Date.now() < deadline;
        await new Promise((resolve) => setTimeout(resolve, 20))
      )
        completed = server.notifications.find((n) => n.method === 'externalAgentConfig/import/completed')?.params;
      const failures = (
        completed as { itemTypeResults: Array<{ failures: Array<Record<string, unknown>> }> }
      ).itemTypeResults.flatMap((r) => r.failures);
      expect(failures.map((f) => [f['subErrorType'], f['message']])).to.deep.equal([
        ['session_not_detected', `external agent session was not detected for import: ${named}`],
      ]);
    } finally {
      await server.close();
    }
    // Listed as failed, and the command exits as a file that does not exist does (it imported nothing of it).
    const r = cli('import', 'claude', '--session', named, '--dry-run');
    expect(r.status).to.equal(2);
    expect(r.stdout).to.equal(`failed ${named}: file not found: ${named}\n`);
  });

  it("an unknown thread in Codex 0.169.0's words for each method, the same from the CLI, with or without --json", () => {
    const words: ReadonlyArray<[string[], string]> = [
      [['read', UNKNOWN], `thread not loaded: ${UNKNOWN}`],
      [['turns', UNKNOWN], `thread not loaded: ${UNKNOWN}`],
      [['items', UNKNOWN], `thread not loaded: ${UNKNOWN}`],
      [['fork', UNKNOWN], `no rollout found for thread id ${UNKNOWN}`],
      [['unarchive', UNKNOWN], `no archived rollout found for thread id ${UNKNOWN}`],
      [['revert', UNKNOWN, '--before-turn-id', 't1'], `thread not found: ${UNKNOWN}`],
      [['review', UNKNOWN, '--uncommitted'], `thread not found: ${UNKNOWN}`],
      [
        ['read', NOT_A_UUID],
        'invalid thread id: invalid character: expected an optional prefix of `urn:uuid:` followed by [0-9a-fA-F-], found `n` at 1',
      ],
      [
        ['archive', NOT_A_UUID],
        'invalid session id: invalid character: expected an optional prefix of `urn:uuid:` followed by [0-9a-fA-F-], found `n` at 1',
      ],
    ];
    // The method's words first; under them, the CLI's own line: how to list threads (issue 72).
    for (const [args, message] of words) {
      const r = cli(...args);
      expect(r.status, args.join(' ')).to.equal(2);
      expect(r.stdout, args.join(' ')).to.equal('');
      const [said, hint, end] = r.stderr.split('\n');
      expect(said, args.join(' ')).to.equal(`rollout-engine: ${message}`);
      expect(hint, args.join(' ')).to.match(/^  .*run `rollout-engine threads` to list them/);
      expect(end, args.join(' ')).to.equal('');
    }
    const json = cli('read', UNKNOWN, '--json');
    expect(stderrJson(json.stderr)).to.deep.equal({
      error: {
        tag: 'NotFound',
        message: `thread not loaded: ${UNKNOWN}`,
        exitCode: 2,
        what: 'thread',
        id: UNKNOWN,
        words: `thread not loaded: ${UNKNOWN}`,
        hint: `no thread ${UNKNOWN} in this home: run \`rollout-engine threads\` to list them (\`rollout-engine threads --archived\`: the archived ones)`,
      },
    });
  });

  it('with --json: the error as one JSON object on stderr (tag, message, exit code, its fields), same exit code', () => {
    const bad = cli('turns', P, '--limit', 'abc', '--json');
    expect(bad.status).to.equal(2);
    expect(stderrJson(bad.stderr)).to.deep.nested.include({
      'error.tag': 'InvalidArgument',
      'error.exitCode': 2,
      'error.field': '--limit',
    });
    const refused = cli('turns', P, '--cursor', 'not-a-cursor', '--json');
    expect(refused.status).to.equal(2);
    expect(stderrJson(refused.stderr)).to.deep.equal({
      error: {
        tag: 'Rejected',
        message: 'invalid cursor: not-a-cursor',
        exitCode: 2,
        reason: 'invalid cursor: not-a-cursor',
      },
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
    expect(stderrJson(json.stderr)).to.deep.nested.include({
      'error.tag': 'InvalidArgument',
      'error.exitCode': 2,
      'error.reason': "unknown option '--bogus'",
    });
    expect(runCli('--help').status).to.equal(0);
    expect(runCli('--version').status).to.equal(0);
    // The two commands that render their own JSON report follow --json for errors too.
    for (const command of ['index', 'tokens']) {
      const missing = runCli(command, '--codex-home', `${homeOf()}/nope`, '--json');
      expect(missing.status, command).to.equal(2);
      expect(stderrJson(missing.stderr), command).to.deep.nested.include({
        'error.tag': 'NotFound',
        'error.exitCode': 2,
      });
    }
  });

  it("serve keeps Codex 0.169.0's words for an unknown thread, method by method", async () => {
    const server = await initializedServe(homeOf());
    try {
      const refusal = (message: string) => ({ error: { code: -32600, message } });
      expect(await server.request('thread/read', { threadId: UNKNOWN })).to.deep.equal(
        refusal(`thread not loaded: ${UNKNOWN}`),
      );
      expect(await server.request('thread/read', { threadId: UNKNOWN, includeTurns: true })).to.deep.equal(
        refusal(`thread not loaded: ${UNKNOWN}`),
      );
      expect(await server.request('thread/turns/list', { threadId: UNKNOWN })).to.deep.equal(
        refusal(`thread not loaded: ${UNKNOWN}`),
      );
      expect(await server.request('thread/items/list', { threadId: UNKNOWN })).to.deep.equal(
        refusal(`thread not loaded: ${UNKNOWN}`),
      );
      expect(await server.request('thread/fork', { threadId: UNKNOWN })).to.deep.equal(
        refusal(`no rollout found for thread id ${UNKNOWN}`),
      );
      expect(await server.request('thread/revert', { threadId: UNKNOWN, beforeTurnId: 't1' })).to.deep.equal(
        refusal(`thread not found: ${UNKNOWN}`),
      );
      expect(
        await server.request('review/start', { threadId: UNKNOWN, target: { type: 'uncommittedChanges' } }),
      ).to.deep.equal(refusal(`thread not found: ${UNKNOWN}`));
    } finally {
      await server.close();
    }
  });
});
