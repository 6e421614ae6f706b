// Mermaid's own parser reads every journey the package writes, and reads the
// same tasks, scores and actors as our import does: the bundled journeys,
// a journey of awkward names, a generated journey, and every Mermaid fixture
// (among them the example of Mermaid's documentation), as written and as
// re-exported. Run by scripts/test-wasm.sh with MERMAID_TOOLS (a folder
// with mermaid and jsdom installed), JOURNEY_WASM_PKG and JOURNEY_ROOT.
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { checks } from '../../checks.mjs';

const tools = process.env.MERMAID_TOOLS;
const root = process.env.JOURNEY_ROOT;
const require = createRequire(join(tools, 'package.json'));
// Mermaid sanitises labels with DOMPurify, which needs a DOM.
const { JSDOM } = require('jsdom');
const dom = new JSDOM('<!doctype html><html><body></body></html>');
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const mermaid = (await import(require.resolve('mermaid'))).default;
// Mermaid is in the full build (journey-wasm/full).
const { JourneyModel } = await import(join(process.env.JOURNEY_WASM_PKG, 'full', 'node.mjs'));

const { check, finish } = checks();

const plain = (text) => (text ?? '').replace(/^\u200b/, '').replace(/\s+/g, ' ').trim();

/** What Mermaid reads: title, description and tasks. */
async function theirs(text) {
  await mermaid.parse(text);
  const db = (await mermaid.mermaidAPI.getDiagramFromText(text)).db;
  return {
    title: plain(db.getDiagramTitle()),
    description: plain(db.getAccDescription()),
    tasks: db.getTasks().map((t) => [plain(t.section), plain(t.task), t.score,
      t.people.map(plain).filter((p) => p !== '')]),
  };
}

/** What our import reads. */
function ours(text) {
  const model = JourneyModel.fromMermaid(text);
  const document = JSON.parse(model.toJson());
  model.free();
  const journey = document.journeys[0];
  const persona = new Map((document.personas ?? []).map((p) => [p.id, p.name]));
  const stage = new Map(journey.stages.map((s) => [s.id, s.name]));
  return {
    title: plain(journey.name),
    description: plain(journey.description),
    tasks: journey.touchpoints.map((t) => [plain(stage.get(t.stage)), plain(t.name), t.emotion + 3,
      (t.personas ?? []).map((p) => persona.get(p))]),
  };
}

async function compare(name, text) {
  let mine;
  let read;
  try {
    read = await theirs(text);
  } catch (error) {
    check(false, `${name}: Mermaid refuses it: ${error.message.split('\n')[0]}`);
    return;
  }
  try {
    mine = ours(text);
  } catch (error) {
    check(false, `${name}: our import refuses it: ${error.message}`);
    return;
  }
  if (read.title !== '') check(read.title === mine.title, `${name}: title ${read.title} vs ${mine.title}`);
  check(read.description === mine.description, `${name}: description ${read.description} vs ${mine.description}`);
  check(read.tasks.length === mine.tasks.length, `${name}: ${read.tasks.length} vs ${mine.tasks.length} tasks`);
  read.tasks.forEach((task, i) => {
    const [section, title, score, people] = mine.tasks[i] ?? [];
    check(task[0] === section, `${name}: task ${i} section ${JSON.stringify(task[0])} vs ${JSON.stringify(section)}`);
    check(task[1] === title, `${name}: task ${i} name ${JSON.stringify(task[1])} vs ${JSON.stringify(title)}`);
    check(Math.abs(task[2] - score) < 1e-9, `${name}: task ${i} score ${task[2]} vs ${score}`);
    check(JSON.stringify(task[3]) === JSON.stringify(people), `${name}: task ${i} actors ${task[3]} vs ${people}`);
  });
}

const texts = [];
const fixtures = join(root, 'examples/data/mermaid');
for (const file of readdirSync(fixtures).sort()) {
  const path = join(fixtures, file);
  if (file.endsWith('.mmd')) {
    const text = readFileSync(path, 'utf8');
    texts.push([file, text]);
    const model = JourneyModel.fromMermaid(text);
    const id = JSON.parse(model.toJson()).journeys[0].id;
    texts.push([`${file} re-exported`, model.toMermaid(id)]);
    model.free();
  }
}
for (const [file, ids] of [['examples/data/gym.json', ['gym']], ['examples/data/shoe.json', null],
  ['examples/data/mermaid/awkward-names.json', ['awkward']]]) {
  const model = JourneyModel.fromJson(readFileSync(join(root, file), 'utf8'));
  for (const journey of ids ?? model.journeys().map((j) => j.id)) {
    texts.push([`${file} ${journey}`, model.toMermaid(journey)]);
  }
  model.free();
}
if (process.env.SYNTHETIC_MERMAID) {
  texts.push(['generated journey of 100 touchpoints', readFileSync(process.env.SYNTHETIC_MERMAID, 'utf8')]);
}
for (const [name, text] of texts) await compare(name, text);
check(texts.length >= 8, `${texts.length} texts`);
finish('mermaid');
