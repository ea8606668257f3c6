/**
 * Run the CLI in this process and report its own resource use: `node dist/bench/cliPhase.js
 * <command> [args]` is `rollout-engine <command> [args]` (same argv, same module: the bundle, or
 * the entry point `CLI_PHASE_ENGINE` names), and when it
 * exits, one JSON line `{maxRssMB, cpuSeconds, exitCode}` is written to fd 3 (the caller's pipe).
 */
import * as fs from 'node:fs';
import { pathToFileURL } from 'node:url';
import { BUNDLED_CLI } from './bundledCli.js';

process.on('exit', (code) => {
  const ru = process.resourceUsage();
  fs.writeSync(
    3,
    `${JSON.stringify({ maxRssMB: ru.maxRSS / 1024, cpuSeconds: (ru.userCPUTime + ru.systemCPUTime) / 1e6, exitCode: code })}\n`,
  );
});

// The bundle users run (bundledCli.ts), or the entry point CLI_PHASE_ENGINE names (a baseline's);
// a path, not a module tsc compiles, hence the URL.
await import(pathToFileURL(process.env['CLI_PHASE_ENGINE'] ?? BUNDLED_CLI).href);
