/**
 * `npm run bench -- serveLoad [--size 300MB] [--clients 200] [--seconds 15] [--rates 0,1500] [--no-codex] [--no-writer]`:
 * a server under traffic over WebSocket: `--clients` connections for `--seconds`, 60% `thread/list`,
 * 30% turn / item pages, 10% `thread/read` without turns, over a real-shaped home (bench/realHome.ts),
 * while one writer appends real-shaped turns to the long legacy thread (a copy of its last turn
 * under a fresh turn id, every 100 ms): on ours a client through `rollout/append`, on Codex (which
 * has no append method) another process appending to the file, as a running Codex does.
 * Each of `--rates` is one run, in that order (the closed loop first: a Codex left behind by an
 * open loop is still answering its backlog): a rate R > 0 is an open loop (R requests/s offered in all, each
 * client at its own Poisson arrivals, latency counted from when a request was due: the latency a
 * backend sees at that traffic); 0 is a closed loop (each client one request at a time, back to
 * back: the most the server answers, where by Little's law the latency is clients / throughput).
 * Reported: requests/s, p50 / p99 ms, errors by kind, and the index lag after the last append
 * (from the append to `thread/turns/list` showing its turn). The same runs against
 * `codex app-server --listen ws://` on the same home (warmed with `thread/resume` as bench/pages does).
 * Each run starts with WARMUP_MS of the same traffic, not counted.
 * `--no-writer`: no appends during the load (one after it, for the lag), to see what the writer costs.
 * `--seed N` (or SERVE_LOAD_SEED; default a fresh one, given in the JSON as `seed`): each client's
 * requests, threads and (open loop) arrival gaps are drawn from its own generator seeded from it
 * (test/fixtures/seededRandom.ts), so a run's traffic is the same for ours and Codex, and again
 * with the same seed. (The writer's turn ids and idempotency keys are fresh UUIDs: names only.)
 */
import { serveCommand } from './serveCommand.js';
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { execFileSync } from 'node:child_process';
import { connectWebSocketRpc } from '../test/fixtures/webSocketRpcClient.js';
import { spawnListening } from '../test/fixtures/listeningServer.js';
import { discoverRollouts } from '../test/compat/scenarios.js';
import { buildRealShapedHome } from './realHome.js';
import { parseByteSize } from './byteSize.js';
import { residentSetMb } from './processMemory.js';
import { APPEND_EVERY_MS, loadOn } from './serveLoadRun.js';
import { fileTurnWriter, rpcTurnWriter } from './serveLoadWriters.js';

