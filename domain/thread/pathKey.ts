/**
 * A path as Rust's `Path` compares it (Codex filters `thread/list` by `cwd` with `Path` equality):
 * by components, so `/work/app/`, `/work//app` and `/work/./app` are `/work/app`. `..` stays a
 * component (no file system is asked what it resolves to).
 */
export const pathKey = (path: string): string => {
  const absolute = path.startsWith('/');
  const parts = path.split('/').filter((part, i) => part !== '' && (part !== '.' || (i === 0 && !absolute)));
  return `${absolute ? '/' : ''}${parts.join('/')}`;
};
