// Random Mermaid journey diagrams that Mermaid's grammar accepts, with every
// construct its preprocessing and lexer know: front matter (the title plain,
// quoted, folded, as a block scalar, beside nested keys and comments),
// directives on one line or several, %% comment lines, # comments after
// statements, entity codes, accTitle, accDescr on one line or as a block
// (with comment lines inside and a statement after its `}`), `journey title`
// on one line, keywords in any case, `title:` as a task name, tasks before
// any section, empty sections, white space runs, tabs and no-break spaces in
// names, scores Mermaid draws that the model cannot hold (7, 0, 2rem, empty),
// repeated and empty actors, a byte-order mark, and \n, \r\n or \r line
// ends. Seeded: the same seed, the same diagrams.

/** A small seeded generator (mulberry32). */
export function random(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n) => Math.floor(next() * n);
  const pick = (list) => list[int(list.length)];
  const chance = (p) => next() < p;
  return { next, int, pick, chance };
}

const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
// Pieces of names: words, white space runs, Unicode, characters Mermaid
// reads literally inside a name, and entity codes for those it cannot.
const PIECES = [
  'Make', 'tea', 'Go', 'upstairs', 'Größe', 'prüfen', 'café', '日本', 'x', 'Q&A', '50%', 'a}b', "it's", '"quoted"',
  ' ', ' ', ' ', '  ', '\t', '\u00a0', '   ',
  '#35;', '#59;', '#58;', '#44;', '#38;', '#quot;', '#9829;', '#infin;', '#nbsp;', '#amp;', '#lt;', '#gt;', '#unknownname;', '#0;',
  'title', 'section', 'journey', 'accTitle', 'accDescr', '%', '{', '}',
];

function word(r) {
  let w = '';
  const n = 1 + r.int(4);
  for (let i = 0; i < n; i++) w += r.pick(LETTERS);
  return w;
}

/** A name: starts with a word, then pieces (no `:` `#` `;` `,` raw). */
function name(r, { actor = false, block = false } = {}) {
  let text = word(r);
  const n = r.int(5);
  for (let i = 0; i < n; i++) {
    let piece = r.pick(PIECES);
    if (actor && piece === '#44;') piece = ' ';
    // A `}` would close an accDescr block.
    if (block) piece = piece.replace(/}/g, '#125;');
    text += piece;
  }
  if (r.chance(0.3)) text += word(r);
  // `%%{` starts a directive wherever it is.
  return text.replace(/%%\{/g, '%%#123;');
}

function score(r) {
  return r.pick([
    '1', '2', '3', '4', '5', '5', '3', '4.5', '2.25', '1.000001', '3.14159265', ' 4 ', '+2', '.5e1',
    '7', '0', '-1', '2rem', '', '1e3', '0x4',
  ]);
}

function task(r) {
  let line = `${name(r)}: ${score(r)}`;
  if (r.chance(0.8)) {
    const actors = [];
    const n = r.int(4);
    for (let i = 0; i < n; i++) actors.push(r.chance(0.15) ? '' : r.chance(0.3) && actors.length ? actors[0] : name(r, { actor: true }));
    line += `: ${actors.join(r.pick([', ', ',', ' , ']))}`;
  }
  if (r.chance(0.1)) line += ' # a comment';
  return line;
}

/** A YAML scalar for the front matter's title, and its lines. */
function yamlTitle(r) {
  const plain = `${word(r)} ${word(r)}`;
  switch (r.int(6)) {
    case 0: return [`title: ${plain}`];
    case 1: return [`title: '${plain} it''s'`];
    case 2: return [`title: "${plain} \\"q\\" \\t tab"`];
    case 3: return ['title: |', `  ${word(r)}`, `  ${word(r)}`];
    case 4: return ['title: >-', `  ${word(r)}`, `  ${word(r)}`];
    default: return [`title: ${plain} # a comment`];
  }
}

function keyword(r, text) {
  return r.pick([text, text, text.toUpperCase(), text[0].toUpperCase() + text.slice(1)]);
}

/** One diagram. */
export function diagram(r) {
  const lines = [];
  if (r.chance(0.2)) {
    lines.push('---');
    if (r.chance(0.5)) lines.push('config:', '  theme: dark', '  journey:', '    diagramMarginX: 40');
    if (r.chance(0.3)) lines.push('# a comment');
    if (r.chance(0.8) || lines.length === 1) lines.push(...yamlTitle(r));
    lines.push('---');
  }
  if (r.chance(0.15)) lines.push(r.pick(['%%{init: {"theme": "forest"}}%%', '%%{\n  init: {\n    "theme": "dark"\n  }\n}%%', '%%{wrap}%%']));
  if (r.chance(0.2)) lines.push('%% a comment line');
  const sameLineTitle = r.chance(0.1);
  lines.push(sameLineTitle ? `journey ${keyword(r, 'title')} ${name(r)}` : 'journey');
  const statements = [];
  if (!sameLineTitle && r.chance(0.85)) statements.push(`${keyword(r, 'title')} ${name(r)}${r.chance(0.1) ? ' # note' : ''}`);
  if (r.chance(0.3)) statements.push(`accTitle: ${name(r)}`);
  if (r.chance(0.3)) {
    if (r.chance(0.5)) {
      statements.push(`accDescr: ${name(r)}`);
    } else {
      const block = [`accDescr {`, `    ${name(r, { block: true })}`];
      if (r.chance(0.3)) block.push('    %% a comment inside');
      block.push(`    ${name(r, { block: true })}`);
      block.push(r.chance(0.3) ? `  } section ${name(r)}` : '  }');
      statements.push(block.join('\n'));
    }
  }
  // Statements come in any order, with tasks before any section at times.
  const body = [];
  if (r.chance(0.15)) body.push(task(r));
  const sections = r.int(4);
  for (let s = 0; s < sections; s++) {
    body.push(`${keyword(r, 'section')} ${name(r)}${r.chance(0.1) ? ' # note' : ''}`);
    const tasks = r.int(4);
    for (let t = 0; t < tasks; t++) body.push(r.chance(0.05) ? `title: ${score(r).trim() || '3'}` : task(r));
    if (r.chance(0.1)) body.push('%% between tasks');
  }
  const all = [...body];
  for (const statement of statements) all.splice(r.chance(0.7) ? 0 : r.int(all.length + 1), 0, statement);
  for (const line of all) lines.push(`${r.pick(['  ', '    ', '\t', ''])}${line}`);
  let text = lines.join('\n') + (r.chance(0.8) ? '\n' : '');
  const ending = r.pick(['\n', '\n', '\r\n', '\r']);
  if (ending !== '\n') text = text.replace(/\n/g, ending);
  // A byte-order mark, where Mermaid takes it (not before front matter).
  if (r.chance(0.05) && !text.startsWith('---')) text = `\ufeff${text}`;
  return text;
}

/** `text` with one character inserted, removed or replaced: a diagram
 * Mermaid may refuse, for checking that we refuse exactly the same. */
export function mutate(r, text) {
  const at = r.int(text.length + 1);
  const c = r.pick([':', ';', '#', '\n', ' ', '%', '}', '{', ',', 'x', '-']);
  switch (r.int(3)) {
    case 0: return text.slice(0, at) + c + text.slice(at);
    case 1: return text.slice(0, at) + text.slice(at + 1);
    default: return text.slice(0, at) + c + text.slice(at + 1);
  }
}
