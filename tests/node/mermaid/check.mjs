// Our Mermaid import reads what Mermaid's own parser reads, and Mermaid
// reads our export back as the same diagram: the title (from a `title`
// statement or the front matter, as Mermaid's render passes it), accTitle,
// accDescr, the sections (empty ones too), and each task's section, name,
// score and actors. On the fixtures (examples/data/mermaid), the bundled
// journeys, a generated 100-touchpoint journey, and a generated corpus of
// grammar-valid diagrams (corpus.mjs; MERMAID_CORPUS of them, 2,000 by
// default) each also mutated by a character: where Mermaid refuses a text,
// so do we. Import → export → import gives the same document.
//
// Run by scripts/test-wasm.sh with MERMAID_TOOLS (a folder with mermaid and
// jsdom installed), JOURNEY_WASM_PKG and JOURNEY_ROOT.
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { checks } from '../../checks.mjs';
import { diagram, mutate, random } from './corpus.mjs';

const tools = process.env.MERMAID_TOOLS;
const root = process.env.JOURNEY_ROOT;
const require = createRequire(join(tools, 'package.json'));
// Mermaid sanitises labels with DOMPurify, which needs a DOM.
const { JSDOM } = require('jsdom');
const dom = new JSDOM('<!doctype html><html><body></body></html>');
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const mermaidPath = require.resolve('mermaid');
const mermaid = (await import(mermaidPath)).default;
// parse() registers Mermaid's diagram types, which getDiagramFromText needs.
await mermaid.parse('journey\n  title x\n');
// Mermaid's own front-matter matcher and YAML loader, from its chunks
// (found by what they export), as its render() uses them.
const chunks = join(dirname(mermaidPath), 'chunks', 'mermaid.core');
let matchFrontMatter;
let load;
let JSON_SCHEMA;
for (const file of readdirSync(chunks).filter((f) => f.endsWith('.mjs'))) {
  const text = readFileSync(join(chunks, file), 'utf8');
  if (/export \{[^}]*\bmatchFrontMatter\b/.test(text) || (/export \{[^}]*\bJSON_SCHEMA\b/.test(text) && /\bload\b/.test(text))) {
    const module = await import(pathToFileURL(join(chunks, file)).href);
    matchFrontMatter ??= module.matchFrontMatter;
    if (module.JSON_SCHEMA && module.load) ({ load, JSON_SCHEMA } = module);
  }
}
// Mermaid is in the full build (journey-wasm/full).
const { JourneyModel } = await import(join(process.env.JOURNEY_WASM_PKG, 'full', 'node.mjs'));

const { check, finish } = checks();
if (typeof matchFrontMatter !== 'function' || typeof load !== 'function') {
  check(false, "Mermaid's front-matter matcher and YAML loader were not found in its chunks");
  finish('mermaid');
}

