// The journey map in headless Chromium, as a page shows it: the gym, the shoe
// and a generated 15-stage, 100-touchpoint journey with long names, every
// lane, the flows and the analysis on, at their own width and at narrower
// widths asked for. With the browser's own text boxes (getBBox): no text
// runs out of its card or its stage's column, and no text overlaps other
// text. axe-core finds no accessibility violation, and Tab reaches every
// card in order. The custom element <journey-map> (examples/web/element.html)
// draws, selects, moves between cards and highlights, and works from React
// and Vue without a wrapper (examples/web/react.html, examples/web/vue.html). Screenshots go to
// ARTIFACTS. Run by scripts/test-wasm.sh
// (PLAYWRIGHT: path of playwright-core; AXE: path of axe.min.js).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { checks } from '../checks.mjs';
import { launch } from './chromium.mjs';

const artifacts = process.env.ARTIFACTS;
mkdirSync(artifacts, { recursive: true });
const { check, finish } = checks();

/** A deterministic journey of 15 stages and 100 touchpoints with every lane's
 * content, long names, loops, back-jumps and skips. */
function generated() {
  let seed = 7;
  const next = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const channels = ['web', 'email', 'phone', 'chat', 'in_person', 'mobile_app', 'sms', 'social'];
  const words = ['review', 'compare', 'subscription', 'onboarding', 'verification', 'checkout', 'support',
    'notification', 'renewal', 'Supercalifragilisticexpialidocious'];
  const phrase = (n) => Array.from({ length: n }, () => words[Math.floor(next() * words.length)]).join(' ');
  const stages = Array.from({ length: 15 }, (_, s) => ({
    id: `s${s}`,
    name: s % 4 === 0 ? `Stage ${s}: ${phrase(5)}` : `Stage ${s}`,
    actions: [phrase(3), phrase(6)],
    thoughts: s % 2 ? [`Will the ${phrase(2)} work?`] : [phrase(8)],
  }));
  const missing = (t) => t % 11 === 5;
  const touchpoints = Array.from({ length: 100 }, (_, t) => ({
    id: `t${t}`,
    name: t % 7 === 0 ? phrase(6) : `Step ${t} ${phrase(1)}`,
    stage: `s${Math.min(14, Math.floor(t / 6.7))}`,
    channel: channels[Math.floor(next() * channels.length)],
    emotion: Math.round((next() * 4 - 2) * 10) / 10,
    ...(t % 5 === 0 ? { pain_points: [phrase(4)] } : {}),
    ...(t % 6 === 0 ? { opportunities: [phrase(5)] } : {}),
    ...(t % 3 === 0 ? { measures: { csat: { value: 2 + next() * 3, sample_size: 10 + t } } } : {}),
    ...(missing(t) ? { status: 'missing' } : {}),
  }));
  const transitions = [];
  for (let t = 0; t < 99; t++) {
    if (missing(t)) continue;
    transitions.push({ from: `t${t}`, to: `t${missing(t + 1) ? t + 2 : t + 1}`, probability: 0.6 });
    if (t + 2 < 100 && !missing(t + 2)) transitions.push({ from: `t${t}`, to: `t${t + 2}`, probability: 0.2 });
    if (t >= 8 && t % 9 === 0 && !missing(t - 6)) transitions.push({ from: `t${t}`, to: `t${t - 6}`, probability: 0.1 });
    if (t % 13 === 0) transitions.push({ from: `t${t}`, to: `t${t}`, probability: 0.05 });
  }
  return {
    schema: 'journey/1',
    personas: [{ id: 'pat', name: 'Pat, who reads every word', goals: [phrase(7), phrase(3)], pain_points: [phrase(9)] }],
    measures: [{ key: 'csat', name: 'Customer satisfaction', scale: { type: 'score', min: 1, max: 5 }, target: 4 }],
    journeys: [{
      id: 'generated', name: `A generated journey with ${phrase(12)}`, personas: ['pat'],
      scope: { start: phrase(4), end: phrase(5) }, stages, touchpoints, transitions,
      entries: [{ touchpoint: 't1', weight: 1 }], goals: ['t99'],
    }],
  };
}

const everything = {
  rows: ['actions', 'touchpoints', 'thoughts', 'emotion', 'pain_points', 'opportunities', 'measures', 'kpis'],
  flows: true,
  analysis: true,
};

