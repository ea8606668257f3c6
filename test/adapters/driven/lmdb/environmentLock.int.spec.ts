import { expect } from 'chai';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { fileURLToPath } from 'node:url';
import * as E from 'fp-ts/lib/Either.js';
import { openLmdbIndex } from '../../../../adapters/driven/lmdb/indexStore.js';
import { right } from '../../../fixtures/right.js';

/**
 * An LMDB environment opened (or closed) by one process while another commits can break later
 * transactions of either (environmentLock.ts). Here another process holds one side of the lock at
 * a scripted step, and this one asks for the other side without waiting (`lockWaitMs` 0): it is
 * refused while the holder is at that step, and given once it has let go. No verdict waits on time.
 */
describe('LMDB IndexStore: opening and closing kept apart from other processes’ writes', function () {
  this.timeout(60_000);
  const compiled = (relative: string): string =>
    fileURLToPath(new URL(`../../../../adapters/driven/lmdb/${relative}`, import.meta.url));
  /**
   * A holder process, at its step until `go` exists: `shared` holds the lock as a write transaction
   * does (the LMDB transaction left out: an open without the lock would wait on LMDB's writer lock
   * instead of failing), `exclusive` as an open or close does.
   */
  const holderScript = `
import * as fs from 'node:fs';
const [mode, dir, go] = process.argv.slice(2);
const { sharedEnvironmentLock, whileExclusive } = await import(${JSON.stringify(compiled('environmentLock.js'))});
const waitForGo = () => { while (!fs.existsSync(go)) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5); };
if (mode === 'shared') {
  const lock = sharedEnvironmentLock(dir);
  lock.during(() => {
    process.stdout.write('holding\\n');
    waitForGo();
  });
  lock.close();
} else {
  await whileExclusive(dir, async () => {
    process.stdout.write('holding\\n');
    while (!fs.existsSync(go)) await new Promise((r) => setTimeout(r, 5));
  });
}
`;
  let root: string;
  let dir: string;
  let go: string;
  let holder: ChildProcess | undefined;

  beforeEach(() => {
    root = fs.mkdtempSync(nodePath.join(os.tmpdir(), 'ix-envlock-'));
    dir = nodePath.join(root, 'index');
    go = nodePath.join(root, 'go');
    fs.writeFileSync(nodePath.join(root, 'holder.mjs'), holderScript);
  });
  afterEach(async () => {
    fs.writeFileSync(go, '');
    if (holder !== undefined && holder.exitCode === null) await new Promise((r) => holder!.once('exit', r));
    holder = undefined;
    fs.rmSync(root, { recursive: true, force: true });
  });

  /** Start a holder and resolve once it is at its step. */
  const hold = (mode: 'shared' | 'exclusive'): Promise<void> =>
    new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [nodePath.join(root, 'holder.mjs'), mode, dir, go], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      holder = child;
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('holding')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`holder exited (${code}) before holding`)));
    });
  const letGo = async (): Promise<void> => {
    const child = holder!;
    const exited = new Promise((r) => child.once('exit', r));
    fs.writeFileSync(go, '');
    await exited;
    expect(child.exitCode).to.equal(0);
  };

  it('an open waits while another process is inside a write transaction', async () => {
    right(await right(await openLmdbIndex(dir)()).close()());
    await hold('shared');
    const refused = await openLmdbIndex(dir, 0)();
    expect(E.isLeft(refused) && refused.left._tag === 'Io' && refused.left.code).to.equal('EBUSY');
    await letGo();
    const store = right(await openLmdbIndex(dir, 0)());
    right(store.transact('write', (_r, w) => w({ op: 'put', table: 'meta', key: ['after'], value: 1 })));
    expect(right(await store.get('meta', ['after'])())).to.equal(1);
    right(await store.close()());
  });

  it('a write transaction and a close wait while another process opens or closes the index', async () => {
    const store = right(await openLmdbIndex(dir, 0)());
    await hold('exclusive');
    const write = store.transact('try', (_r, w) => w({ op: 'put', table: 'meta', key: ['mine'], value: 2 }));
    expect(E.isLeft(write) && write.left._tag === 'Io' && write.left.code).to.equal('EBUSY');
    const closed = await store.close()();
    expect(E.isLeft(closed) && closed.left._tag === 'Io' && closed.left.code).to.equal('EBUSY');
    await letGo();
    right(store.transact('again', (_r, w) => w({ op: 'put', table: 'meta', key: ['mine'], value: 3 })));
    expect(right(await store.get('meta', ['mine'])())).to.equal(3);
    right(await store.close()());
  });
});
