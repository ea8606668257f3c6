// The long fuzz runs' shrunk homes (issue 69): each difference a run found, kept as the home the
// fuzzer writes for it (test/fuzz/fuzzHome.ts, census edits included) and compared on a cold
// codex app-server 0.169.0 and our serve with every history method, as the run compared it. A
// home stays here once its difference is fixed, so the rule it needed cannot come undone.
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FuzzHome } from '../fuzz/fuzzHome.js';
import { compareFuzzHome } from '../fuzz/fuzzSession.js';

interface ShrunkHome {
  /** The run's replay (`npm run fuzz -- --replay <seed:path>`) and what it showed. */
  readonly found: string;
  readonly home: FuzzHome;
}

/** A thread of three turns, the last open, rolled back 2 (the search homes below). */
const SEARCHED_THREAD: FuzzHome['threads'][number] = {
  mode: 'paginated',
  provider: 'openai',
  cwd: '<work>',
  source: 'vscode',
  turns: [
    { user: 'turn 1', answer: 'A', ending: 'complete', command: true, noContext: false },
    { user: 'q', answer: '\u0000\u0007ctl\r\n', ending: 'completeWithError', command: true, noContext: false },
    { user: '\u00e9\u4e2d\u6587\ud834\udd1e \u200b', answer: 'z', ending: 'open', command: true, noContext: false },
  ],
  secondMeta: false,
  rollback: 2,
  tail: 'none',
  paddedLines: false,
  archived: false,
  edits: [],
};

