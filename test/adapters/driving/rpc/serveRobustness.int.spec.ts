// One bad request never leaves a client without an answer, and never ends the server (issue 22's
// findings: a null or object id got no answer, a 10 MB thread id an internal LMDB error, params
// nested 6,000 deep killed the process).
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { ENGINE_CLI_PATH } from '../../../compat/engineCli.js';
import { useTempDir } from '../../../fixtures/tempDir.js';
import { chatThread, rolloutName, writeRollout } from '../../../replay/mutationHome.js';

const T = '01a1fe84-0000-7000-8000-0000000000d1';

/** Send `lines` to a fresh `serve`, close its input, and return what it answered, one object a line, and its exit code. */
const converse = (
  home: string,
  lines: ReadonlyArray<string>,
  extra: ReadonlyArray<string> = [],
): Promise<{ answers: Array<Record<string, unknown>>; code: number | null }> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [ENGINE_CLI_PATH, 'serve', '--codex-home', home, ...extra], {
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
    child.on('error', reject);
    child.on('exit', (code) =>
      resolve({
        answers: out
          .split('\n')
          .filter((l) => l !== '')
          .map((l) => JSON.parse(l) as Record<string, unknown>),
        code,
      }),
    );
    child.stdin.end(lines.map((l) => `${l}\n`).join(''));
  });

describe('serve: every request answered, none ends the server', function () {
  this.timeout(120_000);
  const homeOf = useTempDir('serve-robust-');

  it('refuses an id that is neither a string nor a number, refuses a 10 MB thread id (not a UUID), refuses params nested 6,000 deep, and answers the next request', async () => {
    writeRollout(homeOf(), rolloutName(T), chatThread('paginated', T, 1).text());
    const huge = 'x'.repeat(10_000_000);
    const { answers, code } = await converse(homeOf(), [
      JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: { clientInfo: { name: 't', version: '1' } },
      }),
      JSON.stringify({ jsonrpc: '2.0', method: 'initialized' }),
      JSON.stringify({ jsonrpc: '2.0', id: null, method: 'thread/list', params: {} }),
      JSON.stringify({ jsonrpc: '2.0', id: { a: 1 }, method: 'thread/list', params: {} }),
      JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'thread/turns/list', params: { threadId: huge } }),
      `{"jsonrpc":"2.0","id":4,"method":"thread/list","params":${'['.repeat(6000)}${']'.repeat(6000)}}`,
      JSON.stringify({ jsonrpc: '2.0', id: 5, method: 'thread/read', params: { threadId: T } }),
    ]);
    expect(code).to.equal(0);
    // Requests run concurrently and are answered as they finish, as Codex's are: found by id (the two refused ids are answered at once, in order).
    const byId = (id: unknown) => answers.find((a) => a['id'] === id);
    // Nested 6,000 deep is refused before it is parsed (deeper than Codex parses: `messageBounds.ts`), so with id null, after the two ids.
    const [nullId, objectId, deep] = answers.filter((a) => a['id'] === null);
    const [init, hugeId, next] = [byId(1), byId(3), byId(5)];
    expect(answers).to.have.length(6);
    expect(init).to.have.property('result');
    const invalidId = {
      jsonrpc: '2.0',
      id: null,
      error: {
        code: -32600,
        message: 'Invalid request: id must be a string or an integer from -9007199254740991 to 9007199254740991',
      },
    };
    expect(nullId).to.deep.equal(invalidId);
    expect(objectId).to.deep.equal(invalidId);
    expect(hugeId).to.deep.include({ id: 3 });
    expect((hugeId!['error'] as { code: number; message: string }).code).to.equal(-32600);
    // Not a UUID: refused in Codex's words before any lookup, without echoing the 10 MB back.
    expect((hugeId!['error'] as { code: number; message: string }).message).to.equal(
      'invalid thread id: invalid character: expected an optional prefix of `urn:uuid:` followed by [0-9a-fA-F-], found `x` at 1',
    );
    expect((deep!['error'] as { code: number; message: string }).code).to.equal(-32700);
    expect((deep!['error'] as { code: number; message: string }).message).to.contain(
      'recursion limit exceeded: nested deeper than 127 levels',
    );
    expect(next).to.deep.include({ id: 5 });
    expect((next!['result'] as { thread: { id: string } }).thread.id).to.equal(T);
  });

  it('refuses a message over --max-request-bytes without holding it, then answers the next; the option itself is checked', async () => {
    writeRollout(homeOf(), rolloutName(T), chatThread('paginated', T, 1).text());
    const big = JSON.stringify({
      jsonrpc: '2.0',
      id: 2,
      method: 'thread/read',
      params: { threadId: 'y'.repeat(2 << 20) },
    });
    const { answers, code } = await converse(
      homeOf(),
      [
        JSON.stringify({
          jsonrpc: '2.0',
          id: 1,
          method: 'initialize',
          params: { clientInfo: { name: 't', version: '1' } },
        }),
        big,
        JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'thread/read', params: { threadId: T } }),
      ],
      ['--max-request-bytes', String(1 << 20)],
    );
    expect(code).to.equal(0);
    expect(answers).to.have.length(3);
    expect(answers[1]).to.deep.equal({
      jsonrpc: '2.0',
      id: null,
      error: {
        code: -32600,
        message: `Invalid request: a message of ${Buffer.byteLength(big)} bytes is over the limit of ${1 << 20} bytes`,
      },
    });
    expect(answers[2]).to.deep.include({ id: 3 });
    const refused = await converse(homeOf(), [], ['--max-request-bytes', '10']);
    expect(refused.code).to.equal(2);
  });
});
