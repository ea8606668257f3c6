import { spawn } from 'node:child_process';
import { terminalLines } from './terminalText.js';

/** The system's opener of a URL in the user's browser. */
const OPENER: Readonly<Record<string, readonly [string, ...string[]]>> = {
  darwin: ['open'],
  win32: ['cmd', '/c', 'start', '""'],
};

/**
 * Start a browser on `url` with the system's opener. When none could be started — the opener is
 * not on PATH, or it ran and failed (xdg-open exits 3 where it finds no browser, as on a server) —
 * say so plainly, naming the opener and what happened, and how to open the page by hand (the
 * address, and for a machine reached over SSH, the port to forward). A browser that opened says
 * nothing.
 */
export const openBrowser = (url: string): void => {
  const [file, ...args] = OPENER[process.platform] ?? ['xdg-open'];
  let told = false;
  const couldNot = (what: string): void => {
    if (told) return;
    told = true;
    const port = new URL(url).port;
    process.stderr.write(
      terminalLines(
        `no browser opened: ${what}.\nOpen the viewer by pasting its address into a browser on this machine: ${url}\n` +
          `(on a machine you reach over SSH: ssh -L ${port}:127.0.0.1:${port} <this host>, then open that address where you are)\n`,
      ),
    );
  };
  const child = spawn(file, [...args, url], { stdio: 'ignore', detached: true });
  child.on('error', (err: NodeJS.ErrnoException) =>
    couldNot(err.code === 'ENOENT' ? `${file} was not found on PATH` : `${file} could not be started (${err.message})`),
  );
  child.on('exit', (code, signal) => {
    if (code !== 0) couldNot(`${file} ${signal === null ? `exited ${code}` : `was stopped by ${signal}`}`);
  });
  child.unref();
};