/** In the page: renders one map into #map and measures every text. */
async function measure(page, document, journey, options, flow = false) {
  return page.evaluate(async ({ document, journey, options, flow }) => {
    // The stage flow is in the full build.
    const { default: init, JourneyModel } = await import(flow ? '/pkg/full/web.js' : '/pkg/web.js');
    await init();
    const model = JourneyModel.fromJson(typeof document === 'string' ? document : JSON.stringify(document));
    const host = window.document.getElementById('map');
    host.innerHTML = flow ? model.renderStageFlow(journey, options) : model.renderSvg(journey, options);
    model.free();
    const svg = host.querySelector('svg');
    if (svg.querySelector('title') === null && !svg.hasAttribute('aria-label')) return { problems: ['no accessible name'], texts: 0, cards: [] };
    const box = (element) => {
      const b = element.getBBox();
      return { x: b.x, y: b.y, right: b.x + b.width, bottom: b.y + b.height };
    };
    const label = (t) => {
      const b = t.getBBox();
      return `"${t.textContent}" (${[b.x, b.y, b.width, b.height].map((v) => v.toFixed(1)).join(' ')})`;
    };
    const problems = [];
    const texts = [...svg.querySelectorAll('text')].filter((t) => t.textContent.trim() !== '')
      .map((t) => ({ t, b: box(t) }));
    const slack = 0.5;
    // Inside its card; inside its stage's column.
    for (const { t, b } of texts) {
      const card = t.closest('.touchpoint');
      if (card !== null) {
        const c = box(card.querySelector('rect'));
        if (b.x < c.x - slack || b.right > c.right + slack || b.y < c.y - slack || b.bottom > c.bottom + slack) {
          problems.push(`${label(t)} overflows card ${card.dataset.id}`);
        }
      }
      const cell = t.closest('.cell');
      if (cell !== null) {
        const stage = svg.querySelector(`.stage[data-index="${[...svg.querySelectorAll('.stage')]
          .findIndex((s) => s.dataset.id === cell.dataset.stage)}"] rect`);
        const s = box(stage);
        if (b.x < s.x - slack || b.right > s.right + slack) problems.push(`${label(t)} runs out of stage ${cell.dataset.stage}`);
      }
      if (b.right > svg.viewBox.baseVal.width + slack || b.x < -slack) problems.push(`${label(t)} runs off the map`);
    }
    // No two texts overlap (sorted by left edge, so only neighbours compare).
    texts.sort((a, b) => a.b.x - b.b.x);
    for (let i = 0; i < texts.length; i++) {
      for (let j = i + 1; j < texts.length && texts[j].b.x < texts[i].b.right - slack; j++) {
        const [a, b] = [texts[i].b, texts[j].b];
        const across = Math.min(a.right, b.right) - Math.max(a.x, b.x);
        const down = Math.min(a.bottom, b.bottom) - Math.max(a.y, b.y);
        if (across > slack && down > slack) problems.push(`${label(texts[i].t)} overlaps ${label(texts[j].t)}`);
      }
    }
    return {
      problems,
      texts: texts.length,
      cards: [...svg.querySelectorAll('.touchpoint')].map((c) => c.dataset.id),
      width: svg.viewBox.baseVal.width,
    };
  }, { document, journey, options, flow });
}

