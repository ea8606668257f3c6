#!/usr/bin/env -S node --max-semi-space-size=4
import { Command } from 'commander';
import { registerRead } from './commands/read.js';
import { registerIndex } from './commands/buildIndex.js';
import { registerVerify } from './commands/verify.js';
import { registerRepair } from './commands/repair.js';
import { registerServe } from './commands/serve.js';
import { registerThreads } from './commands/threads.js';
import { registerTurns } from './commands/turns.js';
import { registerItems } from './commands/items.js';
import { registerTokens } from './commands/tokens.js';
import { registerPlugins } from './commands/plugins.js';
import { registerAnalytics } from './commands/analytics.js';
import { registerFork } from './commands/fork.js';
import { registerRevert } from './commands/revert.js';
import { registerRollback } from './commands/rollback.js';
import { registerReview } from './commands/review.js';
import { registerTokenUsage } from './commands/tokenUsage.js';

const program = new Command().name('rollout-engine').description('Codex rollouts as an event log: read, index and serve thread history').version('0.1.0');

registerRead(program);
registerThreads(program);
registerTurns(program);
registerItems(program);
registerIndex(program);
registerVerify(program);
registerRepair(program);
registerServe(program);
registerTokens(program);
registerPlugins(program);
registerAnalytics(program);
registerFork(program);
registerRevert(program);
registerRollback(program);
registerReview(program);
registerTokenUsage(program);

await program.parseAsync(process.argv);
