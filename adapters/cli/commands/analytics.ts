import type { Command } from 'commander';
import { withHomeOptions } from '../homeOptions.js';
import { lazyAction } from '../lazyAction.js';

export const registerAnalytics = (program: Command): void => {
  withHomeOptions(
    program.command('analytics').description('reconstruct analytics events (threads, turns, token usage, plugins) from rollouts and plugin sidecars'),
    false,
  )
    .option('--capture-file <file>', 'append batched payloads here as JSONL, no network (default: $CODEX_ANALYTICS_EVENTS_CAPTURE_FILE)')
    .option('--endpoint <url>', 'POST batched payloads to this URL (retries 5xx/429 with backoff)')
    .option('--batch-size <n>', 'events per payload (default 100)')
    .option('--attempts <n>', 'HTTP attempts per payload (default 5)')
    .option('--retry-base-ms <ms>', 'first HTTP retry delay, doubling (default 500)')
    .action(lazyAction(() => import('../actions/analytics.js')));
};
