import { connectRpc } from './rpcClient.js';
import type { RpcClient } from './rpcClient.js';
import { byId } from './route.js';
import { ViewerPage } from './viewerPage.js';

/**
 * The web viewer: the home's threads on the left, one thread's turns on the right (on a phone, one
 * of the two at a time: `#app[data-view]`); the URL's hash names the thread and turn (`#thread=ID&turn=ID`).
 */

/**
 * The `--ws-auth` token, given once in the URL (`#token=…`, never sent to the server as part of
 * the page's address), kept for this tab's reloads and taken out of the address bar.
 */
const bearerToken = (): string | null => {
  const hash = new URLSearchParams(location.hash.slice(1));
  const given = hash.get('token');
  if (given !== null) {
    sessionStorage.setItem('rollout-engine.token', given);
    hash.delete('token');
    history.replaceState(null, '', hash.size === 0 ? location.pathname : `#${hash.toString()}`);
  }
  return sessionStorage.getItem('rollout-engine.token');
};

const start = async (): Promise<void> => {
  const status = byId('thread-status');
  const app = byId('app');
  /** On a phone the list and the thread take the screen in turn (the style shows the one named here); wider, both show. */
  const show = (view: 'list' | 'thread'): void => void (app.dataset['view'] = view);
  byId('back-to-list').addEventListener('click', () => {
    show('list');
    byId('thread-list').querySelector<HTMLElement>('[aria-current="true"]')?.focus();
  });
  let rpc: RpcClient;
  try {
    rpc = await connectRpc(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/`, bearerToken());
  } catch (err) {
    status.textContent = `cannot reach the server: ${String(err)}`;
    return;
  }
  await new ViewerPage(rpc, status, show).begin();
};

void start();
