// Drives the web example in headless Debian Chromium and checks the numbers
// it shows. Run by scripts/test-wasm.sh (PLAYWRIGHT: path of playwright-core).
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { serve } from '../../../examples/web/serve.mjs';

const require = createRequire(import.meta.url);
const { chromium } = require(process.env.PLAYWRIGHT);
const artifacts = process.env.ARTIFACTS;
mkdirSync(artifacts, { recursive: true });

let passed = 0;
let failed = 0;
function check(condition, what) {
  if (condition) passed++;
  else {
    failed++;
    console.error(`check failed: ${what}`);
  }
}

const server = await serve(0);
const url = `http://127.0.0.1:${server.address().port}/`;
const browser = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'journey-chromium-')), {
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run', '--disable-quic'],
});
try {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(String(error)));
  await page.goto(url);
  await page.waitForSelector('#status[data-state=ready], #status[data-state=error]', { timeout: 30000 });
  check((await page.getAttribute('#status', 'data-state')) === 'ready', `status: ${await page.textContent('#status')}`);
  check((await page.textContent('#title')) === 'Joining a gym', 'title');
  check((await page.textContent('#goal')) === '10.6%', `goal ${await page.textContent('#goal')}`);
  const funnel = await page.$$eval('#funnel tbody tr', (rows) => rows.map((r) => [...r.cells].map((c) => c.textContent)));
  check(JSON.stringify(funnel.map((r) => [r[0], r[1]])) === JSON.stringify([
    ['Awareness', '100.0%'], ['Consideration', '67.6%'], ['Conversion', '41.5%'],
    ['Retention', '29.4%'], ['Loyalty and advocacy', '16.4%'],
  ]), `funnel ${JSON.stringify(funnel)}`);
  const pains = await page.$$eval('#pains tbody tr', (rows) => rows.map((r) => [r.cells[0].textContent, r.cells[1].textContent]));
  check(JSON.stringify(pains.slice(0, 2)) === JSON.stringify([['trial_ending_email', '0.440'], ['contact_form', '0.320']]),
    `pains ${JSON.stringify(pains)}`);
  check(errors.length === 0, `page errors: ${errors.join('; ')}`);
  await page.screenshot({ path: join(artifacts, 'web-example.png'), fullPage: true });
} finally {
  await browser.close();
  server.close();
}
console.log(`browser: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
