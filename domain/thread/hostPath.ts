/**
 * Where the host's Codex puts a path it reads as an `AbsolutePathBuf` with a base (codex-rs
 * `utils/absolute-path/src/lib.rs`, `resolve_path_against_base`): a leading `~` is the home folder,
 * a path that is not absolute joins the base (the app-server's working directory, for a session
 * meta's `cwd`), and `.` and `..` are folded away without asking the file system (the
 * `absolutize` module). On Linux `D:\proj`, `\\server\share\x` and `proj/x` are all relative.
 */
export interface HostPaths {
  /** The process's working directory (absolute). */
  readonly cwd: string;
  /** The home folder (`$HOME`), or null when there is none. */
  readonly home: string | null;
}

const expandHome = (path: string, home: string | null): string => {
  if (home === null || !path.startsWith('~')) return path;
  const rest = path.slice(1);
  if (rest === '') return home;
  return rest.startsWith('/') ? `${home.replace(/\/+$/, '')}/${rest.replace(/^\/+/, '')}` : path;
};

export const codexAbsolutePath = (path: string, base: HostPaths): string => {
  const expanded = expandHome(path, base.home);
  const joined = expanded.startsWith('/') ? expanded : `${base.cwd}/${expanded}`;
  const parts: string[] = [];
  for (const part of joined.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return `/${parts.join('/')}`;
};
