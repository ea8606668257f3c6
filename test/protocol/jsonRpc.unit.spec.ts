import { expect } from 'chai';
import * as E from 'fp-ts/lib/Either.js';
import { RpcMessageFromServer } from '../../protocol/jsonRpc.js';

describe('RpcMessageFromServer: what serve takes from its upstream', () => {
  it('takes a request, a notification and an answer (a null result, an error with data)', () => {
    for (const m of [
      { id: 0, method: 'item/commandExecution/requestApproval', params: {} },
      { id: 'a', method: 'x' },
      { method: 'turn/started', params: { threadId: 't' } },
      { jsonrpc: '2.0', method: 'initialized' },
      { id: 1, result: null },
      { id: 2, result: { account: null } },
      { id: 3, error: { code: -32600, message: 'Invalid request', data: { x: 1 } } },
    ])
      expect(E.isRight(RpcMessageFromServer.decode(m)), JSON.stringify(m)).to.equal(true);
  });

  it('refuses what is not a message: null, a number, an array, a method that is not a string, an id of a wrong type, an answer without result or error, a malformed error', () => {
    for (const m of [
      null,
      5,
      [],
      'text',
      {},
      { method: 5 },
      { id: {}, method: 'x' },
      { id: null, method: 'x' },
      { id: 1.5, result: 1 },
      { id: true, result: null },
      { id: 2 ** 60, result: 1 },
      { id: 1 },
      { id: null, error: { code: -32600, message: 'x' } },
      { id: 2, error: 'bad' },
      { id: 2, error: { code: 1.5, message: 'x' } },
      { id: 2, error: { code: 1 } },
    ])
      expect(E.isLeft(RpcMessageFromServer.decode(m)), JSON.stringify(m)).to.equal(true);
  });
});
