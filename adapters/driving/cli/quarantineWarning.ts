import * as E from 'fp-ts/lib/Either.js';
import { renderError } from '../../../domain/errors.js';
import type { CodexStateNotUpdated, QuarantinedLines } from '../../../replay/ports.js';
import type { OpenCodexHome } from '../composition/openCodexHome.js';
import { entryLineNumber, quarantineFileOf, readQuarantineEntries } from '../../driven/jsonl/writers/quarantine.js';
import { renderQuarantined } from '../../../indexer/verify/quarantined.js';
import { terminalLines, terminalText } from './terminalText.js';
import { terminalJson } from '../rpc/terminalJson.js';

/** Lines of quarantine.jsonl shown under a warning (the file has them all). */
const SHOWN = 5;

/**
 * The CLI's side of `onQuarantined`: a read of a thread whose rollout files hold quarantined
 * lines answers as Codex would (those lines are simply absent), and says so on stderr after the
 * answer: the count, each line's file and 1-based line number with its reason (from
 * quarantine.jsonl), and where to look. With `--json`, one JSON object `{"warning": {...}}`.
 * Also the CLI's side of `onCodexStateNotUpdated`: a mutation done while Codex's state DB could
 * not follow exits 0 and says so here, `kind: 'codexStateNotUpdated'` with `--json`.
 */
export const quarantineWarning = (indexDir: string, json: boolean | undefined) => {
  const seen = new Map<string, QuarantinedLines>();
  const onQuarantined = (q: QuarantinedLines): void => void seen.set(q.threadId, q);
  // A mutation whose write is done while Codex's state DB could not follow: exit 0, and said here.
  const stateNotUpdated: CodexStateNotUpdated[] = [];
  const onCodexStateNotUpdated = (n: CodexStateNotUpdated): void => void stateNotUpdated.push(n);
  // Beside the index the home was opened with (openCodexHome puts it in indexDir).
  const file = quarantineFileOf(indexDir);
  return {
    /** The home with ports that report to this warning. */
    watch: (home: OpenCodexHome): OpenCodexHome => ({
      ...home,
      read: { ...home.read, onQuarantined },
      mutations: { ...home.mutations, onQuarantined, onCodexStateNotUpdated },
    }),
    /** Write the warnings (if any) to stderr. */
    print: async (): Promise<void> => {
      for (const n of stateNotUpdated) {
        const message =
          `thread ${n.threadId}: ${n.method} is done (not to be retried), but Codex's state DB was not given ${n.update}: ${renderError(n.error)}; ` +
          'a Codex that reads its cache may not show it until it rebuilds that cache from the rollouts';
        process.stderr.write(
          json === true
            ? `${JSON.stringify({ warning: { kind: 'codexStateNotUpdated', message, threadId: n.threadId, method: n.method, update: n.update } })}\n`
            : `rollout-engine: warning: ${terminalText(message)}\n`,
        );
      }
      for (const q of seen.values()) {
        if (q.repeatedOrdinals > 0) {
          const message =
            `thread ${q.threadId}: ${q.repeatedOrdinals} line${q.repeatedOrdinals === 1 ? '' : 's'} of its rollouts repeat an earlier line's ordinal ` +
            '(two writers numbering lines from their own counters, e.g. a Codex and rollout/append); they are shown in line order';
          const files = q.files
            .filter((f) => f.repeatedOrdinals > 0)
            .map((f) => ({ path: f.path, lines: f.repeatedOrdinals }));
          process.stderr.write(
            json === true
              ? `${terminalJson(JSON.stringify({ warning: { kind: 'repeatedOrdinals', message, threadId: q.threadId, lines: q.repeatedOrdinals, files } }))}\n`
              : terminalLines(
                  [`rollout-engine: warning: ${message}`, ...files.map((f) => `  ${f.path}: ${f.lines}`)].join('\n'),
                ) + '\n',
          );
        }
        if (q.lines === 0) continue;
        const read = await readQuarantineEntries(file, new Set(q.files.map((f) => f.path)))();
        const entries = E.isRight(read) ? read.right : [];
        const message =
          `thread ${q.threadId}: ${renderQuarantined({ lines: q.lines, files: q.files.length })} of its rollouts could not be read ` +
          `and ${q.lines === 1 ? 'is' : 'are'} missing from this answer; see ${file}`;
        if (json === true) {
          const files = q.files.map((f) => ({
            path: f.path,
            lines: f.lines,
            lineNumbers: entries.filter((e) => e.path === f.path).flatMap((e) => entryLineNumber(e) ?? []),
          }));
          process.stderr.write(
            `${terminalJson(JSON.stringify({ warning: { kind: 'quarantinedLines', message, threadId: q.threadId, lines: q.lines, files, quarantineFile: file } }))}\n`,
          );
          continue;
        }
        // A reason may quote the line's bytes (a parse error's excerpt): shown, never acted on by the terminal.
        const shown = entries
          .slice(0, SHOWN)
          .map((e) => terminalText(`  ${e.path}:${entryLineNumber(e) ?? '?'}: ${e.reason}`));
        const more = entries.length > SHOWN ? [`  … and ${entries.length - SHOWN} more`] : [];
        process.stderr.write(
          terminalLines([`rollout-engine: warning: ${message}`, ...shown, ...more].join('\n')) + '\n',
        );
      }
    },
  };
};