const SHRUNK: readonly ShrunkHome[] = [
  {
    // A first meta whose `timestamp` Codex's state DB cannot read (a Windows path): its row is the
    // file name's (createdAt), and its paginated reads are refused (-32601 `list_turns is not supported yet`).
    found: '20261205:16:0:0:0:0, meta timestamp "C:\\Users\\dev\\project"',
    home: {
      config: 'mock',
      threads: [
        {
          mode: 'paginated',
          provider: 'openai',
          cwd: '<work>',
          source: 'vscode',
          turns: [],
          secondMeta: true,
          rollback: 1,
          tail: 'partial',
          paddedLines: false,
          archived: false,
          edits: [
            { line: 45, field: 4, edge: 10, inItem: false },
            { line: 11, field: 52, edge: 17, inItem: false },
          ],
        },
      ],
      stepSeed: 131304383,
    },
  },
  {
    // The same for an empty `timestamp`, beside three threads Codex reads (thread/items/read refused too).
    found: '20261214:21:0:2:1, meta timestamp ""',
    home: {
      config: 'mock',
      threads: [
        {
          mode: 'paginated',
          provider: 'openai',
          cwd: '<work>',
          source: 'vscode',
          turns: [],
          secondMeta: false,
          rollback: null,
          tail: 'blankLines',
          paddedLines: true,
          archived: true,
          edits: [
            { line: 16, field: 46, edge: 3, inItem: false },
            { line: 61, field: 11, edge: 0, inItem: false },
            { line: 63, field: 16, edge: 4, inItem: false },
          ],
        },
        {
          mode: 'paginated',
          provider: '',
          cwd: '<work>',
          source: { subagent: 'review' },
          turns: [
            { user: '\u{1b1e7}\u241a\u{1d301}', answer: '  padded  ', ending: 'open', command: true, noContext: true },
          ],
          secondMeta: true,
          rollback: 1,
          tail: 'blankLines',
          paddedLines: true,
          archived: false,
          edits: [
            { line: 29, field: 34, edge: 5, inItem: false },
            { line: 22, field: 37, edge: 8, inItem: false },
          ],
        },
        {
          mode: 'paginated',
          provider: '',
          cwd: ' <work>',
          source: { subagent: 'review' },
          turns: [
            {
              user: 'Review the code',
              answer: '  padded  ',
              ending: 'errorThenComplete',
              command: true,
              noContext: false,
            },
            { user: 'turn two', answer: 'answer two', ending: 'complete', command: false, noContext: false },
          ],
          secondMeta: true,
          rollback: null,
          tail: 'junkLine',
          paddedLines: false,
          archived: true,
          edits: [{ line: 55, field: 46, edge: 2, inItem: true }],
        },
        {
          mode: 'paginated',
          provider: 'ollama-local',
          cwd: '<work>',
          source: { subagent: 'review' },
          turns: [],
          secondMeta: false,
          rollback: null,
          tail: 'junkLine',
          paddedLines: true,
          archived: false,
          edits: [
            { line: 14, field: 9, edge: 15, inItem: true },
            { line: 54, field: 31, edge: 4, inItem: false },
          ],
        },
      ],
      stepSeed: 308405742,
    },
  },
  {
    // A first meta Codex refuses (a numeric session_id): its state-DB row is the file name's, with no
    // cwd, so the first turn context's cwd is the thread's (state/src/extract.rs `apply_turn_context`),
    // which a state-DB list's `cwd` filter (a trailing slash) matches.
    found: '20261211:4:0:0:0:0:0:161, cwd filter on a row from the file name',
    home: {
      config: 'mock',
      threads: [
        {
          mode: 'paginated',
          provider: 'openai',
          cwd: '<work>',
          source: { subagent: 'review' },
          turns: [{ user: 'Xi@Qjc_Lw]', answer: 'u', ending: 'completeWithError', command: true, noContext: false }],
          secondMeta: false,
          rollback: 0,
          tail: 'blankLines',
          paddedLines: true,
          archived: false,
          edits: [
            { line: 39, field: 27, edge: 15, inItem: false },
            { line: 14, field: 48, edge: 17, inItem: false },
            { line: 42, field: 17, edge: 16, inItem: false },
          ],
        },
      ],
      stepSeed: 0,
    },
  },
  {
    // A search reconciles each hit in Codex's state DB, the upsert re-dating the row 1 ms past the process's
    // high-water mark; the DB-only lists after it order by that time (followCodexRows).
    found: "20261207:27:1:1, a state-DB list's backwardsCursor after a search",
    home: {
      config: 'openai',
      threads: [SEARCHED_THREAD],
      stepSeed: 1850353886,
    },
  },
  {
    // The same home with a relative cwd: a file-scan list (a provider filter) orders updated_at by the
    // file's mtime, not by the row the search re-dated (`sortMs.scanned`).
    found: "20261207:27:1:59, a file-scan list's backwardsCursor after a search",
    home: { config: 'openai', threads: [{ ...SEARCHED_THREAD, cwd: 'relative/project' }], stepSeed: 1850339769 },
  },
  {
    // A first meta's empty originator: the row takes the second meta's, on reads and lists.
    found: '20261127:59:0:1:1:0, meta originator ""',
    home: {
      config: 'mock',
      threads: [
        {
          mode: 'paginated',
          provider: 'openai',
          cwd: '<work>',
          source: 'vscode',
          turns: [
            {
              user: 'Review the code',
              answer:
                '\ua1cda\u0306\u0301\ud834\udf22\ud83a\udc7a\ud83a\udd34\ud81a\udcbc\ud81a\udc0b\ud838\udec8\ud83e\udd8b',
              ending: 'completeWithError',
              command: false,
              noContext: true,
            },
          ],
          secondMeta: true,
          rollback: null,
          tail: 'junkLine',
          paddedLines: false,
          archived: false,
          edits: [{ line: 55, field: 60, edge: 4, inItem: false }],
        },
      ],
      stepSeed: 531522416,
    },
  },
  {
    // A paginated item completed at 0 ms: completedAtMs null (thread_history_projection.rs).
    found: '20261128:19:0:0:33, item_completed.completed_at_ms = 0',
    home: {
      config: 'mock',
      threads: [
        {
          mode: 'paginated',
          provider: null,
          cwd: '<work>',
          source: 'vscode',
          turns: [{ user: 'turn 1', answer: 'Sub-agent', ending: 'complete', command: false, noContext: false }],
          secondMeta: false,
          rollback: null,
          tail: 'junkLine',
          paddedLines: false,
          archived: false,
          edits: [
            { line: 57, field: 11, edge: 11, inItem: true },
            { line: 7, field: 24, edge: 13, inItem: false },
            { line: 36, field: 46, edge: 2, inItem: false },
          ],
        },
      ],
      stepSeed: 19,
    },
  },
  {
    // A legacy thread with no preview read without its turns: the state DB's row, its threadSource too.
    found: "20261129:276:0:3, a no-preview legacy thread's threadSource",
    home: {
      config: 'mock',
      threads: [
        {
          mode: 'legacy',
          provider: 'openai',
          cwd: ' <work>',
          source: { subagent: 'review' },
          turns: [],
          secondMeta: false,
          rollback: null,
          tail: 'partial',
          paddedLines: false,
          archived: true,
          edits: [
            { line: 45, field: 36, edge: 9, inItem: false },
            { line: 3, field: 52, edge: 9, inItem: true },
          ],
        },
        {
          mode: 'legacy',
          provider: ' openai ',
          cwd: '<work>',
          source: { subagent: 'review' },
          turns: [
            { user: "'ux", answer: 'turn 1', ending: 'open', command: false, noContext: false },
            {
              user: '3',
              answer: '\u00e9\u4e2d\u6587\ud834\udd1e \u200b',
              ending: 'aborted',
              command: true,
              noContext: false,
            },
            { user: 'NS', answer: 'Review the code', ending: 'open', command: false, noContext: true },
          ],
          secondMeta: false,
          rollback: 0,
          tail: 'none',
          paddedLines: false,
          archived: true,
          edits: [],
        },
        {
          mode: 'legacy',
          provider: ' openai ',
          cwd: 'relative/project',
          source: 'mcp',
          turns: [
            {
              user: '0',
              answer:
                'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
              ending: 'open',
              command: false,
              noContext: false,
            },
            {
              user: '\u00e9\u4e2d\u6587\ud834\udd1e \u200b',
              answer: '',
              ending: 'open',
              command: false,
              noContext: true,
            },
            { user: '*)~0<rT', answer: '  padded  ', ending: 'open', command: false, noContext: true },
          ],
          secondMeta: false,
          rollback: 1,
          tail: 'blankLines',
          paddedLines: false,
          archived: true,
          edits: [],
        },
      ],
      stepSeed: 639469080,
    },
  },
  {
    // A search's own answer after Codex's reconcile re-dated its hit: ours, asked after Codex, follows the row it wrote.
    found: "20261140:232:2:0:1, a search's backwardsCursor on the row it re-dated",
    home: {
      config: 'mock',
      threads: [
        {
          mode: 'paginated',
          provider: 'mock',
          cwd: 'relative/project',
          source: { subagent: 'review' },
          turns: [
            { user: 'turn 1', answer: '', ending: 'open', command: false, noContext: true },
            {
              user: '\ud806\udcaa\ud83d\udd4c\ud82c\udd1b\u1456\ud836\udc58\ud83e\udda8\ufad0\ud83e\uddc2\u04cf\ud83b\udea7',
              answer: 'turn 1',
              ending: 'aborted',
              command: false,
              noContext: true,
            },
            {
              user: "x;'^f2p+",
              answer:
                'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
              ending: 'complete',
              command: true,
              noContext: true,
            },
          ],
          secondMeta: false,
          rollback: 0,
          tail: 'junkLine',
          paddedLines: false,
          archived: true,
          edits: [{ line: 13, field: 5, edge: 1, inItem: false }],
        },
        {
          mode: 'legacy',
          provider: 'ollama',
          cwd: ' <work>',
          source: 'unknown_source_x',
          turns: [],
          secondMeta: false,
          rollback: null,
          tail: 'partial',
          paddedLines: true,
          archived: false,
          edits: [
            { line: 50, field: 22, edge: 16, inItem: false },
            { line: 56, field: 18, edge: 12, inItem: true },
          ],
        },
      ],
      stepSeed: 145012704,
    },
  },
  {
    // Metas whose originators are all empty (the first one refused for its `timestamp: -1`): Codex's row
    // holds none, and its reads answer null (projections/threadRows.ts).
    found: '20261150:4:0:3, a refused first meta, the second\'s originator ""',
    home: {
      config: 'mock',
      threads: [
        {
          mode: 'legacy',
          provider: 'openai',
          cwd: '<work>/',
          source: 'mcp',
          turns: [],
          secondMeta: true,
          rollback: null,
          tail: 'none',
          paddedLines: false,
          archived: true,
          edits: [
            { line: 27, field: 60, edge: 4, inItem: false },
            { line: 40, field: 39, edge: 11, inItem: false },
            { line: 4, field: 4, edge: 14, inItem: false },
          ],
        },
        {
          mode: 'paginated',
          provider: 'mock',
          cwd: '\\\\server\\share\\project',
          source: 'cli',
          turns: [
            {
              user: '  padded  ',
              answer: '\ud834\uddb9\ud834\udd65\ud834\udd6f\ud801\ude3e\uf908',
              ending: 'errorThenComplete',
              command: true,
              noContext: true,
            },
          ],
          secondMeta: false,
          rollback: 2,
          tail: 'none',
          paddedLines: false,
          archived: true,
          edits: [],
        },
        {
          mode: 'paginated',
          provider: 'openai',
          cwd: 'C:\\Users\\dev\\project',
          source: 'mcp',
          turns: [
            {
              user: '\ud83c\ude15\ud836\udcaa\u129a\ud804\udd3f\u04e9\u0308\ud806\ude9a\ua5aa\ua5dc',
              answer: '\u00e9\u4e2d\u6587\ud834\udd1e \u200b',
              ending: 'completeWithError',
              command: false,
              noContext: false,
            },
          ],
          secondMeta: false,
          rollback: 4,
          tail: 'blankLines',
          paddedLines: false,
          archived: true,
          edits: [],
        },
      ],
      stepSeed: 27,
    },
  },
  {
    // A paginated thread whose one meta's originator is empty: null on every list and read (the
    // 20261150:4:0:3 class on a thread Codex lists; measured with the fuzzer's home writer).
    found: '20261150:4:0:3 (its second thread), one meta with originator ""',
    home: {
      config: 'mock',
      threads: [
        {
          mode: 'paginated',
          provider: 'mock',
          cwd: '\\\\server\\share\\project',
          source: 'cli',
          turns: [
            {
              user: '  padded  ',
              answer: '\ud834\uddb9\ud834\udd65\ud834\udd6f\ud801\ude3e\uf908',
              ending: 'errorThenComplete',
              command: true,
              noContext: true,
            },
          ],
          secondMeta: false,
          rollback: null,
          tail: 'none',
          paddedLines: false,
          archived: false,
          edits: [{ line: 0, field: 60, edge: 4, inItem: false }],
        },
      ],
      stepSeed: 27,
    },
  },
  {
    // A first meta refused for its `timestamp: -1`, a second whose `history_mode` is "": Codex refuses
    // the thread's reads by the second's mode (domain/rollout/event.ts codexMetaRefusal).
    found: '20261150:4:0:17, a refused first meta, the second\'s history_mode ""',
    home: {
      config: 'mock',
      threads: [
        {
          mode: 'legacy',
          provider: 'ollama-local',
          cwd: '<work>/',
          source: 'mcp',
          turns: [],
          secondMeta: true,
          rollback: null,
          tail: 'none',
          paddedLines: false,
          archived: true,
          edits: [
            { line: 27, field: 45, edge: 4, inItem: false },
            { line: 40, field: 39, edge: 11, inItem: false },
            { line: 4, field: 4, edge: 14, inItem: false },
          ],
        },
        {
          mode: 'paginated',
          provider: 'mock',
          cwd: '\\\\server\\share\\project',
          source: 'cli',
          turns: [
            {
              user: '  padded  ',
              answer: '\ud834\uddb9\ud834\udd65\ud834\udd6f\ud801\ude3e\uf908',
              ending: 'errorThenComplete',
              command: true,
              noContext: true,
            },
          ],
          secondMeta: false,
          rollback: 2,
          tail: 'none',
          paddedLines: false,
          archived: true,
          edits: [],
        },
        {
          mode: 'paginated',
          provider: 'openai',
          cwd: 'C:\\Users\\dev\\project',
          source: 'mcp',
          turns: [
            {
              user: '\ud83c\ude15\ud836\udcaa\u129a\ud804\udd3f\u04e9\u0308\ud806\ude9a\ua5aa\ua5dc',
              answer: '\u00e9\u4e2d\u6587\ud834\udd1e \u200b',
              ending: 'completeWithError',
              command: false,
              noContext: false,
            },
          ],
          secondMeta: false,
          rollback: 4,
          tail: 'blankLines',
          paddedLines: false,
          archived: true,
          edits: [],
        },
      ],
      stepSeed: 27,
    },
  },
  {
    // A legacy thread whose first meta's id is `true`: keyed by its file name's id, as Codex finds it;
    // its item reads are the legacy deviation (the compare had keyed it by the meta's id).
    found: '20261151:9:0:1:2, a legacy thread whose meta id is true',
    home: {
      config: 'mock',
      threads: [
        {
          mode: 'legacy',
          provider: 'openai',
          cwd: '<work>/',
          source: { subagent: 'review' },
          turns: [],
          secondMeta: true,
          rollback: 2,
          tail: 'partial',
          paddedLines: true,
          archived: true,
          edits: [
            { line: 50, field: 44, edge: 9, inItem: true },
            { line: 21, field: 1, edge: 17, inItem: false },
            { line: 41, field: 9, edge: 7, inItem: false },
          ],
        },
        {
          mode: 'legacy',
          provider: 'ollama',
          cwd: '<work>/',
          source: 'cli',
          turns: [
            {
              user: '\ud82f\udc24\ud82f\udc78\ud87e\udd20\ua0b8\ud808\udcbd\ud83d\udc85\u0481\ud808\udf3d',
              answer: '\ud823\udc43\ud834\uddc8\u13f4\ud833\udf55',
              ending: 'complete',
              command: false,
              noContext: false,
            },
            {
              user: 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
              answer: 'g"',
              ending: 'errorThenComplete',
              command: true,
              noContext: true,
            },
            {
              user: '%Lr+kp',
              answer:
                '\ud833\udf59\ud806\udeb9\ua9e3\u091c\ud835\udf6a\ud808\udd5a\ud834\udf27\ud823\udc44\ud82c\udc5b\ua73d',
              ending: 'errorThenComplete',
              command: true,
              noContext: false,
            },
          ],
          secondMeta: false,
          rollback: 1,
          tail: 'nul',
          paddedLines: true,
          archived: false,
          edits: [
            { line: 61, field: 10, edge: 10, inItem: false },
            { line: 6, field: 9, edge: 14, inItem: true },
          ],
        },
      ],
      stepSeed: 4,
    },
  },
  {
    // A paginated turn_aborted whose turn_id is "": a turn of its own, interrupted, no items
    // (domain/thread/turnRules.ts turnAborted).
    found: '20261152:20:0:0:0:0:0, a paginated turn_aborted naming the turn ""',
    home: {
      config: 'mock',
      threads: [
        {
          mode: 'paginated',
          provider: 'openai',
          cwd: '<work>',
          source: 'vscode',
          turns: [
            {
              user: '\ud800\udd18\u2dca\ud811\ude10\ud803\udfc8\ua8d7\u12f7\ud83e\udff2\u1455\ud801\uded2',
              answer: 'lJY,',
              ending: 'aborted',
              command: true,
              noContext: true,
            },
            {
              user: '\ud80c\udeda\u2832\u08a2\ufc4b\ud83b\udca2\u0443\u0306',
              answer: '\u320b\ud806\udcff\u1a80\ud807\udfe6',
              ending: 'open',
              command: false,
              noContext: false,
            },
            { user: 'BhdH0)', answer: 'hDA5T.(#m|', ending: 'completeWithError', command: false, noContext: true },
          ],
          secondMeta: false,
          rollback: null,
          tail: 'none',
          paddedLines: true,
          archived: false,
          edits: [
            { line: 42, field: 44, edge: 5, inItem: false },
            { line: 36, field: 21, edge: 18, inItem: false },
            { line: 10, field: 48, edge: 4, inItem: false },
          ],
        },
      ],
      stepSeed: 21,
    },
  },
  {
    // A first meta whose `timestamp` is no RFC 3339 time ("unknown_variant_x"): Codex's file scan
    // answers createdAt, and the created_at backwards cursor, as the time of the request
    // (thread-store `stored_thread_from_rollout_item`: `Utc::now()`); its state DB the file name's.
    found: '20261130:25:2:0, file-scan createdAt of an unreadable meta timestamp',
    home: {
      config: 'mock',
      threads: [
        {
          mode: 'paginated',
          provider: 'openai',
          cwd: '<work>',
          source: 'vscode',
          turns: [{ user: '/H1ZP', answer: 's', ending: 'errorThenComplete', command: true, noContext: false }],
          secondMeta: true,
          rollback: 3,
          tail: 'nul',
          paddedLines: false,
          archived: false,
          edits: [
            { line: 37, field: 17, edge: 11, inItem: true },
            { line: 30, field: 31, edge: 5, inItem: false },
            { line: 62, field: 10, edge: 4, inItem: false },
          ],
        },
        {
          mode: 'paginated',
          provider: 'ollama',
          cwd: '<work>',
          source: 'vscode',
          turns: [
            {
              user: '\u0000\u0007ctl\r\n',
              answer: 'Sub-agent',
              ending: 'completeWithError',
              command: false,
              noContext: true,
            },
          ],
          secondMeta: true,
          rollback: 0,
          tail: 'blankLines',
          paddedLines: true,
          archived: true,
          edits: [
            { line: 29, field: 12, edge: 2, inItem: false },
            { line: 17, field: 29, edge: 18, inItem: false },
          ],
        },
      ],
      stepSeed: 166308597,
    },
  },
  {
    // The same for a legacy thread's read without turns (meta `timestamp` ""): createdAt and
    // updatedAt the time of the request (thread-store `read_thread`, the rollout's thread).
    found: '20261153:222:0:0:1:1, legacy read createdAt/updatedAt of an empty meta timestamp',
    home: {
      config: 'mock',
      threads: [
        {
          mode: 'legacy',
          provider: 'openai',
          cwd: '<work>',
          source: 'mcp',
          turns: [
            { user: 'P Fl;d+Y<w', answer: 'Review the code', ending: 'aborted', command: false, noContext: false },
            { user: 'B!8N', answer: '{', ending: 'errorThenComplete', command: false, noContext: true },
            { user: "I8'8A2O", answer: '[NT=^', ending: 'aborted', command: true, noContext: false },
          ],
          secondMeta: true,
          rollback: 1,
          tail: 'blankLines',
          paddedLines: true,
          archived: true,
          edits: [
            { line: 0, field: 4, edge: 4, inItem: false },
            { line: 44, field: 32, edge: 17, inItem: false },
            { line: 49, field: 30, edge: 6, inItem: false },
          ],
        },
      ],
      stepSeed: 1508714300,
    },
  },
  {
    // A legacy turn_aborted naming a turn the file does not have ("turn-0-1", its task_started's
    // turn_id edited to "  padded  "): the open turn, opened by its task_started, is interrupted
    // with completedAt and durationMs null; an implicit turn, or an abort naming none, takes them.
    found: '20261160:201:3, legacy abort naming another turn',
    home: {
      config: 'mock',
      threads: [
        {
          mode: 'legacy',
          provider: 'openai',
          cwd: '\\\\server\\share\\project',
          source: 'unknown_source_x',
          turns: [
            { user: '', answer: 'turn 1', ending: 'complete', command: true, noContext: true },
            { user: '<-QG0', answer: '', ending: 'aborted', command: true, noContext: true },
          ],
          secondMeta: false,
          rollback: 0,
          tail: 'none',
          paddedLines: false,
          archived: false,
          edits: [
            { line: 46, field: 13, edge: 0, inItem: true },
            { line: 53, field: 14, edge: 6, inItem: false },
          ],
        },
        {
          mode: 'paginated',
          provider: 'ollama',
          cwd: ' <work>',
          source: 'unknown_source_x',
          turns: [],
          secondMeta: false,
          rollback: 2,
          tail: 'junkLine',
          paddedLines: false,
          archived: false,
          edits: [{ line: 36, field: 62, edge: 3, inItem: true }],
        },
        {
          mode: 'paginated',
          provider: ' openai ',
          cwd: '<work>/',
          source: 'cli',
          turns: [],
          secondMeta: false,
          rollback: 4,
          tail: 'partial',
          paddedLines: true,
          archived: false,
          edits: [{ line: 63, field: 32, edge: 14, inItem: false }],
        },
      ],
      stepSeed: 1985625950,
    },
  },
  {
    // A paginated command item whose `item_completed` has no `completed_at_ms`: Codex keeps its
    // output on a deferOutput page (an MCP call the same: deferredOutputs.int).
    found: '20261161:143:0:1:0:1, deferOutput of an item without its completion time',
    home: {
      config: 'mock',
      threads: [
        {
          mode: 'paginated',
          provider: 'openai',
          cwd: 'relative/project',
          source: 'cli',
          turns: [
            { user: '', answer: ' 1xg', ending: 'open', command: true, noContext: true },
            { user: 'o42i+', answer: '#:7<', ending: 'open', command: false, noContext: false },
          ],
          secondMeta: false,
          rollback: null,
          tail: 'nul',
          paddedLines: true,
          archived: false,
          edits: [
            { line: 42, field: 54, edge: 0, inItem: false },
            { line: 4, field: 5, edge: 17, inItem: false },
          ],
        },
        {
          mode: 'paginated',
          provider: 'openai',
          cwd: ' <work>',
          source: 'unknown_source_x',
          turns: [
            {
              user: 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
              answer: ']',
              ending: 'open',
              command: true,
              noContext: false,
            },
            { user: '\ud836\udd08\ud87e\udda4\ua1f2', answer: '', ending: 'open', command: true, noContext: false },
          ],
          secondMeta: true,
          rollback: null,
          tail: 'junkLine',
          paddedLines: true,
          archived: true,
          edits: [
            { line: 19, field: 31, edge: 15, inItem: true },
            { line: 47, field: 47, edge: 7, inItem: false },
            { line: 38, field: 25, edge: 16, inItem: false },
          ],
        },
      ],
      stepSeed: 2147483634,
    },
  },
  {
    // One meta whose `history_mode` Codex does not know and whose `forked_from_ordinal_exclusive`
    // is -1: Codex refuses the reads by the mode, asked of the line's JSON before any meta is read.
    found: '20261170:520:0:3, a refused meta refused by its mode first',
    home: {
      config: 'mock',
      threads: [
        {
          mode: 'legacy',
          provider: 'openai',
          cwd: 'relative/project',
          source: 'cli',
          turns: [],
          secondMeta: false,
          rollback: null,
          tail: 'nul',
          paddedLines: false,
          archived: false,
          edits: [
            { line: 52, field: 45, edge: 7, inItem: false },
            { line: 23, field: 23, edge: 14, inItem: false },
            { line: 22, field: 52, edge: 6, inItem: true },
          ],
        },
        {
          mode: 'paginated',
          provider: 'ollama-local',
          cwd: ' <work>',
          source: { subagent: 'review' },
          turns: [{ user: '  padded  ', answer: '', ending: 'aborted', command: false, noContext: false }],
          secondMeta: true,
          rollback: 1,
          tail: 'blankLines',
          paddedLines: true,
          archived: false,
          edits: [],
        },
        {
          mode: 'paginated',
          provider: 'ollama',
          cwd: 'relative/project',
          source: 'cli',
          turns: [
            {
              user: '\u00e9\u4e2d\u6587\ud834\udd1e \u200b',
              answer:
                'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
              ending: 'open',
              command: true,
              noContext: true,
            },
            { user: 'E`)M>3', answer: '  padded  ', ending: 'complete', command: true, noContext: true },
          ],
          secondMeta: false,
          rollback: 1,
          tail: 'none',
          paddedLines: false,
          archived: false,
          edits: [{ line: 36, field: 48, edge: 5, inItem: true }],
        },
        {
          mode: 'paginated',
          provider: '',
          cwd: ' <work>',
          source: 'vscode',
          turns: [],
          secondMeta: false,
          rollback: 2,
          tail: 'blankLines',
          paddedLines: true,
          archived: false,
          edits: [{ line: 28, field: 24, edge: 0, inItem: true }],
        },
      ],
      stepSeed: 954250443,
    },
  },
  {
    // A first meta Codex refuses (`context_window: 0`), a user message, then a meta it reads on the
    // file's 10th line: its file scan lists the thread by that meta (its reads stay refused).
    found: "20261171:158:0:0:1:1, a refused first meta, a later one in the file scan's head",
    home: {
      config: 'mock',
      threads: [
        {
          mode: 'paginated',
          provider: null,
          cwd: '<work>',
          source: 'vscode',
          turns: [
            { user: 'iC', answer: '%,*mf[', ending: 'open', command: false, noContext: true },
            { user: 'O#jc', answer: 'x', ending: 'complete', command: true, noContext: false },
            { user: ';VZ?&', answer: 'x'.repeat(3000), ending: 'errorThenComplete', command: true, noContext: true },
          ],
          secondMeta: true,
          rollback: 0,
          tail: 'blankLines',
          paddedLines: true,
          archived: false,
          edits: [
            { line: 60, field: 8, edge: 3, inItem: false },
            { line: 62, field: 49, edge: 13, inItem: false },
          ],
        },
      ],
      stepSeed: 1159727791,
    },
  },
  {
    // An archived thread whose first meta Codex refuses (no `cwd`) and whose second holds a 5,000-character
    // `cwd`: Codex's row, taken from the file, holds `updated_at_ms` 2 ms past the mtime by its allocation.
    found: "20261180:33:0:0:0:1, a backfilled row whose updated_at Codex's allocation moved past its recency_at",
    home: {
      config: 'mock',
      threads: [
        {
          mode: 'paginated',
          provider: '',
          cwd: '<work>',
          source: 'cli',
          turns: [],
          secondMeta: true,
          rollback: 2,
          tail: 'blankLines',
          paddedLines: false,
          archived: true,
          edits: [
            { line: 4, field: 32, edge: 9, inItem: false },
            { line: 3, field: 5, edge: 0, inItem: false },
          ],
        },
      ],
      stepSeed: 201085163,
    },
  },
  {
    // The second meta (the one Codex reads) holds a `timestamp` it cannot parse: its state DB's row is
    // built from the file name, with no history mode, and its state-DB lists answer "legacy".
    found: '20261180:33:0:0:0:19, a state-DB row built from the file name: no history mode',
    home: {
      config: 'mock',
      threads: [
        {
          mode: 'paginated',
          provider: '',
          cwd: ' <work>',
          source: 'cli',
          turns: [],
          secondMeta: true,
          rollback: 2,
          tail: 'blankLines',
          paddedLines: false,
          archived: true,
          edits: [
            { line: 4, field: 31, edge: 9, inItem: false },
            { line: 3, field: 5, edge: 0, inItem: false },
          ],
        },
      ],
      stepSeed: 201085163,
    },
  },
  {
    // A meta without a provider: Codex's file scan answers its state DB row's (a settings line's `openai`).
    found: '20261181:99:0:0:0:0:1, a meta with model_provider null, a settings line naming openai',
    home: {
      config: 'mock',
      threads: [
        {
          mode: 'paginated',
          provider: 'openai',
          cwd: '<work>',
          source: 'vscode',
          turns: [
            {
              user: '*]yG',
              answer:
                '\ud809\udcde\u0511\u2782\ud801\udc7d\ud839\udfe0\ua99c\ud804\udd5d\ud807\udc8d\u23cc\ud80c\udd0a',
              ending: 'complete',
              command: true,
              noContext: true,
            },
            { user: 'k', answer: 'liPT0mMO}p', ending: 'open', command: true, noContext: false },
          ],
          secondMeta: false,
          rollback: null,
          tail: 'partial',
          paddedLines: false,
          archived: true,
          edits: [
            { line: 23, field: 28, edge: 4, inItem: true },
            { line: 0, field: 13, edge: 1, inItem: false },
          ],
        },
      ],
      stepSeed: 1569767748,
    },
  },
  {
    // An archived thread whose first meta Codex refuses (`runtime_workspace_roots` a string) and whose
    // rollback it refuses too (`num_turns: null`): no line it decodes, so its state DB keeps no row.
    found: '20261190:467:2:2, a file with no line Codex decodes: no state-DB row',
    home: {
      config: 'unnamed',
      threads: [
        {
          mode: 'paginated',
          provider: ' openai ',
          cwd: 'relative/project',
          source: 'unknown_source_x',
          turns: [],
          secondMeta: false,
          rollback: 2,
          tail: 'nul',
          paddedLines: false,
          archived: true,
          edits: [
            { line: 26, field: 52, edge: 11, inItem: false },
            { line: 19, field: 29, edge: 1, inItem: false },
            { line: 16, field: 30, edge: 2, inItem: true },
          ],
        },
        {
          mode: 'paginated',
          provider: 'mock',
          cwd: '\\\\server\\share\\project',
          source: 'unknown_source_x',
          turns: [{ user: 'YaRwR', answer: '', ending: 'aborted', command: false, noContext: false }],
          secondMeta: true,
          rollback: null,
          tail: 'junkLine',
          paddedLines: true,
          archived: false,
          edits: [
            { line: 13, field: 7, edge: 1, inItem: false },
            { line: 57, field: 10, edge: 0, inItem: false },
            { line: 16, field: 18, edge: 2, inItem: true },
          ],
        },
        {
          mode: 'legacy',
          provider: 'mock',
          cwd: ' <work>',
          source: { subagent: 'review' },
          turns: [
            {
              user: 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
              answer: '\u0000\u0007ctl\r\n',
              ending: 'errorThenComplete',
              command: true,
              noContext: false,
            },
          ],
          secondMeta: false,
          rollback: 4,
          tail: 'partial',
          paddedLines: false,
          archived: false,
          edits: [
            { line: 34, field: 50, edge: 16, inItem: true },
            { line: 21, field: 31, edge: 9, inItem: false },
          ],
        },
      ],
      stepSeed: 173655675,
    },
  },
  {
    // A paginated command item without `exit_code`: Codex keeps its output on a `deferOutput` page.
    found: '20261200:34:0:2:1, a command without exit code keeps its output',
    home: {
      config: 'mock',
      threads: [
        {
          mode: 'paginated',
          provider: 'openai',
          cwd: '<work>',
          source: 'vscode',
          turns: [
            { user: 'kc3P', answer: 'Sub-agent', ending: 'open', command: false, noContext: false },
            { user: '\u0000\u0007ctl\r\n', answer: 'JlL?LA-Se', ending: 'complete', command: true, noContext: false },
            { user: 'Z', answer: 'Sub-agent', ending: 'aborted', command: true, noContext: false },
          ],
          secondMeta: true,
          rollback: null,
          tail: 'none',
          paddedLines: false,
          archived: false,
          edits: [{ line: 47, field: 13, edge: 0, inItem: true }],
        },
        {
          mode: 'paginated',
          provider: 'openai',
          cwd: 'relative/project',
          source: 'mcp',
          turns: [
            { user: '', answer: 'turn 1', ending: 'complete', command: true, noContext: false },
            {
              user: '-R>r_8Sd',
              answer: '\u0000\u0007ctl\r\n',
              ending: 'completeWithError',
              command: false,
              noContext: false,
            },
          ],
          secondMeta: true,
          rollback: 0,
          tail: 'none',
          paddedLines: false,
          archived: false,
          edits: [{ line: 58, field: 11, edge: 16, inItem: false }],
        },
        {
          mode: 'paginated',
          provider: null,
          cwd: ' <work>',
          source: { subagent: 'review' },
          turns: [
            { user: 'QZW', answer: '  padded  ', ending: 'open', command: false, noContext: false },
            { user: 'ezd6]@', answer: '', ending: 'completeWithError', command: true, noContext: false },
          ],
          secondMeta: true,
          rollback: 4,
          tail: 'junkLine',
          paddedLines: false,
          archived: true,
          edits: [],
        },
      ],
      stepSeed: 2147483624,
    },
  },
  {
    // A first line whose envelope Codex cannot decode (its `timestamp` a number): the thread is still
    // its name's, and every read is refused with the meta Codex could not read (-32603 `rollout at
    // <path> is empty`, wrapped once more for the rollback it reads); we had no thread ("thread not
    // loaded", adapters/driven/jsonl/readers/probe.ts `identityOf`).
    found: "927396124:13:0:1:1, the meta line's timestamp 1700000000",
    home: {
      config: 'mock',
      threads: [
        {
          mode: 'legacy',
          provider: 'openai',
          cwd: '<work>',
          source: 'vscode',
          turns: [],
          secondMeta: false,
          rollback: 1,
          tail: 'partial',
          paddedLines: false,
          archived: false,
          edits: [{ line: 27, field: 19, edge: 16, inItem: true }],
          timeEdits: [
            { line: 46, time: 11, withoutStart: false },
            { line: 11, time: 2, withoutStart: true },
          ],
        },
      ],
      stepSeed: 1171544218,
    },
  },
];

describe("compat: the long fuzz runs' shrunk homes (codex app-server 0.169.0)", function () {
  this.timeout(600_000);
  for (const { found, home } of SHRUNK) {
    it(`${found}: every history answer equal to Codex's or declared`, async () => {
      const root = mkdtempSync(join(tmpdir(), 'rollout-engine-fuzz-shrunk-'));
      try {
        const outcome = await compareFuzzHome(home, root);
        expect(outcome.unexplained, outcome.problems.slice(0, 4).join('\n')).to.deep.equal([]);
        expect(outcome.answers, 'answers compared').to.be.greaterThan(20);
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    });
  }
});