// long: a bench's run (or its generated data), read top to bottom in the order it runs
export const runServeLoadBench = async (
  size: string,
  clients: number,
  seconds: number,
  withCodex: boolean,
  engine: string,
  appendWhileLoaded = true,
  rates: ReadonlyArray<number> = [0, 1500],
  seed = 1,
): Promise<Record<string, unknown>> => {
  const tmp = fs.mkdtempSync(nodePath.join(os.tmpdir(), 'bench-serve-load-'));
  const children: ChildProcess[] = [];
  try {
    const built = await buildRealShapedHome(nodePath.join(tmp, 'home'), parseByteSize(size));
    const home = built.codexHome;
    const lagThread = built.long.legacy;
    const rollout = discoverRollouts(home).find((r) => r.threadId === lagThread && !r.archived)!.path;
    const indexDir = nodePath.join(tmp, 'index');
    execFileSync(process.execPath, [engine, 'index', '--codex-home', home, '--index-dir', indexDir, '--json'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const threads = [
      ...new Set(
        discoverRollouts(home)
          .filter((r) => !r.archived)
          .map((r) => r.threadId),
      ),
    ];
    const out: Record<string, unknown> = {
      seed,
      home: { size, bytes: built.bytes, files: built.files, threads: built.threads },
      mix: '60% thread/list, 15% turns, 15% items, 10% read',
      appendEveryMs: APPEND_EVERY_MS,
    };

    // At info it says its port (builds before the listener's line was said at every level too: an
    // --engine of an older build); a few hundred lines a run (connections), of which only warnings are shown.
    const command = serveCommand(engine, home, indexDir, '--log-level', 'info');
    const { child: ours, port: ourPort } = await spawnListening(command.file, command.args, {
      env: command.env,
      echo: (line) => !/^\{[^\n]*"level":"(info|debug)"/.test(line),
    });
    children.push(ours);
    const modeName = (rate: number): string => (rate > 0 ? `openLoop${rate}` : 'closedLoop');
    const oursByMode: Record<string, unknown> = {};
    for (const rate of rates)
      oursByMode[modeName(rate)] = await loadOn(
        { name: 'ours', port: ourPort, child: ours },
        clients,
        seconds,
        threads,
        rpcTurnWriter(rollout, lagThread),
        lagThread,
        appendWhileLoaded,
        rate,
        seed,
      );
    out['ours'] = oursByMode;
    // Its resident set at the end of the loads and at its peak (the index's first open included).
    out['oursRssMb'] = residentSetMb(ours.pid!);
    const metrics = await (await fetch(`http://127.0.0.1:${ourPort}/metrics`)).text();
    out['oursMetrics'] = Object.fromEntries(
      metrics
        .split('\n')
        .filter((l) =>
          /^rollout_engine_(ws_peers_dropped_total|rpc_overloads_total|ws_bytes_out_total|connections_total|event_loop_lag_seconds|index_read_repairs_total|index_catch_up_duration_seconds_(sum|count))/.test(
            l,
          ),
        )
        .map((l) => [l.split(' ')[0], Number(l.split(' ')[1])]),
    );
    // A clean shutdown (SIGTERM drains the connections), waited for: a profile is written on exit.
    const exited = new Promise((resolve) => ours.once('exit', resolve));
    ours.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);

    if (withCodex) {
      const { appServerEnv, resolveCodexCommand, writeCodexConfig } = await import('../test/compat/appServer.js');
      writeCodexConfig(home, 9);
      const codex = resolveCodexCommand();
      const { child, port } = await spawnListening(codex.file, [...codex.args, 'app-server'], {
        env: appServerEnv({ codexHome: home, userHome: nodePath.join(tmp, 'user-home') }),
        cwd: built.workDir,
        ms: 60_000,
      });
      children.push(child);
      const warm = await connectWebSocketRpc(`ws://127.0.0.1:${port}`);
      await warm.request('initialize', {
        clientInfo: { name: 'bench', version: '0' },
        capabilities: { experimentalApi: true },
      });
      warm.notify('initialized');
      for (const threadId of [built.long.paginated, built.long.legacy])
        await warm.request('thread/resume', { threadId });
      await warm.request('thread/list', { limit: 25 });
      const codexByMode: Record<string, { requestsPerSecond: number; p99Ms: number }> = {};
      for (const rate of rates)
        codexByMode[modeName(rate)] = await loadOn(
          { name: 'codex', port, child },
          clients,
          seconds,
          threads,
          fileTurnWriter(rollout),
          lagThread,
          appendWhileLoaded,
          rate,
          seed,
        );
      out['codex'] = codexByMode;
      warm.close();
      child.kill('SIGTERM');
      // Ratios per mode: requests answered per second, and Codex's p99 over ours.
      out['oursOverCodex'] = Object.fromEntries(
        rates.map((rate) => {
          const o = oursByMode[modeName(rate)] as { requestsPerSecond: number; p99Ms: number };
          const c = codexByMode[modeName(rate)]!;
          const r2 = (x: number): number => Math.round(x * 100) / 100;
          return [
            modeName(rate),
            {
              requestsPerSecond: r2(o.requestsPerSecond / Math.max(1, c.requestsPerSecond)),
              p99: r2(c.p99Ms / Math.max(0.1, o.p99Ms)),
            },
          ];
        }),
      );
    }
    return out;
  } finally {
    for (const c of children) c.kill('SIGKILL');
    fs.rmSync(tmp, { recursive: true, force: true });
  }
};