const jsTrim = (text) => (text ?? '').trim();
// The entity names our import reads (journey-core/src/mermaid/entity.rs);
// a name HTML knows beyond them is the module docs' one listed difference.
const ourNames = new Set([...readFileSync(join(root, 'journey-core/src/mermaid/entity.rs'), 'utf8')
  .matchAll(/^\s*\("(\w+)", "/gm)].map((m) => m[1]));
const html = (text) => {
  const element = document.createElement('div');
  element.innerHTML = text;
  return element.textContent;
};
// Mermaid's placeholders for entity codes, as its drawing shows them.
const entities = (text) => (text ?? '').replace(/ﬂ°°(\d+)¶ß|ﬂ°(\w+)¶ß/g, (_, n, name) => html(n ? `&#${n};` : `&${name};`));
// Sanitised fields (title, accTitle, accDescr) are HTML: their text.
const sanitised = (text) => html((text ?? '').replace(/ﬂ°°/g, '&#').replace(/ﬂ°/g, '&').replace(/¶ß/g, ';'));

/** The front matter's title as Mermaid's render() passes it. */
function frontMatterTitle(text) {
  const normal = text.replace(/\r\n?/g, '\n').replace(/<(\w+)([^>]*)>/g,
    (_, tag, attributes) => `<${tag}${attributes.replace(/="([^"]*)"/g, "='$1'")}>`);
  const match = matchFrontMatter(normal);
  if (!match) return undefined;
  const body = match.indent
    ? match.body.split('\n').map((line) => (line.startsWith(match.indent) ? line.slice(match.indent.length) : line)).join('\n')
    : match.body;
  let parsed = load(body, { schema: JSON_SCHEMA }) ?? {};
  parsed = typeof parsed === 'object' && !Array.isArray(parsed) ? parsed : {};
  return parsed.title ? parsed.title.toString() : undefined;
}

/** What Mermaid reads, as shown. */
async function theirs(text) {
  const diagram = await mermaid.mermaidAPI.getDiagramFromText(text, { title: frontMatterTitle(text) });
  const db = diagram.db;
  const tasks = db.getTasks();
  const before = tasks.some((t) => t.section === '') ? [''] : [];
  return {
    title: jsTrim(sanitised(db.getDiagramTitle())),
    accTitle: jsTrim(sanitised(db.getAccTitle())),
    description: sanitised(db.getAccDescription()),
    sections: [...before, ...db.getSections()].map((s) => jsTrim(entities(s))),
    tasks: tasks.map((t) => ({
      section: jsTrim(entities(t.section)),
      name: jsTrim(entities(t.task)),
      score: t.score,
      actors: t.people.map((p) => jsTrim(entities(p))).filter((p) => p !== ''),
    })),
  };
}

/** What our import reads, in the same terms. */
function ours(document) {
  const journey = document.journeys[0];
  const mermaidExtra = journey.extra?.mermaid ?? journey.mermaid ?? {};
  const persona = new Map((document.personas ?? []).map((p) => [p.id, p.name]));
  const stage = new Map(journey.stages.map((s) => [s.id, s.name]));
  return {
    title: mermaidExtra.untitled ? '' : journey.name,
    accTitle: mermaidExtra.acc_title ?? '',
    description: journey.description ?? '',
    sections: journey.stages.map((s) => s.name),
    tasks: journey.touchpoints.map((t) => ({
      section: stage.get(t.stage),
      name: t.name,
      score: t.mermaid_score ?? t.extra?.mermaid_score,
      emotion: t.emotion,
      actors: (t.personas ?? []).map((p) => persona.get(p)),
    })),
  };
}

function read(text) {
  const model = JourneyModel.fromMermaid(text);
  const json = model.toJson();
  const id = JSON.parse(json).journeys[0].id;
  const exported = model.toMermaid(id);
  model.free();
  return { document: JSON.parse(json), json, exported };
}

const same = (a, b) => Object.is(a, b) || (typeof a === 'number' && typeof b === 'number' && Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(a)));

/** The differences between Mermaid's reading and ours, as messages. */
function differences(theirs, mine) {
  const found = [];
  const text = (what, a, b) => { if (a !== b) found.push(`${what} ${JSON.stringify(a)} vs ${JSON.stringify(b)}`); };
  text('title', theirs.title, mine.title);
  text('accTitle', theirs.accTitle, mine.accTitle);
  text('accDescr', theirs.description, mine.description);
  text('sections', JSON.stringify(theirs.sections), JSON.stringify(mine.sections));
  text('tasks', theirs.tasks.length, mine.tasks.length);
  theirs.tasks.forEach((task, i) => {
    const m = mine.tasks[i];
    if (!m) return;
    text(`task ${i} section`, task.section, m.section);
    text(`task ${i} name`, task.name, m.name);
    text(`task ${i} actors`, JSON.stringify(task.actors), JSON.stringify(m.actors));
    if (m.score !== undefined) {
      // Kept as written: Mermaid's Number of it; the emotion clamped or none.
      const written = Number(sanitised(m.score.replace(/#(\d+);/g, 'ﬂ°°$1¶ß').replace(/#(\w+);/g, 'ﬂ°$1¶ß')));
      if (!same(written, task.score) && !(Number.isNaN(written) && Number.isNaN(task.score))) found.push(`task ${i} kept score ${m.score} vs ${task.score}`);
      const emotion = Number.isFinite(task.score) ? Math.min(5, Math.max(1, task.score)) - 3 : undefined;
      if (!same(emotion, m.emotion ?? undefined)) found.push(`task ${i} emotion ${m.emotion} for score ${task.score}`);
    } else if (!same(task.score, m.emotion + 3)) {
      found.push(`task ${i} score ${task.score} vs emotion ${m.emotion}`);
    }
  });
  return found;
}

/** Whether `text` names an entity HTML knows and our import does not. */
function otherEntity(text) {
  for (const [, name] of text.matchAll(/#(\w+);/g)) {
    if (!/^\d+$/.test(name) && !ourNames.has(name) && html(`&${name};`) !== `&${name};`) return true;
  }
  return false;
}

let compared = 0;
let documented = 0;
let refusedAlike = 0;
let mutatedAlike = 0;
/** Compares one text; `mustRead`: Mermaid has to accept it. */
async function compare(name, text, { mustRead = true, quiet = false } = {}) {
  if (otherEntity(text)) {
    documented += 1;
    return true;
  }
  let their;
  let theirError;
  try {
    their = await theirs(text);
  } catch (error) {
    theirError = error;
  }
  let mine;
  let myError;
  try {
    mine = read(text);
  } catch (error) {
    myError = error;
  }
  if (theirError || myError) {
    if (theirError && myError) {
      refusedAlike += 1;
      if (mustRead) check(false, `${name}: Mermaid refuses it: ${theirError.message.split('\n')[0]}`);
      return true;
    }
    check(false, `${name}: ${theirError ? `Mermaid refuses it (${theirError.message.split('\n')[0]})` : `our import refuses it (${myError.message})`}, the other reads it: ${JSON.stringify(text)}`);
    return false;
  }
  compared += 1;
  const found = differences(their, ours(mine.document));
  if (found.length > 0 || !quiet) {
    check(found.length === 0, `${name}: ${found.slice(0, 4).join('; ')}${found.length ? ` in ${JSON.stringify(text)}` : ''}`);
  }
  if (found.length > 0) return false;
  // Our export: Mermaid reads the same diagram, and our import the same document.
  let back;
  try {
    back = await theirs(mine.exported);
  } catch (error) {
    check(false, `${name}: Mermaid refuses our export (${error.message.split('\n')[0]}): ${JSON.stringify(mine.exported)}`);
    return false;
  }
  const again = differences(back, ours(mine.document));
  const reread = read(mine.exported);
  const ok = again.length === 0 && reread.json === mine.json && reread.exported === mine.exported;
  if (!ok || !quiet) {
    check(ok, `${name}: exported and read back ${again.slice(0, 4).join('; ')}${reread.json === mine.json ? '' : ' (our document differs)'}${ok ? '' : ` in ${JSON.stringify(mine.exported)}`}`);
  }
  return ok;
}

// Fixtures and the bundled journeys' exports.
const fixtures = join(root, 'examples/data/mermaid');
for (const file of readdirSync(fixtures).sort()) {
  if (file.endsWith('.mmd')) await compare(file, readFileSync(join(fixtures, file), 'utf8'));
}
for (const [file, ids] of [['examples/data/gym.json', ['gym']], ['examples/data/shoe.json', null],
  ['examples/data/mermaid/awkward-names.json', ['awkward']]]) {
  const model = JourneyModel.fromJson(readFileSync(join(root, file), 'utf8'));
  for (const journey of ids ?? model.journeys().map((j) => j.id)) {
    await compare(`${file} ${journey}`, model.toMermaid(journey));
  }
  model.free();
}
if (process.env.SYNTHETIC_MERMAID) {
  await compare('generated journey of 100 touchpoints', readFileSync(process.env.SYNTHETIC_MERMAID, 'utf8'));
}

// The generated corpus, each diagram also mutated once.
const count = Number(process.env.MERMAID_CORPUS ?? 2000);
const r = random(Number(process.env.MERMAID_SEED ?? 20261207));
let passed = 0;
let mutants = 0;
for (let k = 0; k < count; k++) {
  const text = diagram(r);
  if (await compare(`corpus ${k}`, text, { quiet: true })) passed += 1;
  const mutant = mutate(r, text);
  if (await compare(`corpus ${k} mutated`, mutant, { mustRead: false, quiet: true })) mutants += 1;
}
mutatedAlike = mutants;
check(passed === count, `generated corpus: ${passed} of ${count} diagrams read as Mermaid reads them, exported and read back unchanged`);
check(mutatedAlike === count, `mutated corpus: ${mutatedAlike} of ${count} read alike or refused alike (${refusedAlike} refused by both)`);
check(compared >= count, `${compared} diagrams compared (${documented} skipped for an entity name HTML knows and the module docs list)`);
finish('mermaid');
