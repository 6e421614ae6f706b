// Drives the web example in headless Debian Chromium and checks the numbers
// and the journey map it shows (and, in its page, the full build reading a
// gzipped XES log), then opens the main example's gym.svg on its
// own. Screenshots go to ARTIFACTS. Run by scripts/test-wasm.sh (PLAYWRIGHT:
// path of playwright-core; GYM_SVG: the SVG the main example wrote).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { checks } from '../checks.mjs';
import { launch } from './chromium.mjs';

const artifacts = process.env.ARTIFACTS;
mkdirSync(artifacts, { recursive: true });

const { check, finish } = checks();

const stageNames = ['Awareness', 'Consideration', 'Conversion', 'Retention', 'Loyalty and advocacy'];

/** Share of inked (non-white) pixels and number of distinct colours of a PNG,
 * measured by drawing it on a canvas of the page. */
async function pixels(page, png) {
  return page.evaluate(async (base64) => {
    const image = new Image();
    image.src = `data:image/png;base64,${base64}`;
    await image.decode();
    const canvas = document.createElement('canvas');
    canvas.width = image.width;
    canvas.height = image.height;
    const context = canvas.getContext('2d');
    context.drawImage(image, 0, 0);
    const data = context.getImageData(0, 0, canvas.width, canvas.height).data;
    let ink = 0;
    const colours = new Set();
    for (let i = 0; i < data.length; i += 4) {
      if (data[i] < 235 || data[i + 1] < 235 || data[i + 2] < 235) ink++;
      colours.add(((data[i] >> 4) << 8) | ((data[i + 1] >> 4) << 4) | (data[i + 2] >> 4));
    }
    return { width: canvas.width, height: canvas.height, ink: ink / (canvas.width * canvas.height), colours: colours.size };
  }, png.toString('base64'));
}

/** The stage names drawn inside `box`, each with a visible size. */
async function stagesShown(svg, box) {
  const stages = await svg.$$eval('.stage', (groups) => groups.map((g) => {
    const rect = g.querySelector('.stage-name').getBoundingClientRect();
    return { name: [...g.querySelectorAll('.stage-name')].map((t) => t.textContent).join(' '),
      x: rect.x, y: rect.y, width: rect.width, height: rect.height };
  }));
  return stages.filter((s) => s.width > 10 && s.height > 5 && s.x >= box.x - 1 && s.y >= box.y - 1
    && s.x + s.width <= box.x + box.width + 1 && s.y + s.height <= box.y + box.height + 1).map((s) => s.name);
}

const { url, browser, close } = await launch();
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
  // The full build in the same page: a gzipped XES log fetched and read.
  const xes = await page.evaluate(async () => {
    const full = await import('/pkg/full/web.js');
    await full.default();
    const log = new full.EventLog();
    const bytes = new Uint8Array(await (await fetch('/data/xes/receipt.xes.gz')).arrayBuffer());
    const report = await log.readXesGzip(bytes);
    const found = log.discover(undefined, 1);
    // A tz database name, by the browser's Intl: 03:30 in Paris the night
    // its clocks skip an hour is 01:30Z.
    const paris = new full.EventLog();
    paris.readCsv('customer,timestamp,event\nc,2026-03-29 03:30:00,A\n', { time_zone: 'Europe/Paris' });
    const zoned = new Date(paris.traces().traces[0].steps[0].timestamp).toISOString();
    return { used: report.rows_used, traces: found.traces, steps: found.steps, edges: found.edges.length, zoned };
  });
  check(JSON.stringify(xes) === JSON.stringify({ used: 8577, traces: 1434, steps: 8577, edges: 99, zoned: '2026-03-29T01:30:00.000Z' }),
    `journey-wasm/full reads XES in the browser: ${JSON.stringify(xes)}`);
  check(errors.length === 0, `page errors: ${errors.join('; ')}`);
  await page.setViewportSize({ width: 1600, height: 1200 });
  await page.screenshot({ path: join(artifacts, 'web-example.png'), fullPage: true });

  // The journey map next to the analysis: a screenshot of it is not blank
  // and shows the five stage names.
  const map = await page.$('#map svg');
  check(map !== null, 'the page shows the map');
  if (map !== null) {
    const png = await map.screenshot({ path: join(artifacts, 'web-map.png') });
    const box = await map.boundingBox();
    const seen = await pixels(page, png);
    check(seen.width > 900 && seen.height > 600, `map size ${seen.width}×${seen.height}`);
    check(seen.ink > 0.05 && seen.colours > 20, `the map screenshot is blank: ${JSON.stringify(seen)}`);
    check(JSON.stringify(await stagesShown(map, box)) === JSON.stringify(stageNames), 'the map shows the stage names');
    check((await map.$$('.overlay')).length > 20, 'the analysis is overlaid on the map');
  }

  // gym.svg, as the main example wrote it, opened on its own.
  const file = await browser.newPage();
  // The viewport holds the whole map: an SVG document has no body to scroll.
  await file.setViewportSize({ width: 2300, height: 1800 });
  await file.goto(pathToFileURL(process.env.GYM_SVG).href);
  await file.bringToFront();
  const svg = await file.$('svg');
  const shot = await file.screenshot({ path: join(artifacts, 'gym-svg.png') });
  const svgBox = await svg.boundingBox();
  check(JSON.stringify(await stagesShown(svg, svgBox)) === JSON.stringify(stageNames), 'gym.svg shows five stages');
  const curve = await file.$eval('.emotion-curve', (line) => {
    const box = line.getBoundingClientRect();
    return { points: line.points.numberOfItems, width: box.width, height: box.height,
      stroke: getComputedStyle(line).stroke };
  });
  check(curve.points === 18 && curve.width > 600 && curve.height > 50 && curve.stroke !== 'none',
    `gym.svg shows the emotion curve: ${JSON.stringify(curve)}`);
  const missing = await file.$$eval('.touchpoint.missing > rect:first-of-type', (rects) => rects.map((r) => {
    const box = r.getBoundingClientRect();
    return { dash: getComputedStyle(r).strokeDasharray, width: box.width, height: box.height };
  }));
  check(missing.length === 5 && missing.every((m) => m.dash !== 'none' && m.width > 100 && m.height > 40),
    `gym.svg shows five missing touchpoints dashed: ${JSON.stringify(missing)}`);
  const solid = await file.$$eval('.touchpoint:not(.missing) > rect:first-of-type',
    (rects) => rects.filter((r) => getComputedStyle(r).strokeDasharray === 'none').length);
  check(solid === 18, `the 18 present touchpoints are solid: ${solid}`);
  const shown = await pixels(page, shot);
  check(shown.ink > 0.05 && shown.colours > 20, `the gym.svg screenshot is blank: ${JSON.stringify(shown)}`);
} finally {
  await close();
}
finish('browser');
