/**
 * Codex-shaped rollouts for the index bench, written into a temporary CODEX_HOME. Line shapes
 * follow what Codex 0.169.0 writes (SPEC-NOTES §4; the chat / tool / compact scenarios of the
 * oracle corpus): a ~20 KB session_meta, many small event lines per turn, model-context
 * response items, 64 KB tool outputs (function_call_output response items, with the command's
 * item_completed in paginated threads and exec_command_end events in legacy ones) and 10 KB
 * `compacted` lines. Deterministic for a seed; sizes are approximate (whole threads).
 */
import * as fs from 'node:fs/promises';
import * as nodePath from 'node:path';
import { seededRandom } from '../test/fixtures/seededRandom.js';
import { prose, uuid7 } from './syntheticText.js';
import { threadText } from './indexThread.js';

export interface GeneratedHome {
  readonly home: string;
  readonly files: number;
  readonly bytes: number;
  readonly lines: number;
  readonly paginated: number;
  readonly legacy: number;
  readonly toolOutputs: number;
  readonly compactions: number;
}

const BASE_INSTRUCTIONS_CHARS = 20_000;
const TOOL_OUTPUT_BYTES = 64 * 1024;

/**
 * The shape of a generated home. The default is the index bench's (64 KB tool outputs: few lines
 * per MB); smaller tool outputs give many more lines and rows per MB (the verify bench's home).
 */
export interface HomeShape {
  readonly toolOutputBytes?: number;
}

/** Write threads into `home/sessions/YYYY/MM/DD/` until about `targetBytes` are written. */
export const generateHome = async (
  home: string,
  targetBytes: number,
  seed = 1,
  shape: HomeShape = {},
): Promise<GeneratedHome> => {
  const rand = seededRandom(seed);
  const shared = { instructions: prose(rand, BASE_INSTRUCTIONS_CHARS) };
  const stats = { lines: 0, tools: 0, compactions: 0 };
  let bytes = 0;
  let files = 0;
  let paginated = 0;
  let legacy = 0;
  let ms = Date.UTC(2026, 0, 1, 9, 0, 0);
  while (bytes < targetBytes) {
    // Most threads are short; a few are long (turn count skewed towards small).
    const turns = 1 + Math.floor(rand() * rand() * rand() * 40);
    const mode = rand() < 0.3 ? 'legacy' : 'paginated';
    ms += 60_000 + Math.floor(rand() * 3_600_000);
    const threadId = uuid7(rand, ms);
    const d = new Date(ms);
    const day = `${d.getUTCFullYear()}/${String(d.getUTCMonth() + 1).padStart(2, '0')}/${String(d.getUTCDate()).padStart(2, '0')}`;
    const stamp = d.toISOString().slice(0, 19).replace(/:/g, '-');
    const dir = nodePath.join(home, 'sessions', day);
    await fs.mkdir(dir, { recursive: true });
    const text = threadText(
      rand,
      { mode, turns, toolOutputBytes: shape.toolOutputBytes ?? TOOL_OUTPUT_BYTES },
      threadId,
      ms,
      shared,
      stats,
    );
    await fs.writeFile(nodePath.join(dir, `rollout-${stamp}-${threadId}.jsonl`), text);
    bytes += Buffer.byteLength(text);
    files += 1;
    if (mode === 'legacy') legacy += 1;
    else paginated += 1;
  }
  return {
    home,
    files,
    bytes,
    lines: stats.lines,
    paginated,
    legacy,
    toolOutputs: stats.tools,
    compactions: stats.compactions,
  };
};
