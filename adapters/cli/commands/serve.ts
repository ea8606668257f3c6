import type { Command } from 'commander';
import { withHomeOptions } from '../homeOptions.js';
import { lazyAction } from '../lazyAction.js';
import { DEFAULT_MAX_REQUEST_BYTES } from '../../rpc/boundedLines.js';
import { DEFAULT_MAX_QUEUED_PER_KEY, DEFAULT_MAX_REQUESTS_PER_CONNECTION } from '../../rpc/scheduler.js';

/** `rollout-engine serve`: the history API over JSON-RPC on stdio (or WebSocket, `--listen`), answered from the index. */
export const registerServe = (program: Command): void => {
  withHomeOptions(
    program
      .command('serve')
      .description(
        'answer the history API (thread/list, read, turns/list, items/list) and its mutations (thread/fork, revert, rollback, review/start, thread/tokenUsage/read) over JSON-RPC on stdio or WebSocket',
      )
      .option(
        '--listen <url>',
        'transport endpoint, as codex app-server: `stdio://` or `ws://IP:PORT` (GET /readyz, /healthz, /metrics and the viewer at /viewer/ on the same port)',
        'stdio://',
      )
      .option('--ws-auth <mode>', 'authentication of WebSocket connections: capability-token or signed-bearer-token (required off loopback)')
      .option('--ws-token-file <path>', 'the capability-token file')
      .option('--ws-token-sha256 <hex>', 'hex SHA-256 digest of the capability token')
      .option('--ws-shared-secret-file <path>', 'the shared secret (at least 32 bytes) signed JWT bearer tokens are checked with (HS256)')
      .option('--ws-issuer <issuer>', 'expected issuer of signed JWT bearer tokens')
      .option('--ws-audience <audience>', 'expected audience of signed JWT bearer tokens')
      .option('--ws-max-clock-skew-seconds <seconds>', 'clock skew allowed when checking signed JWT bearer tokens (default 30)')
      .option(
        '--metrics-public',
        "with --ws-auth, answer GET /metrics without the bearer token (by default it asks for the one connections use: the metrics tell what clients do); /readyz, /healthz and the viewer's files (which hold no data) are always open",
      )
      .option('--chatgpt-base-url <url>', "the ChatGPT plugin backend (remote plugin install and the startup sync); default: config.toml's chatgpt_base_url")
      .option(
        '--eventstore <url>',
        "the log in EventStoreDB (esdb://…): --codex-home is this node's copy of it, followed and indexed; mutations append to the store and answer once this node has applied them",
      )
      .option('--log-level <level>', 'structured JSON logs on stderr at this level and above: error, warn, info, debug', 'info')
      .option('--gate-wait-ms <ms>', 'how long to wait for another process backfilling the index')
      .option(
        '--max-request-bytes <n>',
        `the largest message a client may send; a longer one is refused without being held (default ${DEFAULT_MAX_REQUEST_BYTES}; 16 MiB on WebSocket)`,
      )
      .option(
        '--max-requests-per-connection <n>',
        `requests one client may have waiting for their answers; one more is answered -32001 "Server overloaded; retry later." (default ${DEFAULT_MAX_REQUESTS_PER_CONNECTION})`,
      )
      .option(
        '--max-queued-per-thread <n>',
        `requests that may wait for one thread behind those running on it; one more is answered -32001 (default ${DEFAULT_MAX_QUEUED_PER_KEY})`,
      ),
    false,
  ).action(lazyAction(() => import('../actions/serve.js')));
};
