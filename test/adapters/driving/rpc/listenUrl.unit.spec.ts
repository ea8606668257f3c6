import { expect } from 'chai';
import * as E from 'fp-ts/lib/Either.js';
import { parseListenUrl } from '../../../../adapters/driving/rpc/listenUrl.js';

describe('parseListenUrl: --listen as codex app-server reads it', () => {
  it('takes stdio:// and ws://IP:PORT (IPv4, [IPv6]); refuses host names, other schemes and ports out of range with Codex-like words', () => {
    expect(parseListenUrl('stdio://')).to.deep.equal(E.right({ kind: 'stdio' }));
    expect(parseListenUrl('ws://127.0.0.1:4500')).to.deep.equal(E.right({ kind: 'ws', host: '127.0.0.1', port: 4500 }));
    expect(parseListenUrl('ws://[::1]:0')).to.deep.equal(E.right({ kind: 'ws', host: '::1', port: 0 }));
    for (const bad of ['ws://localhost:4500', 'ws://127.0.0.1', 'ws://127.0.0.1:70000', 'ws://::1:4500'])
      expect(parseListenUrl(bad)).to.deep.equal(
        E.left({
          _tag: 'InvalidArgument',
          field: '--listen',
          reason: `invalid websocket --listen URL \`${bad}\`; expected \`ws://IP:PORT\``,
        }),
      );
    expect(E.isLeft(parseListenUrl('unix://'))).to.equal(true);
  });
});
