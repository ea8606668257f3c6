// One CODEX_HOME written by a spread of older Codex versions, one session each, as a user's home
// holds a year of history: each version's own binary runs `codex exec` against the mock Responses
// API (and `exec resume` where a thread of that era has more than one turn), oldest first.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { codexConfigToml, MOCK_API_KEY_ENV } from './appServer.js';
import { defaultPolicy, MockResponses } from './mockResponses.js';
import type { MockPolicy } from './mockResponses.js';
import { olderCodexBinary } from './olderCodex.js';
import { discoverRollouts, type ThreadRef } from './scenarios.js';
import { sessionTimeMs, setSessionTime } from './sessionTime.js';
import type { ComparedHome } from './historyComparison.js';

const run = promisify(execFile);

/**
 * The versions whose threads are put into one second, the first one's, after the last of them has
 * written its sessions (`intoOneSecond`): a v4 id (0.34.0) and two v7 ids, with session times
 * against their id order. No version up to them writes a state DB (checked when the times are
 * set), so the first that does (0.100.0's backfill, measured by its watermark) takes these threads'
 * rows from the edited files, as it would had they been written so: the DB as left is the versions' own.
 */
export const ONE_SECOND_VERSIONS: readonly string[] = ['0.34.0', '0.40.0', '0.50.0'];

/** Milliseconds into the shared second, by the thread's place in id order: the smallest id latest. */
const ONE_SECOND_OFFSETS: readonly number[] = [900, 500, 100];

/**
 * Puts the threads (id, file) into the first one's second: session times (session_meta and file
 * name, `setSessionTime`) at ONE_SECOND_OFFSETS by id order, so that their id order and time order
 * disagree within the second.
 */
const intoOneSecond = (codexHome: string, threadIds: readonly string[]): void => {
  if (existsSync(join(codexHome, 'state_5.sqlite')))
    throw new Error('a state DB was written before the threads were put into one second');
  const pathOf = (id: string): string => discoverRollouts(codexHome).find((r) => r.threadId === id)!.path;
  const second = Math.floor(sessionTimeMs(pathOf(threadIds[0]!)) / 1000) * 1000;
  const byId = [...threadIds].sort();
  for (const [i, id] of byId.entries()) setSessionTime(pathOf(id), second + ONE_SECOND_OFFSETS[i]!);
  const names = new Set(threadIds.map((id) => pathOf(id).replace(/^.*\/rollout-(.{19}).*$/, '$1')));
  if (names.size !== 1) throw new Error(`the threads put into one second have file names of ${[...names].join(', ')}`);
};

/** Resolves once the wall clock is past the current second. */
const nextSecond = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 1000 - (Date.now() % 1000) + 5));

/**
 * The versions, one per era (0.1.x and 0.8.0 are left out: they write the rollout after answering
 * and exit before it is done, so their files held only the meta line in 2 of 3 builds (0.1.x) or
 * 1, 4 or 5 lines (0.8.0) from one run to the next), of what Codex wrote (docs/codex-source/legacy-turn-fold.md, "Which
 * Codex versions wrote what"), and whether the thread gets a second turn (`exec resume`).
 */
export const OLDER_VERSIONS: ReadonlyArray<{
  readonly version: string;
  readonly era: string;
  readonly resumed: boolean;
  readonly toolTurn: boolean;
}> = [
  { version: '0.20.0', era: 'pre-envelope', resumed: false, toolTurn: false },
  { version: '0.29.0', era: 'pre-envelope', resumed: false, toolTurn: false },
  // 0.34.0's `exec` has no `resume`.
  {
    version: '0.34.0',
    era: 'envelope, no source, no model_provider, turn context tagged by mode',
    resumed: false,
    toolTurn: false,
  },
  {
    version: '0.40.0',
    era: 'envelope, no source, no model_provider, turn context tagged by mode',
    resumed: true,
    toolTurn: true,
  },
  { version: '0.50.0', era: 'source, no model_provider, turn context tagged by mode', resumed: false, toolTurn: true },
  { version: '0.64.0', era: 'implicit turns (no task_started)', resumed: true, toolTurn: true },
  { version: '0.90.0', era: 'implicit turns (no task_started)', resumed: true, toolTurn: true },
  { version: '0.100.0', era: 'task_started / task_complete', resumed: false, toolTurn: true },
  { version: '0.120.0', era: 'task_started / task_complete', resumed: true, toolTurn: true },
  { version: '0.150.0', era: 'paginated history', resumed: false, toolTurn: true },
];

/** The prompt of a tool turn: the mock answers it with the version's own tools (`toolTurnPolicy`). */
export const TOOL_TURN_PROMPT = 'Use tools, ';

/**
 * A tool turn as each era's model would play it, with the tools the version offers in its request
 * (up to 0.90 `shell`, an argv; from 0.100 `exec_command`, a command line): a command, then a plan
 * where `update_plan` is offered (0.50 on), then the closing message.
 */
const toolTurnPolicy: MockPolicy = (request, mock) => {
  if (!(request.lastUserText ?? '').startsWith(TOOL_TURN_PROMPT)) return defaultPolicy(request, mock);
  const offered = new Set(((request.body as { tools?: Array<{ name?: string }> }).tools ?? []).map((t) => t.name));
  const done = request.toolOutputs.length;
  if (done === 0)
    return {
      kind: 'stream',
      output: [
        offered.has('shell')
          ? {
              type: 'toolCall',
              callId: 'call_shell_1',
              name: 'shell',
              arguments: { command: ['bash', '-lc', 'echo from a tool'] },
            }
          : { type: 'functionCall', callId: 'call_exec_1', cmd: 'echo from a tool' },
      ],
    };
  if (done === 1 && offered.has('update_plan'))
    return {
      kind: 'stream',
      output: [
        {
          type: 'toolCall',
          callId: 'call_plan_1',
          name: 'update_plan',
          arguments: {
            explanation: 'Two steps.',
            plan: [
              { step: 'Run the command', status: 'completed' },
              { step: 'Answer', status: 'in_progress' },
            ],
          },
        },
      ],
    };
  return defaultPolicy(request, mock);
};

