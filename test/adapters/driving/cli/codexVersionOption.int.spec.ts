// The CLI's `--json` speaks the Codex version `serve` speaks for the same option (issue 70):
// `--codex-version X`, else `ROLLOUT_ENGINE_CODEX_VERSION`, else the newest. A view of a method
// passes through the declarations `serve` reads (protocol/codexVersions.ts): `threads --only`
// (`thread/list` `includedThreadIds`, added in 0.171.0) answers as serve at 0.171.0 answers, and
// is refused under its option at 0.169.0, where that Codex has no such param.
import { spawnSync } from 'node:child_process';
import { expect } from 'chai';
import { initializedServe } from '../../../fixtures/stdioRpcClient.js';
import { ENGINE_CLI_PATH } from '../../../compat/engineCli.js';
import { useTempDir } from '../../../fixtures/tempDir.js';
import { chatThread, rolloutName, writeRollout } from '../../../replay/mutationHome.js';
import { CODEX_VERSIONS, NEWEST_CODEX_VERSION } from '../../../../protocol/codexVersions.js';
import { RolloutWriter } from '../../../fixtures/rolloutLines.js';
import type { CliRun } from './runCli.js';
import { answerSchema, CodexSchema } from '../../../fixtures/codexSchema.js';
import { stderrJson } from '../../../fixtures/stderrJson.js';

const IDS = [
  '01a1fe84-0000-7000-8000-0000000000c1',
  '01a1fe84-0000-7000-8000-0000000000c2',
  '01a1fe84-0000-7000-8000-0000000000c3',
];
/** A thread whose turn holds an MCP call: an item 0.171.0 answers with `environmentId` (protocol/itemDeltas.ts). */
const MCP_ID = '01a1fe84-0000-7000-8000-0000000000c9';
/** A thread whose user message has a run of spaces before the searched word: its snippet is cut otherwise by each version (protocol/search.ts `snippetContextAt`). */
const SPACED_ID = '01a1fe84-0000-7000-8000-0000000000cb';
/** A thread whose final agent message has a display only 0.171.0 reads: 0.169.0 has no item for it (protocol/itemDeltas.ts `itemPresenceAt`). */
const MODERATED_ID = '01a1fe84-0000-7000-8000-0000000000ca';

