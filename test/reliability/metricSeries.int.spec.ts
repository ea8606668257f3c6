// Issue 51, finding 4: each overloaded request's raw method name became a metric series of its
// own (200,000 distinct names: 200,000 series, /metrics 15.6 MB). Expected: a method label is a
// name of the protocol's lists, anything else one `other` series. Driven through the real server
// path (`createRpcServer`'s overload refusal feeding `serverMetrics`), every request refused as
// overloaded (a connection allowed no request in flight).
import { expect } from 'chai';
import * as E from 'fp-ts/lib/Either.js';
import type { InputLine } from '../../adapters/driving/rpc/boundedLines.js';
import type { RpcConnection } from '../../adapters/driving/rpc/connection.js';
import { initialize } from '../../adapters/driving/rpc/methods/initialize.js';
import { serverMetrics } from '../../adapters/driving/rpc/metrics.js';
import { serveConnection } from '../../adapters/driving/rpc/server.js';
import { notFound } from '../../domain/errors.js';
import { SERVER_OVERLOADED } from '../../protocol/jsonRpc.js';
import { reportArea } from './areaSummary.js';
import { streamedText } from '../fixtures/streamedText.js';

const NAMES = 10_000;
/** The series one method label can make: the protocol's table and Codex's list are ~100 names; a bound well under the flood. */
const MAX_SERIES = 300;

const figures = { unknownMethodNames: 0, overloadAnswers: 0, overloadSeries: 0, metricsTextKB: 0 };

describe('reliability · metric series: a client naming 10,000 unknown methods adds one label, not 10,000 series', function () {
  this.timeout(120_000);
  after(() => reportArea('metric series', figures));

  it('overloaded requests of 10,000 distinct unknown names: the overload counter has a bounded number of series, the names as `other`', async () => {
    const metrics = serverMetrics({ inFlight: () => 0, queued: () => 0 });
    const lines = [
      { jsonrpc: '2.0', id: 0, method: 'initialize', params: { clientInfo: { name: 'flood', version: '1' } } },
      ...Array.from({ length: NAMES }, (_, i) => ({ jsonrpc: '2.0', id: i + 1, method: `flood/m${i}`, params: {} })),
      { jsonrpc: '2.0', id: NAMES + 1, method: 'thread/list', params: {} },
    ];
    const sent: { id?: unknown; error?: { code: number } }[] = [];
    const connection: RpcConnection = {
      messages: (async function* (): AsyncGenerator<InputLine> {
        for (const l of lines) yield { kind: 'line', bytes: Buffer.from(JSON.stringify(l)) };
      })(),
      maxMessageBytes: 1 << 20,
      send: async (m) => {
        // As the transport writes it (a message already serialized as its text).
        sent.push(JSON.parse(await streamedText(m)) as { id?: unknown; error?: { code: number } });
      },
    };
    await serveConnection(
      connection,
      {
        codexHome: '/nonexistent',
        early: [initialize],
        open: () => Promise.resolve(E.left(notFound('CODEX_HOME', '/nonexistent'))),
      },
      { maxRequestsPerConnection: 0, onOverload: metrics.overloaded },
    );
    const text = await metrics.text();
    metrics.close();
    const series = text.split('\n').filter((l) => l.startsWith('rollout_engine_rpc_overloads_total{'));
    figures.unknownMethodNames = NAMES;
    figures.overloadAnswers = sent.filter((m) => m.error?.code === SERVER_OVERLOADED.code).length;
    figures.overloadSeries = series.length;
    figures.metricsTextKB = Math.round(Buffer.byteLength(text) / 1024);
    expect(figures.overloadAnswers, 'every request after initialize refused as overloaded').to.equal(NAMES + 1);
    expect(series.length, `overload series (first: ${series.slice(0, 3).join(' | ')})`).to.be.at.most(MAX_SERIES);
    expect(series).to.include.members([
      'rollout_engine_rpc_overloads_total{method="other"} 10000',
      'rollout_engine_rpc_overloads_total{method="thread/list"} 1',
    ]);
  });
});