const { url, browser, close } = await launch();
try {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(String(error)));
  await page.setViewportSize({ width: 1600, height: 1000 });
  // The web example's origin, emptied: a page of one map.
  await page.goto(url);
  await page.evaluate(() => {
    // Without the example's styles, which scale a map down to the page's
    // width: text is measured at the size the map draws it.
    document.querySelectorAll('style, link[rel=stylesheet]').forEach((sheet) => sheet.remove());
    document.title = 'Journey map';
    document.body.innerHTML = '<main><h1>Journey map</h1><div id="map"></div></main>';
  });
  await page.addScriptTag({ path: process.env.AXE });
  const gym = await (await fetch(`${url}data/gym.json`)).text();
  const shoe = await (await fetch(`${url}data/shoe.json`)).text();
  const maps = [
    ['gym', gym, 'gym', everything],
    ['gym-narrow', gym, 'gym', { ...everything, width: 900, lanes: 'order' }],
    ['gym-dark-blueprint', gym, 'gym', { ...everything, theme: 'dark', lanes: 'layer' }],
    ['shoe', shoe, 'shoe', everything],
    ['shoe-narrow', shoe, 'shoe', { ...everything, width: 600 }],
    ['generated', generated(), 'generated', everything],
    ['generated-compact', generated(), 'generated', { ...everything, compact: true }],
    ['gym-default', gym, 'gym', {}],
    ['gym-flow', gym, 'gym', {}, true],
    ['shoe-flow-observed', shoe, 'shoe', { observed: true, theme: 'dark' }, true],
    ['generated-flow', generated(), 'generated', {}, true],
  ];
  for (const [name, document, journey, options, flow] of maps) {
    const seen = await measure(page, document, journey, options, flow);
    check(seen.texts > (flow ? 8 : 40), `${name}: ${seen.texts} texts drawn`);
    check(seen.problems.length === 0, `${name}: ${seen.problems.length} text problems: ${seen.problems.slice(0, 8).join('; ')}`);
    await (await page.$('#map svg')).screenshot({ path: join(artifacts, `map-${name}.png`) });
    const axe = await page.evaluate(async () => {
      const result = await window.axe.run('#map', { resultTypes: ['violations'] });
      return result.violations.map((v) => `${v.id} (${v.nodes.length}): ${v.nodes[0].html.slice(0, 120)}`);
    });
    check(axe.length === 0, `${name}: axe-core finds ${axe.join('; ')}`);
    // Tab from the page's start reaches every card, in order.
    await page.evaluate(() => document.activeElement?.blur());
    const reached = [];
    for (let k = 0; k < seen.cards.length; k++) {
      await page.keyboard.press('Tab');
      reached.push(await page.evaluate(() => document.activeElement?.closest('.touchpoint')?.dataset.id ?? null));
    }
    check(JSON.stringify(reached) === JSON.stringify(seen.cards),
      `${name}: Tab reaches ${reached.filter((id) => id !== null).length} of ${seen.cards.length} cards in order`);
  }
  check(errors.length === 0, `page errors: ${errors.join('; ')}`);

  // renderPng: the gym map through the page's canvas at twice its size, a
  // custom property given, decoded again and read pixel by pixel; and the
  // refusals, with Rust's error codes.
  const png = await page.evaluate(async (document) => {
    const { default: init, JourneyModel } = await import('/pkg/web.js');
    const { renderPng } = await import('/pkg/map.js');
    await init();
    const model = JourneyModel.fromJson(document);
    const svg = model.renderSvg('gym', {});
    model.free();
    const root = new DOMParser().parseFromString(svg, 'image/svg+xml').documentElement;
    const [width, height] = [Number(root.getAttribute('width')), Number(root.getAttribute('height'))];
    const stage = root.querySelector('rect.stage-box');
    const [sx, sy] = [Number(stage.getAttribute('x')), Number(stage.getAttribute('y'))];
    const blob = await renderPng(svg, { scale: 2, properties: { '--journey-background': '#102030' } });
    const bitmap = await createImageBitmap(blob);
    const canvas = window.document.createElement('canvas');
    [canvas.width, canvas.height] = [bitmap.width, bitmap.height];
    const context = canvas.getContext('2d');
    context.drawImage(bitmap, 0, 0);
    const pixel = (x, y) => [...context.getImageData(x, y, 1, 1).data];
    // The heading's strokes: pixels darker than any fill around them.
    const heading = context.getImageData(48, 60, 352, 44).data;
    let ink = 0;
    for (let i = 0; i < heading.length; i += 4) if (heading[i] < 80 && heading[i + 1] < 80) ink += 1;
    const refusals = [];
    for (const [options, text] of [[{ scale: 0 }, svg], [{ scale: 9 }, svg], [{ properties: { card: '#fff' } }, svg],
      [{}, 'not svg'], [{}, '<svg xmlns="http://www.w3.org/2000/svg" width="20000" height="10000"/>']]) {
      refusals.push(await renderPng(text, options).then(() => 'drawn', (e) => `${e.name}:${e.code}`));
    }
    return {
      type: blob.type, size: [bitmap.width, bitmap.height], expected: [2 * width, 2 * height],
      background: pixel(4, 4), stage: pixel(2 * sx + 12, 2 * sy + 12), ink, refusals,
    };
  }, gym);
  check(png.type === 'image/png' && JSON.stringify(png.size) === JSON.stringify(png.expected),
    `renderPng: a ${png.type} of ${png.size} pixels (twice the map's ${png.expected})`);
  check(JSON.stringify(png.background) === '[16,32,48,255]', `renderPng: the background property drawn: ${png.background}`);
  check(JSON.stringify(png.stage) === '[223,231,241,255]', `renderPng: the stage header's colour: ${png.stage}`);
  check(png.ink > 300, `renderPng: the heading drawn (${png.ink} dark pixels)`);
  check(JSON.stringify(png.refusals) === JSON.stringify(['JourneyError:invalid_option', 'JourneyError:invalid_option',
    'JourneyError:invalid_option', 'JourneyError:invalid_argument', 'JourneyError:limit_exceeded']),
  `renderPng refuses what Rust refuses: ${png.refusals}`);

  // <journey-map> in the example page: drawn from its src, selected by click
  // and by keyboard, arrow keys between cards, a card's lanes in its
  // tooltip, a path and a stage highlighted.
  const page2 = await browser.newPage();
  await page2.setViewportSize({ width: 1600, height: 1000 });
  page2.on('pageerror', (error) => errors.push(String(error)));
  await page2.goto(`${url}element.html`);
  await page2.waitForSelector('journey-map[data-state=ready], journey-map[data-state=error]', { timeout: 30000 });
  check((await page2.getAttribute('journey-map', 'data-state')) === 'ready', '<journey-map> draws the gym');
  const ids = await page2.$$eval('journey-map .touchpoint', (cards) => cards.map((card) => card.dataset.id));
  check(ids.length === 23, `<journey-map> has the gym's 23 cards: ${ids.length}`);
  check((await page2.$$('journey-map path.flow')).length > 20, '<journey-map> draws the flows (attribute flows)');
  await page2.click('journey-map .touchpoint[data-id="contact_form"]');
  check((await page2.textContent('#chosen')) === 'Selected: contact_form (consideration)',
    `a click selects: ${await page2.textContent('#chosen')}`);
  await page2.hover('journey-map .touchpoint[data-id="contact_form"]');
  const tip = await page2.$eval('.journey-map-tooltip', (t) => ({ hidden: t.hidden, text: t.textContent }));
  check(!tip.hidden && tip.text.startsWith('Contact form\nConsideration · Web')
    && tip.text.includes('pain point: Has to wait for a call back'), `the tooltip shows the card's lanes: ${JSON.stringify(tip)}`);
  await page2.focus('journey-map .touchpoint[data-id="contact_form"]');
  await page2.keyboard.press('ArrowRight');
  const after = ids[ids.indexOf('contact_form') + 1];
  check((await page2.evaluate(() => document.activeElement.dataset.id)) === after, `ArrowRight moves to ${after}`);
  await page2.keyboard.press('Enter');
  check((await page2.textContent('#chosen')).startsWith(`Selected: ${after} `), 'Enter selects the focused card');
  await page2.keyboard.press('End');
  check((await page2.evaluate(() => document.activeElement.dataset.id)) === ids.at(-1), 'End moves to the last card');
  await page2.click('#path');
  const path = await page2.evaluate(() => ({
    dimmed: document.querySelector('journey-map svg').classList.contains('journey-dimmed'),
    cards: [...document.querySelectorAll('journey-map .touchpoint.highlighted')].map((c) => c.dataset.id),
    flows: document.querySelectorAll('journey-map path.flow.highlighted').length,
  }));
  check(path.dimmed && path.cards.length === 4 && path.flows === 3, `a path highlighted: ${JSON.stringify(path)}`);
  await page2.click('#stage');
  const stage = await page2.$$eval('journey-map .touchpoint.highlighted', (cards) => cards.map((c) => c.dataset.stage));
  check(stage.length === 7 && stage.every((s) => s === 'conversion'), `a stage highlighted: ${JSON.stringify(stage)}`);
  await page2.click('#clear');
  check((await page2.$$('journey-map .highlighted')).length === 0, 'clear removes the highlights');
  const elementPng = await page2.evaluate(async () => {
    const element = document.querySelector('journey-map');
    const blob = await element.toPng();
    const bitmap = await createImageBitmap(blob);
    const svg = element.querySelector('svg');
    return [bitmap.width, bitmap.height, Number(svg.getAttribute('width')), Number(svg.getAttribute('height'))];
  });
  check(elementPng[0] === elementPng[2] && elementPng[1] === elementPng[3],
    `<journey-map>.toPng() draws the map at its size: ${elementPng}`);
  await page2.addScriptTag({ path: process.env.AXE });
  const pageAxe = await page2.evaluate(async () => (await window.axe.run(document, { resultTypes: ['violations'] }))
    .violations.map((v) => `${v.id} (${v.nodes.length}): ${v.nodes[0].html.slice(0, 120)}`));
  check(pageAxe.length === 0, `the element page: axe-core finds ${pageAxe.join('; ')}`);
  await page2.screenshot({ path: join(artifacts, 'map-element.png'), fullPage: true });
  check(errors.length === 0, `element page errors: ${errors.join('; ')}`);

  // The same element in React and in Vue, with no wrapper: drawn, and a
  // click on a card reaches the framework's state.
  for (const framework of ['react', 'vue']) {
    const app = await browser.newPage();
    app.on('pageerror', (error) => errors.push(`${framework}: ${error}`));
    await app.goto(`${url}${framework}.html`);
    await app.waitForSelector('journey-map[data-state=ready], journey-map[data-state=error]', { timeout: 30000 });
    check((await app.getAttribute('journey-map', 'data-state')) === 'ready', `${framework}: <journey-map> draws`);
    check((await app.$$('journey-map path.flow')).length > 20, `${framework}: the flows attribute reaches the map`);
    await app.click('journey-map .touchpoint[data-id="contact_form"]');
    await app.waitForFunction(() => document.getElementById('chosen').textContent.startsWith('Selected:'));
    check((await app.textContent('#chosen')) === 'Selected: contact_form (consideration)',
      `${framework}: the select event reaches its state: ${await app.textContent('#chosen')}`);
    await app.screenshot({ path: join(artifacts, `map-${framework}.png`), fullPage: true });
  }
  check(errors.length === 0, `framework page errors: ${errors.join('; ')}`);
} finally {
  await close();
}
finish('browser map');
