// The browser the viewer test drives: Debian's Chromium through playwright-core (no browser
// download), and what a screenshot shows, measured in that browser.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import type { Browser } from 'playwright-core';

/** Chromium's path: `$CHROMIUM_PATH`, else `chromium` / `chromium-browser` on the PATH; null when there is none. */
export const chromiumPath = (): string | null => {
  const fromEnv = process.env['CHROMIUM_PATH'];
  if (fromEnv !== undefined && fromEnv !== '') return fs.existsSync(fromEnv) ? fromEnv : null;
  for (const name of ['chromium', 'chromium-browser']) {
    const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
    if (found.status === 0) return found.stdout.trim() || null;
    // Not on the PATH: `command -v` prints nothing and exits non-zero (dash 127, bash 1). Anything else is a failure.
    if ((found.status !== 1 && found.status !== 127) || found.stdout !== '')
      throw new Error(
        `command -v ${name}: exit ${found.status} ${found.signal ?? ''} ${found.error?.message ?? ''} ${found.stderr}`,
      );
  }
  return null;
};

/** Where screenshots go: `$TEST_ARTIFACTS/viewer`, else `test-artifacts/viewer` in the working directory (kept after the run). */
export const artifactsDir = (): string => {
  const dir = nodePath.resolve(process.env['TEST_ARTIFACTS'] ?? 'test-artifacts', 'viewer');
  fs.mkdirSync(dir, { recursive: true });
  return dir;
};

/**
 * What share of a PNG's pixels is ink (clearly darker than the white page), in a rectangle of
 * it (CSS pixels of the screenshot), decoded by the browser itself in a blank page.
 */
export const inkShare = async (
  browser: Browser,
  png: Buffer,
  rect?: { x: number; y: number; width: number; height: number },
): Promise<number> => {
  const page = await browser.newPage();
  try {
    // Page code as text: this program's types have no DOM.
    const measure = `(async ({ data, rect }) => {
      const bitmap = await createImageBitmap(await (await fetch('data:image/png;base64,' + data)).blob());
      const r = rect ?? { x: 0, y: 0, width: bitmap.width, height: bitmap.height };
      const ctx = new OffscreenCanvas(r.width, r.height).getContext('2d');
      ctx.drawImage(bitmap, r.x, r.y, r.width, r.height, 0, 0, r.width, r.height);
      const px = ctx.getImageData(0, 0, r.width, r.height).data;
      let ink = 0;
      for (let i = 0; i < px.length; i += 4) if (px[i] + px[i + 1] + px[i + 2] < 3 * 160) ink += 1;
      return ink / (r.width * r.height);
    })(${JSON.stringify({ data: png.toString('base64'), rect: rect ?? null })})`;
    return (await page.evaluate(measure)) as number;
  } finally {
    await page.close();
  }
};
