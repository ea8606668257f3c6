// Every option of the history commands is checked by the io-ts codec of the RPC method the command
// is a view of: what `serve` refuses with -32600 in Codex's words, the CLI refuses with exit 2 and
// the same words under the option; what Codex answers with an empty page, the CLI answers the same way.
import { expect } from 'chai';
import { initializedServe } from '../../../fixtures/stdioRpcClient.js';
import { useTempDir } from '../../../fixtures/tempDir.js';
import { chatThread, rolloutName, writeRollout } from '../../../replay/mutationHome.js';
import { runCli } from './runCli.js';
import { stderrJson } from '../../../fixtures/stderrJson.js';

const P = '01a1fe84-0000-7000-8000-0000000000a1';

describe('CLI options are decoded by the RPC params codecs', function () {
  this.timeout(120_000);
  const homeOf = useTempDir('cli-options-');
  const cli = (...args: string[]) => runCli(...args, '--codex-home', homeOf());

  before(() => {
    writeRollout(homeOf(), rolloutName(P), chatThread('paginated', P, 3).text());
  });

  // What the CLI says is serve's sentence for the same params (Codex's serde words), under the option.
  const refusals: ReadonlyArray<{ readonly args: string[]; readonly option: string; readonly serde: string }> = [
    { args: ['turns', P, '--limit', 'abc'], option: '--limit', serde: 'invalid type: string "abc", expected u32' },
    { args: ['turns', P, '--limit', '-1'], option: '--limit', serde: 'invalid value: integer `-1`, expected u32' },
    {
      args: ['turns', P, '--limit', '1.5'],
      option: '--limit',
      serde: 'invalid type: floating point `1.5`, expected u32',
    },
    {
      args: ['turns', P, '--view', 'fulll'],
      option: '--view',
      serde: 'unknown variant `fulll`, expected one of `notLoaded`, `summary`, `full`',
    },
    { args: ['items', P, '--limit', 'ten'], option: '--limit', serde: 'invalid type: string "ten", expected u32' },
    {
      args: ['threads', '--sort', 'size'],
      option: '--sort',
      serde: 'unknown variant `size`, expected one of `created_at`, `updated_at`, `recency_at`, `section_position`',
    },
    { args: ['threads', '--limit', '0x10'], option: '--limit', serde: 'invalid type: string "0x10", expected u32' },
    {
      args: ['review', P, '--uncommitted', '--delivery', 'later'],
      option: '--delivery',
      serde: 'unknown variant `later`',
    },
    {
      args: ['rollback', P, '--num-turns', 'abc'],
      option: '--num-turns',
      serde: 'invalid type: string "abc", expected u32',
    },
  ];

  for (const { args, option, serde } of refusals) {
    it(`${args.join(' ')}: exit 2, nothing on stdout, serve's words for the value under ${option}`, () => {
      for (const json of [false, true]) {
        const r = cli(...args, ...(json ? ['--json'] : []));
        expect(r.status, r.stderr).to.equal(2);
        expect(r.stdout).to.equal('');
        const message = json ? (stderrJson(r.stderr) as { error: { message: string } }).error.message : r.stderr;
        expect(message).to.include(`invalid ${option}: ${serde}`);
      }
    });
  }

  it('review --title without --commit: exit 2 naming --title (it is the commit title, nothing else takes it)', () => {
    const r = cli('review', P, '--custom', 'look at the tests', '--title', 'a title');
    expect(r.status, r.stderr).to.equal(2);
    expect(r.stdout).to.equal('');
    expect(r.stderr).to.include('--title');
  });

  it("serve refuses the same values, with -32600 in Codex's (serde's) words, where the CLI names its option", async () => {
    const server = await initializedServe(homeOf());
    try {
      const cases: ReadonlyArray<[string, Record<string, unknown>, string[], string]> = [
        [
          'thread/turns/list',
          { threadId: P, limit: 'abc' },
          ['turns', P, '--limit', 'abc'],
          'invalid type: string "abc", expected u32',
        ],
        [
          'thread/turns/list',
          { threadId: P, limit: 1.5 },
          ['turns', P, '--limit', '1.5'],
          'invalid type: floating point `1.5`, expected u32',
        ],
        [
          'thread/turns/list',
          { threadId: P, itemsView: 'fulll' },
          ['turns', P, '--view', 'fulll'],
          'unknown variant `fulll`, expected one of `notLoaded`, `summary`, `full`',
        ],
        [
          'thread/list',
          { sortKey: 'size' },
          ['threads', '--sort', 'size'],
          'unknown variant `size`, expected one of `created_at`, `updated_at`, `recency_at`, `section_position`',
        ],
      ];
      for (const [method, params, args, serde] of cases) {
        expect(await server.request(method, params), method).to.deep.equal({
          error: { code: -32600, message: `Invalid request: ${serde}` },
        });
        const r = cli(...args);
        expect(r.status, r.stderr).to.equal(2);
        expect(r.stderr).to.include(`invalid ${args[args.length - 2]!}: ${serde}`);
      }
    } finally {
      await server.close();
    }
  });

  it('valid options still give the page asked for', () => {
    const r = cli('turns', P, '--limit', '2', '--view', 'notLoaded', '--asc', '--json');
    expect(r.status, r.stderr).to.equal(0);
    const page = JSON.parse(r.stdout) as { data: Array<{ id: string; items: unknown[] }> };
    expect(page.data.map((t) => t.id)).to.deep.equal(['t1', 't2']);
    expect(page.data[0]!.items).to.deep.equal([]);
  });

  it("items --turn with a turn the thread does not have: Codex's empty page (exit 0), and a person is told why it is empty", () => {
    const json = cli('items', P, '--turn', 'nope', '--json');
    expect(json.status, json.stderr).to.equal(0);
    expect(JSON.parse(json.stdout)).to.deep.equal({ data: [], nextCursor: null, backwardsCursor: null });
    expect(json.stderr).to.equal('');
    const human = cli('items', P, '--turn', 'nope');
    expect(human.status, human.stderr).to.equal(0);
    expect(human.stderr).to.include('no items in turn nope').and.to.include(`rollout-engine turns ${P}`);
    const known = cli('items', P, '--turn', 't2');
    expect(known.status, known.stderr).to.equal(0);
    expect(known.stderr).to.equal('');
  });
});
