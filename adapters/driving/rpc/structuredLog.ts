import { terminalJson } from './terminalJson.js';

/**
 * `serve`'s log: one JSON object per line on stderr (`{"time","level","msg",...fields}`), at or
 * above the level `--log-level` asks for. The CLI's status lines are not log records and stay as
 * they are.
 */

export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Log {
  readonly error: (msg: string, fields?: Readonly<Record<string, unknown>>) => void;
  readonly warn: (msg: string, fields?: Readonly<Record<string, unknown>>) => void;
  readonly info: (msg: string, fields?: Readonly<Record<string, unknown>>) => void;
  readonly debug: (msg: string, fields?: Readonly<Record<string, unknown>>) => void;
  /**
   * An info record written whatever the level: where a listener is bound. Codex prints its banner
   * whatever its log says (codex-rs/app-server/src/transport, `print_websocket_startup_banner`,
   * `eprintln!`), and a user who asked for port 0 learns the port only from it.
   */
  readonly announce: (msg: string, fields?: Readonly<Record<string, unknown>>) => void;
}

/** A log writing records at `level` and above to `out` (stderr: stdout may be the JSON-RPC channel). */
export const jsonLog = (
  level: LogLevel,
  out: { write: (text: string) => unknown } = process.stderr,
  now: () => Date = () => new Date(),
): Log => {
  const rank = LOG_LEVELS.indexOf(level);
  const write = (l: LogLevel, msg: string, fields: Readonly<Record<string, unknown>>): void => {
    out.write(`${terminalJson(JSON.stringify({ time: now().toISOString(), level: l, msg, ...fields }))}\n`);
  };
  const at =
    (l: LogLevel) =>
    (msg: string, fields: Readonly<Record<string, unknown>> = {}): void => {
      if (LOG_LEVELS.indexOf(l) <= rank) write(l, msg, fields);
    };
  return {
    error: at('error'),
    warn: at('warn'),
    info: at('info'),
    debug: at('debug'),
    announce: (msg, fields = {}) => write('info', msg, fields),
  };
};

/** A log that writes nothing (tests, and a server embedded without one). */
export const silentLog: Log = {
  error: () => undefined,
  warn: () => undefined,
  info: () => undefined,
  debug: () => undefined,
  announce: () => undefined,
};