describe('CLI --codex-version: a command that prints a method result speaks the version serve speaks for the same option', function () {
  this.timeout(120_000);
  const homeOf = useTempDir('cli-codex-version-');

  /** The CLI with `ROLLOUT_ENGINE_CODEX_VERSION` as given (unset when undefined; the test hooks set it for every child). */
  const cli = (env: string | undefined, ...args: string[]): CliRun => {
    const { ROLLOUT_ENGINE_CODEX_VERSION: _hooks, ...rest } = process.env;
    const r = spawnSync(process.execPath, [ENGINE_CLI_PATH, ...args, '--codex-home', homeOf()], {
      encoding: 'utf8',
      timeout: 60_000,
      env: env === undefined ? rest : { ...rest, ROLLOUT_ENGINE_CODEX_VERSION: env },
    });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const idsOf = (r: CliRun): string[] => {
    expect(r.status, r.stderr).to.equal(0);
    return (JSON.parse(r.stdout) as { data: Array<{ id: string }> }).data.map((t) => t.id);
  };
  const errorOf = (r: CliRun): { tag: string; message: string } => {
    expect(r.stdout).to.equal('');
    expect(r.status, r.stderr).to.equal(2);
    const { tag, message } = (stderrJson(r.stderr) as { error: { tag: string; message: string } }).error;
    return { tag, message };
  };

  const schemas = new Map<string, CodexSchema>();
  /** `serve --codex-version version`'s answer to one request, held to that version's schema. */
  const served = async (version: string, method: string, params: unknown): Promise<unknown> => {
    if (version !== answerSchema.active()?.version && !schemas.has(version))
      schemas.set(version, await CodexSchema.generateAt(version));
    const schema = schemas.get(version);
    const server = await initializedServe(homeOf(), {
      capabilities: { experimentalApi: true },
      args: ['--codex-version', version],
      ...(schema === undefined ? {} : { schema }),
    });
    try {
      return await server.request(method, params);
    } finally {
      await server.close();
    }
  };

  before(() => {
    IDS.forEach((id, i) =>
      writeRollout(homeOf(), rolloutName(id).replace('14-00-00', `14-0${i}-00`), chatThread('paginated', id, 1).text()),
    );
  });

  it('threads --json --only: at 0.171.0 the ids given, as serve at 0.171.0 answers; at 0.169.0 refused under --only (that Codex has no includedThreadIds), where serve at 0.169.0 drops it', async () => {
    const at171 = cli(undefined, 'threads', '--json', '--codex-version', '0.171.0', '--only', IDS[1]!);
    expect(idsOf(at171)).to.deep.equal([IDS[1]]);
    expect({ result: JSON.parse(at171.stdout) }).to.deep.equal(
      await served('0.171.0', 'thread/list', { includedThreadIds: [IDS[1]] }),
    );
    const at169 = errorOf(cli(undefined, 'threads', '--json', '--codex-version', '0.169.0', '--only', IDS[1]!));
    expect(at169).to.deep.equal({
      tag: 'InvalidArgument',
      message: 'invalid --only: Codex 0.169.0 has no param includedThreadIds (--codex-version)',
    });
    // serve at 0.169.0 answers as that Codex: the stray param filters nothing.
    const servedAt169 = (await served('0.169.0', 'thread/list', { includedThreadIds: [IDS[1]] })) as {
      result: { data: Array<{ id: string }> };
    };
    expect(servedAt169.result.data.map((t) => t.id)).to.have.members(IDS);
  });

  it('the version comes from --codex-version, else ROLLOUT_ENGINE_CODEX_VERSION, else the newest; one we do not speak is refused', () => {
    expect(idsOf(cli('0.171.0', 'threads', '--json', '--only', IDS[0]!)), 'env 0.171.0').to.deep.equal([IDS[0]]);
    expect(errorOf(cli('0.169.0', 'threads', '--json', '--only', IDS[0]!)).message, 'env 0.169.0').to.contain(
      'Codex 0.169.0 has no param',
    );
    expect(
      idsOf(cli('0.169.0', 'threads', '--json', '--codex-version', '0.171.0', '--only', IDS[0]!)),
      'the option beats the env',
    ).to.deep.equal([IDS[0]]);
    expect(NEWEST_CODEX_VERSION).to.equal('0.171.0');
    expect(idsOf(cli(undefined, 'threads', '--json', '--only', IDS[0]!)), 'neither: the newest').to.deep.equal([
      IDS[0],
    ]);
    expect(errorOf(cli(undefined, 'threads', '--json', '--codex-version', '0.170.0'))).to.deep.equal({
      tag: 'InvalidArgument',
      message: `invalid --codex-version: Codex 0.170.0 is not a version this engine speaks (${CODEX_VERSIONS.join(', ')})`,
    });
  });

  it('without a param that differs, threads, read and turns --json print the same at every version, each equal to serve at that version', async () => {
    // What each prints of its method's answer (`read`: the result's thread).
    const asked: ReadonlyArray<[string[], string, Record<string, unknown>, (answer: any) => unknown]> = [
      [['threads'], 'thread/list', {}, (a) => a.result],
      [['read', IDS[0]!], 'thread/read', { threadId: IDS[0], includeTurns: true }, (a) => a.result.thread],
      [['turns', IDS[0]!], 'thread/turns/list', { threadId: IDS[0] }, (a) => a.result],
    ];
    for (const [words, method, params, printedOf] of asked) {
      const printed = CODEX_VERSIONS.map((v) => {
        const r = cli(undefined, ...words, '--json', '--codex-version', v);
        expect(r.status, `${words.join(' ')} at ${v}: ${r.stderr}`).to.equal(0);
        return JSON.parse(r.stdout) as unknown;
      });
      for (const [i, v] of CODEX_VERSIONS.entries())
        expect(printed[i], `${words.join(' ')} at ${v}`).to.deep.equal(printedOf(await served(v, method, params)));
      expect(printed[1], words.join(' ')).to.deep.equal(printed[0]);
    }
  });

  // Last: it adds its thread to the home the tests above list.
  it('an item a version reshapes: read and turns --json of a thread with an MCP call print its environmentId at 0.171.0 alone, each equal to serve at that version', async () => {
    const w = chatThread('paginated', MCP_ID, 1);
    const t = new RolloutWriter('paginated', MCP_ID, { startOrdinal: w.nextOrdinal(), startMs: w.nowMs() + 1000 });
    t.taskStarted('t2').mcpToolCall('t2', 'mcp-t2').taskComplete('t2');
    writeRollout(homeOf(), rolloutName(MCP_ID).replace('14-00-00', '14-09-00'), w.text() + t.text());
    const asked: ReadonlyArray<[string[], string, Record<string, unknown>, (answer: any) => unknown]> = [
      [['read', MCP_ID], 'thread/read', { threadId: MCP_ID, includeTurns: true }, (a) => a.result.thread],
      [
        ['turns', MCP_ID, '--view', 'full'],
        'thread/turns/list',
        { threadId: MCP_ID, itemsView: 'full' },
        (a) => a.result,
      ],
    ];
    for (const [words, method, params, printedOf] of asked)
      for (const v of CODEX_VERSIONS) {
        const r = cli(undefined, ...words, '--json', '--codex-version', v);
        expect(r.status, `${words.join(' ')} at ${v}: ${r.stderr}`).to.equal(0);
        const printed = JSON.parse(r.stdout) as unknown;
        expect(printed, `${words.join(' ')} at ${v}`).to.deep.equal(printedOf(await served(v, method, params)));
        const mcp = JSON.stringify(printed).match(/"type":"mcpToolCall"[^}]*/)?.[0] ?? '';
        expect(mcp, `${words.join(' ')} at ${v}: the MCP call`).to.not.equal('');
        expect(mcp.includes('"environmentId"'), `${words.join(' ')} at ${v}: environmentId`).to.equal(v !== '0.169.0');
      }
  });

  // Last too: it adds its thread to the home.
  it('an item a version has not: items and turns --json at 0.169.0 count and pick only the items it has, each equal to serve at that version', async () => {
    const w = chatThread('paginated', MODERATED_ID, 1);
    const t = new RolloutWriter('paginated', MODERATED_ID, {
      startOrdinal: w.nextOrdinal(),
      startMs: w.nowMs() + 1000,
    });
    t.taskStarted('t2').agentMessage('t2', 'msg-before', 'Before.', { phase: null });
    t.agentMessage('t2', 'msg-new', 'Shown by 0.171.0.', {
      phase: null,
      moderation: { moderated: true, display: { mode: 'show', version: 1, trustedContacts: 'skip' } },
    });
    t.taskComplete('t2');
    writeRollout(homeOf(), rolloutName(MODERATED_ID).replace('14-00-00', '14-10-00'), w.text() + t.text());
    const asked: ReadonlyArray<[string[], string, Record<string, unknown>]> = [
      [['items', MODERATED_ID, '--limit', '2'], 'thread/items/list', { threadId: MODERATED_ID, limit: 2 }],
      [
        ['items', MODERATED_ID, '--limit', '2', '--desc'],
        'thread/items/list',
        { threadId: MODERATED_ID, limit: 2, sortDirection: 'desc' },
      ],
      [['turns', MODERATED_ID], 'thread/turns/list', { threadId: MODERATED_ID }],
    ];
    const printed = new Map<string, any>();
    for (const [words, method, params] of asked)
      for (const v of CODEX_VERSIONS) {
        const r = cli(undefined, ...words, '--json', '--codex-version', v);
        expect(r.status, `${words.join(' ')} at ${v}: ${r.stderr}`).to.equal(0);
        printed.set(`${words.join(' ')} ${v}`, JSON.parse(r.stdout));
        expect(printed.get(`${words.join(' ')} ${v}`), `${words.join(' ')} at ${v}`).to.deep.equal(
          ((await served(v, method, params)) as { result: unknown }).result,
        );
      }
    const ids = (page: any): string[] => page.data.map((e: any) => e.item.id);
    // Newest first, a page of 2: at 0.169.0 the message before it and the turn's user message; at 0.171.0 the message itself first.
    const desc = `items ${MODERATED_ID} --limit 2 --desc`;
    expect(printed.get(`${desc} 0.169.0`).data).to.have.length(2);
    expect(ids(printed.get(`${desc} 0.169.0`))[0]).to.equal('msg-before');
    expect(ids(printed.get(`${desc} 0.171.0`))[0]).to.equal('msg-new');
    // The summary's final agent message: the one before it at 0.169.0.
    const finals = (page: any): string[] =>
      page.data[0].items.filter((i: any) => i.type === 'agentMessage').map((i: any) => i.id);
    expect(finals(printed.get(`turns ${MODERATED_ID} 0.169.0`))).to.deep.equal(['msg-before']);
    expect(finals(printed.get(`turns ${MODERATED_ID} 0.171.0`))).to.deep.equal(['msg-new']);
  });

  // Last too: it adds its thread to the home.
  it('search --json cuts each snippet as serve at the same version does, and the versions cut this one otherwise', async () => {
    const text = `alpha beta gamma delta epsilon zeta eta theta iota kappa ${' '.repeat(40)}lambda mu nu spacedneedle xi omicron pi rho sigma tau upsilon phi chi psi omega ${'end '.repeat(30)}`;
    const w = new RolloutWriter('paginated', SPACED_ID).sessionMeta().chatTurn('t1', text, 'answer');
    writeRollout(homeOf(), rolloutName(SPACED_ID).replace('14-00-00', '14-11-00'), w.text());
    const snippets: string[] = [];
    for (const v of CODEX_VERSIONS) {
      const r = cli(undefined, 'search', 'spacedneedle', '--json', '--codex-version', v);
      expect(r.status, `search at ${v}: ${r.stderr}`).to.equal(0);
      const printed = JSON.parse(r.stdout) as { data: Array<{ snippet: string }> };
      expect(printed, `search at ${v}`).to.deep.equal(
        ((await served(v, 'thread/search', { searchTerm: 'spacedneedle' })) as { result: unknown }).result,
      );
      expect(printed.data).to.have.length(1);
      snippets.push(printed.data[0]!.snippet);
    }
    expect(snippets[0]).to.not.equal(snippets[1]);
  });
});
