import { expect } from 'chai';
import * as fs from 'node:fs/promises';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as nodePath from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { runAnalytics } from '../../../../adapters/driving/cli/commands/analytics.js';
import type { AnalyticsOptions, DeliverySummary } from '../../../../adapters/driving/cli/commands/analytics.js';
import { ANALYTICS_EVENTS_CAPTURE_FILE_ENV } from '../../../../adapters/driven/analytics/captureSink.js';
import { runEngineCli } from '../../../compat/engineCli.js';
import { useTempDir } from '../../../fixtures/tempDir.js';
import { LEGACY_THREAD, PAGINATED_THREAD, REMOTE_DOCS, buildPluginHome } from '../../../fixtures/pluginHome.js';

interface Received {
  readonly body: unknown;
  readonly contentType: string | undefined;
}

/** A loopback endpoint that answers with `statuses` in turn (then 200) and records every request. */
const endpoint = async (statuses: number[] = []) => {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    let data = '';
    req.on('data', (d: Buffer) => (data += d.toString()));
    req.on('end', () => {
      received.push({ body: JSON.parse(data), contentType: req.headers['content-type'] });
      const status = statuses.shift() ?? 200;
      res
        .writeHead(status, { 'content-type': 'application/json' })
        .end(status === 200 ? '{"ok":true}' : '{"error":"try later"}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/codex/analytics-events/events`;
  return { url, received, close: () => new Promise<void>((r) => server.close(() => r())) };
};

describe('analytics reconstruction and delivery', function () {
  this.timeout(120_000);
  const tmp = useTempDir('analytics-');
  let home: string;
  let indexDir: string;

  before(async () => {
    home = nodePath.join(tmp(), 'home');
    indexDir = nodePath.join(tmp(), 'index');
    await buildPluginHome(home, tmp());
  });

  const run = async (opts: Partial<AnalyticsOptions>): Promise<{ out: string; summary: DeliverySummary | null }> => {
    let out = '';
    const r = await runAnalytics({ codexHome: home, indexDir, retryBaseMs: '1', ...opts }, (s) => (out += s));
    if (E.isLeft(r)) throw new Error(JSON.stringify(r.left));
    return { out, summary: r.right };
  };
  const eventsOf = (out: string) =>
    out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { event_type: string; event_params: Record<string, unknown> });

  it('is deterministic: the same home gives byte-identical JSONL (in process, fresh index, and through the CLI)', async () => {
    const a = await run({});
    const b = await run({});
    const fresh = await run({ indexDir: nodePath.join(tmp(), 'index-2') });
    const cli = await runEngineCli(['analytics', '--codex-home', home, '--index-dir', nodePath.join(tmp(), 'index-3')]);
    expect(a.out.length).to.be.greaterThan(0);
    expect(b.out).to.equal(a.out);
    expect(fresh.out).to.equal(a.out);
    expect(cli.exitCode, cli.stderr).to.equal(0);
    expect(cli.stdout).to.equal(a.out);
  });

  it('reconstructs threads, turns (status, duration, token usage) and plugin events with the telemetry metadata', async () => {
    const events = eventsOf((await run({})).out);
    expect(events.map((e) => e.event_type)).to.deep.equal([
      'codex_plugin_installed', // docs (remote)
      'codex_plugin_installed', // sheets (local)
      'codex_thread_initialized',
      'codex_plugin_used', // docs in p1
      'codex_turn_event', // p1
      'codex_plugin_disabled', // sheets before p2
      'codex_plugin_used', // docs in p2 (once per turn, though mentioned twice)
      'codex_plugin_used', // sheets in p2
      'codex_turn_event', // p2 failed
      'codex_plugin_enabled', // sheets before p3
      'codex_turn_event', // p3 interrupted
      'codex_thread_initialized',
      'codex_plugin_used', // sheets in l1 (legacy link)
      'codex_turn_event', // l1
    ]);
    // The install of a remotely installed plugin is reported as the remote install reported it:
    // the sidecar's backend id as plugin_id. Every other event has normal metadata (local id).
    expect(events[0]!.event_params).to.deep.equal({
      plugin_id: REMOTE_DOCS,
      plugin_name: 'docs',
      marketplace_name: 'openai-curated',
      has_skills: false,
      mcp_server_count: 0,
      connector_ids: [],
      product_client_id: null,
    });
    expect(events[1]!.event_params['plugin_id']).to.equal('sheets@openai-curated');
    expect(events[3]!.event_params).to.include({
      plugin_id: 'docs@openai-curated',
      thread_id: PAGINATED_THREAD,
      turn_id: 'p1',
      model_slug: 'gpt-5',
      product_client_id: 'codex_vscode',
    });
    const turns = events.filter((e) => e.event_type === 'codex_turn_event').map((e) => e.event_params);
    expect(
      turns.map((t) => [
        t['turn_id'],
        t['status'],
        t['turn_error'],
        t['total_tokens'],
        t['duration_ms'],
        t['is_first_turn'],
      ]),
    ).to.deep.equal([
      ['p1', 'completed', null, 1020, 42, true],
      ['p2', 'failed', 'other', 2030, 42, false],
      ['p3', 'interrupted', null, null, 400, false],
      ['l1', 'completed', null, 510, 42, true],
    ]);
    expect(turns[0]).to.include({
      cached_input_tokens: 100,
      reasoning_output_tokens: 5,
      model: 'gpt-5',
      model_provider: 'openai',
      thread_id: PAGINATED_THREAD,
    });
    expect(events[11]!.event_params).to.include({
      thread_id: LEGACY_THREAD,
      initialization_mode: 'new',
      product_client_id: 'codex_cli_rs',
    });
  });

  it('the capture file gets the batched payloads as JSONL (0600) and the endpoint gets nothing', async () => {
    const server = await endpoint();
    try {
      const file = nodePath.join(tmp(), 'capture.jsonl');
      const { out } = await run({});
      const { summary } = await run({ captureFile: file, endpoint: server.url, batchSize: '5' });
      expect(summary).to.include({ sink: 'capture', payloads: 3, events: 14, delivered: 3, failed: 0 });
      const lines = (await fs.readFile(file, 'utf8'))
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { events: unknown[] });
      expect(lines.map((l) => l.events.length)).to.deep.equal([5, 5, 4]);
      expect(lines.flatMap((l) => l.events)).to.deep.equal(eventsOf(out));
      expect((await fs.stat(file)).mode & 0o777).to.equal(0o600);
      expect(server.received).to.deep.equal([]);
    } finally {
      await server.close();
    }
  });

  it('CODEX_ANALYTICS_EVENTS_CAPTURE_FILE suppresses delivery too, also when the capture write fails', async () => {
    const server = await endpoint();
    const unwritable = nodePath.join(tmp(), 'no-such-dir', 'capture.jsonl');
    try {
      const r = await runEngineCli(
        ['analytics', '--codex-home', home, '--index-dir', indexDir, '--endpoint', server.url, '--batch-size', '4'],
        30_000,
        {
          [ANALYTICS_EVENTS_CAPTURE_FILE_ENV]: unwritable,
        },
      );
      expect(r.exitCode).to.equal(1);
      const summary = JSON.parse(r.stdout) as DeliverySummary;
      expect(summary).to.include({ sink: 'capture', payloads: 4, delivered: 0, failed: 4 });
      expect(summary.errors[0]).to.match(/no-such-dir/);
      const flag = await run({ captureFile: unwritable, endpoint: server.url });
      expect(flag.summary).to.include({ sink: 'capture', failed: 1 });
      expect(server.received).to.deep.equal([]);
    } finally {
      await server.close();
    }
  });

  it('without a capture file, payloads are POSTed as JSON, retried with backoff on 5xx', async () => {
    const server = await endpoint([503, 500]);
    try {
      const { out } = await run({});
      const { summary } = await run({ endpoint: server.url, batchSize: '10' });
      expect(summary).to.include({ sink: 'http', payloads: 2, delivered: 2, failed: 0 });
      // First payload: two 5xx then accepted; second: accepted at once.
      expect(server.received.length).to.equal(4);
      expect(server.received[0]!.body).to.deep.equal(server.received[2]!.body);
      expect(server.received.every((r) => r.contentType === 'application/json')).to.equal(true);
      const delivered = [server.received[2]!, server.received[3]!].flatMap(
        (r) => (r.body as { events: unknown[] }).events,
      );
      expect(delivered).to.deep.equal(eventsOf(out));
    } finally {
      await server.close();
    }
  });

  it('gives up after the attempts, and does not retry a 4xx', async () => {
    const failing = await endpoint([500, 500, 500, 400]);
    try {
      const { summary } = await run({ endpoint: failing.url, batchSize: '100', attempts: '3' });
      expect(summary).to.include({ payloads: 1, delivered: 0, failed: 1 });
      expect(summary!.errors[0]).to.match(/gave up after 3 attempts/);
      expect(failing.received.length).to.equal(3);
      const again = await run({ endpoint: failing.url, batchSize: '100', attempts: '3' });
      expect(again.summary!.errors[0]).to.match(/status 400/);
      expect(failing.received.length).to.equal(4);
    } finally {
      await failing.close();
    }
  });

  it('`plugins --json`: the identity projection from sidecars and rollouts', async () => {
    const r = await runEngineCli(['plugins', '--codex-home', home, '--index-dir', indexDir, '--json']);
    expect(r.exitCode, r.stderr).to.equal(0);
    const rows = JSON.parse(r.stdout) as Array<Record<string, unknown>>;
    expect(
      rows.map((x) => [
        x['pluginId'],
        x['remotePluginId'],
        x['installed'],
        x['activeVersion'],
        x['uses'],
        x['threads'],
        x['enabled'],
      ]),
    ).to.deep.equal([
      ['docs@openai-curated', REMOTE_DOCS, true, '1.2.0', 2, 1, null],
      ['sheets@openai-curated', null, true, 'local', 2, 2, true],
    ]);
    const docs = rows[0]!;
    expect(String(docs['firstUsedAt']) < String(docs['lastUsedAt'])).to.equal(true);
  });
});
