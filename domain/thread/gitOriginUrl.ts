/**
 * A git remote URL as Codex keeps it: with its credentials removed (codex-rs protocol
 * `SanitizedGitUrl`, sanitized_git_url.rs, which a session meta's `git.repository_url` and
 * thread/metadata/update's `gitInfo.originUrl` decode through). Every user name and password goes,
 * except SSH's conventional `git` user (a transport identity, not a secret); an address with no
 * credential keeps its exact text. `undefined` for what Codex refuses as a remote (a meta then
 * loads without its origin).
 */

/** `transport::address` remote helpers, peeled one after the other. */
const HELPER = /^([A-Za-z0-9+.-]+)::/;

export const sanitizeGitOriginUrl = (value: string): string | undefined => {
  let address = value;
  for (let m = HELPER.exec(address); m !== null; m = HELPER.exec(address)) {
    const nested = address.slice(m[0].length);
    // A helper's payload can be a command line holding secrets: Codex refuses any with whitespace.
    if (address.length === value.length && /\s/.test(nested)) return undefined;
    address = nested;
  }
  // gix's URL parser refuses an empty address.
  if (address === '') return undefined;
  const helper = value.slice(0, value.length - address.length);

  const schemeAt = address.indexOf('://');
  if (schemeAt >= 0) {
    const scheme = address.slice(0, schemeAt);
    const rest = address.slice(schemeAt + 3);
    const slash = rest.indexOf('/');
    const authority = slash >= 0 ? rest.slice(0, slash) : rest;
    const path = slash >= 0 ? rest.slice(slash) : '';
    const at = authority.lastIndexOf('@');
    if (at < 0) return value;
    const userInfo = authority.slice(0, at);
    const colon = userInfo.indexOf(':');
    const user = colon >= 0 ? userInfo.slice(0, colon) : userInfo;
    const keepGitUser = scheme.toLowerCase() === 'ssh' && user === 'git';
    if (keepGitUser && colon < 0) return value;
    return `${helper}${scheme}://${keepGitUser ? 'git@' : ''}${authority.slice(at + 1)}${path}`;
  }

  // SCP-style `[user@]host:path` (a ':' before any '/'); anything else is a local path, kept.
  const colon = address.indexOf(':');
  if (colon < 0 || address.slice(0, colon).includes('/')) return value;
  const host = address.slice(0, colon);
  const at = host.lastIndexOf('@');
  if (at < 0 || host.slice(0, at) === 'git') return value;
  return `${helper}${address.slice(at + 1)}`;
};
