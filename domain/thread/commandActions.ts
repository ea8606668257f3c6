import type { ParsedCommand } from '../rollout/kinds/itemCompleted.js';

/** POSIX join of a path onto a directory (pure; no fs). An absolute path stays as it is. */
const resolveAgainst = (dir: string, path: string): string => {
  if (path.startsWith('/') || dir === '') return path;
  return `${dir.replace(/\/+$/, '')}/${path}`;
};

/**
 * `parsed_cmd` (snake_case, `type` in snake_case) → API `commandActions` (camelCase types):
 * read {cmd,name,path} → {type:"read", command, name, path}; list_files {cmd,path} →
 * {type:"listFiles", command, path}; search {cmd,query,path} → {type:"search", command, query, path};
 * unknown {cmd} → {type:"unknown", command}.
 */
export const toCommandAction = (p: ParsedCommand, cwd: string): Record<string, unknown> => {
  const command = p.cmd ?? '';
  switch (p.type) {
    case 'read':
      // Codex resolves a read's path against the command's cwd.
      return { type: 'read', command, name: p.name ?? null, path: p.path == null ? null : resolveAgainst(cwd, p.path) };
    case 'list_files':
      return { type: 'listFiles', command, path: p.path ?? null };
    case 'search':
      return { type: 'search', command, query: p.query ?? null, path: p.path ?? null };
    default:
      return { type: 'unknown', command };
  }
};
