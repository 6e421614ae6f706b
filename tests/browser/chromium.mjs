// Headless Debian Chromium for the browser checks, driven by playwright-core
// (PLAYWRIGHT: its path; CHROMIUM: the browser, /usr/bin/chromium by
// default), with the example server on a free port. Flags: no sandbox as
// root, and nothing that reaches for the network.
import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '../../examples/web/serve.mjs';

const require = createRequire(import.meta.url);

/** The example server and a fresh browser profile: `{ url, browser, close }`. */
export async function launch() {
  const { chromium } = require(process.env.PLAYWRIGHT);
  const server = await serve(0);
  const url = `http://127.0.0.1:${server.address().port}/`;
  const browser = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'journey-chromium-')), {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--disable-quic'],
  });
  return {
    url,
    browser,
    async close() {
      await browser.close();
      server.close();
    },
  };
}