export interface MultiVersionHome extends ComparedHome {
  /** The version that wrote each thread. */
  readonly versionOf: ReadonlyMap<string, string>;
}

/**
 * Codex's config for the older binaries: the compat one, its model calls to the mock, and their
 * other calls home (the model list 0.90 asks chatgpt.com for) to a closed port.
 */
const olderConfig = (mockPort: number): string =>
  `chatgpt_base_url = "http://127.0.0.1:9"\n${codexConfigToml(mockPort)}`;

/** Builds the home under `<rootDir>/multi-version/`. */
export async function buildMultiVersionHome(rootDir: string): Promise<MultiVersionHome> {
  const base = join(rootDir, 'multi-version');
  const codexHome = join(base, 'home');
  const workDir = join(base, 'work');
  const userHome = join(base, 'user-home');
  for (const dir of [codexHome, workDir, userHome]) mkdirSync(dir, { recursive: true });
  // A git repository with a commit, as users' projects are: the versions that snapshot the work
  // tree before a turn (ghost commits, 0.4x–0.9x) write their ghost_snapshot lines, and metas carry git info.
  const git = (...args: string[]) =>
    run('git', args, {
      cwd: workDir,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: userHome, GIT_CONFIG_NOSYSTEM: '1' },
    });
  await git('init', '-q', '-b', 'main');
  writeFileSync(join(workDir, 'README.txt'), 'a project\n');
  await git('add', 'README.txt');
  await git('-c', 'user.name=compat', '-c', 'user.email=compat@example.invalid', 'commit', '-q', '-m', 'first');
  // Installs first (network-bound, a few at a time), so the sessions below run back to back.
  const binaries = new Map<string, string>();
  for (let i = 0; i < OLDER_VERSIONS.length; i += 4)
    await Promise.all(
      OLDER_VERSIONS.slice(i, i + 4).map(async ({ version }) => binaries.set(version, await olderCodexBinary(version))),
    );
  const mock = await MockResponses.start();
  mock.setPolicy(toolTurnPolicy);
  const threads: ThreadRef[] = [];
  const versionOf = new Map<string, string>();
  try {
    writeFileSync(join(codexHome, 'config.toml'), olderConfig(mock.port));
    const env = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: userHome,
      CODEX_HOME: codexHome,
      [MOCK_API_KEY_ENV]: 'mock-key',
    };
    const codex = async (version: string, args: readonly string[]): Promise<void> => {
      try {
        const exec = run(binaries.get(version)!, ['exec', '--skip-git-repo-check', ...args], {
          cwd: workDir,
          env,
          timeout: 120_000,
          maxBuffer: 16 << 20,
        });
        // Later versions read a prompt's continuation from stdin until it closes.
        exec.child.stdin?.end();
        await exec;
      } catch (error) {
        const e = error as { stderr?: string; message: string };
        throw new Error(`codex ${version} exec ${args.join(' ')} failed: ${e.message}\n${e.stderr ?? ''}`, {
          cause: error,
        });
      }
    };
    for (const { version, resumed, toolTurn } of OLDER_VERSIONS) {
      // Each session starts in a second of its own: which threads share a second is set by
      // `intoOneSecond`, not left to the clock (Codex's file scan orders a second's threads by id,
      // its state DB by millisecond, so a chance second shared would decide what is compared).
      await nextSecond();
      const before = new Set(discoverRollouts(codexHome).map((r) => r.threadId));
      await codex(version, [`Hello from ${version}`]);
      const written = discoverRollouts(codexHome).filter((r) => !before.has(r.threadId));
      if (written.length !== 1) throw new Error(`codex ${version} wrote ${written.length} new threads, expected 1`);
      const threadId = written[0]!.threadId;
      // The answer in the file: the version wrote its whole session (the mock counts answers across these unaddressed requests).
      if (!/Answer #\d+ to \\"Hello from /.test(readFileSync(written[0]!.path, 'utf8')))
        throw new Error(`codex ${version} did not record its answer in ${written[0]!.path}`);
      if (resumed) await codex(version, ['resume', threadId, `Again, ${version}`]);
      if (toolTurn) {
        await codex(version, ['resume', threadId, `${TOOL_TURN_PROMPT}${version}`]);
        // The tool turn happened: the command's call and its output are in the file.
        const lines = readFileSync(written[0]!.path, 'utf8');
        if (
          !/"type":"function_call","(?:id":"[^"]*",")?name":"(?:shell|exec_command)"/.test(lines) ||
          !lines.includes('"type":"function_call_output"')
        )
          throw new Error(`codex ${version} recorded no command call and output in ${written[0]!.path}`);
      }
      threads.push({ id: threadId, label: `written by ${version}` });
      versionOf.set(threadId, version);
      if (version === ONE_SECOND_VERSIONS[ONE_SECOND_VERSIONS.length - 1])
        intoOneSecond(
          codexHome,
          ONE_SECOND_VERSIONS.map((v) => [...versionOf].find(([, w]) => w === v)![0]),
        );
    }
  } finally {
    await mock.stop();
  }
  return { key: 'multi-version', codexHome, workDir, threads, versionOf };
}
