// The npm package's Node build: every exported function, every error path,
// and results identical to the Rust serialization.
// Run by scripts/test-wasm.sh: JOURNEY_WASM_PKG=<package dir> node --test
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const pkg = process.env.JOURNEY_WASM_PKG;
const root = process.env.JOURNEY_ROOT;
const expectedDir = process.env.JOURNEY_EXPECTED;
const { JourneyModel, EventLog, Tracker, JourneyError, version } = await import(join(pkg, 'node.mjs'));
const entry = await import(join(pkg, 'node.mjs'));
// Mermaid and Graphviz DOT are in the full build (journey-wasm/full).
const full = await import(join(pkg, 'full', 'node.mjs'));
const gymText = readFileSync(join(root, 'examples/data/gym.json'), 'utf8');
const shoeText = readFileSync(join(root, 'examples/data/shoe.json'), 'utf8');

function throwsJourneyError(fn, code, pattern, errorClass = JourneyError) {
  assert.throws(fn, (error) => {
    assert.ok(error instanceof errorClass, `not a JourneyError: ${error}`);
    assert.ok(error instanceof Error);
    assert.equal(error.name, 'JourneyError');
    assert.equal(error.code, code);
    if (pattern) assert.match(error.message, pattern);
    return true;
  });
}

test('version matches the package', () => {
  const manifest = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8'));
  assert.equal(version(), manifest.version);
});

test('analyze gives exactly the Rust results for the fixtures', () => {
  for (const [text, id] of [[gymText, 'gym'], [shoeText, 'shoe']]) {
    const model = JourneyModel.fromJson(text);
    const expected = JSON.parse(readFileSync(join(expectedDir, `${id}.json`), 'utf8'));
    assert.deepStrictEqual(model.analyze(id), expected);
    model.free();
  }
});

test('known values of the gym journey', () => {
  const model = JourneyModel.fromJson(gymText);
  const analysis = model.analyze('gym');
  assert.ok(Math.abs(analysis.goal_probability - 4014234 / 37999375) < 1e-12);
  assert.deepEqual(analysis.funnel.map((s) => s.stage), ['awareness', 'consideration', 'conversion', 'retention', 'advocacy']);
  assert.equal(analysis.pain_points[0].touchpoint, 'trial_ending_email');
  assert.deepEqual(analysis.gaps.missing_touchpoints, ['success_stories', 'live_chat', 'mobile_app', 'community_events', 'loyalty_rewards']);
  const top1 = model.analyze('gym', { top: 1 });
  assert.equal(top1.paths.to_goal.length, 1);
  assert.equal(top1.moments_of_truth.length, 1);
});

test('round trip through JSON text and plain objects', () => {
  const model = JourneyModel.fromJson(gymText);
  const json = model.toJson();
  assert.equal(JourneyModel.fromJson(json).toJson(), json);
  const object = model.toObject();
  assert.equal(object.schema, 'journey/1');
  assert.equal(JourneyModel.fromObject(object).toJson(), json);
  // Unknown fields survive.
  const extended = JSON.parse(gymText);
  extended.journeys[0].x_color = '#0a0';
  assert.equal(JourneyModel.fromObject(extended).journey('gym').x_color, '#0a0');
});

test('validate reports findings as plain objects', () => {
  const model = JourneyModel.fromJson(gymText);
  assert.deepEqual(model.validate(), { findings: [] });
  const broken = JSON.parse(gymText);
  broken.journeys[0].transitions[0].probability = 1.7;
  broken.journeys[0].touchpoints[0].emotion = 9;
  const findings = JourneyModel.fromObject(broken).validate().findings;
  assert.deepEqual(
    findings.map((f) => [f.severity, f.code, f.path]),
    [
      ['error', 'emotion_out_of_range', 'journeys[gym].touchpoints[online_reviews].emotion'],
      ['error', 'probability_out_of_range', 'journeys[gym].transitions[0].probability'],
    ],
  );
});

test('accessors', () => {
  const model = JourneyModel.fromJson(gymText);
  assert.deepEqual(model.personas().map((p) => p.id), ['fitness_beginner']);
  assert.deepEqual(model.journeys().map((j) => j.id), ['gym']);
  assert.equal(model.journey('gym').name, 'Joining a gym');
  assert.equal(model.stages('gym').length, 5);
  assert.equal(model.touchpoints('gym').length, 23);
  const form = model.touchpoint('gym', 'contact_form');
  assert.equal(form.stage, 'consideration');
  assert.deepEqual(form.measures.ces, { value: 5.2, sample_size: 40 });
  assert.equal(model.touchpoint('gym', 'mobile_app').status, 'missing');
});

test('compare two journeys', () => {
  const doc = JSON.parse(gymText);
  const future = structuredClone(doc.journeys[0]);
  future.id = 'gym_future';
  future.touchpoints.find((t) => t.id === 'trial_ending_email').emotion = 0;
  doc.journeys.push(future);
  const model = JourneyModel.fromObject(doc);
  const comparison = model.compare('gym', 'gym_future');
  assert.deepEqual(comparison.touchpoints.changed, [{ id: 'trial_ending_email', fields: ['emotion'] }]);
  assert.equal(comparison.goal_probability.delta, 0);
  throwsJourneyError(() => model.compare('gym', 'nope'), 'not_found', /nope/);
});

test('errors are JourneyErrors with stable codes', () => {
  throwsJourneyError(() => JourneyModel.fromJson('{\n  "schema": "journey/1",\n  oops\n}'), 'parse_error', /line 3/);
  throwsJourneyError(() => JourneyModel.fromJson('{"schema": "journey/2"}'), 'unsupported_schema', /journey\/2/);
  throwsJourneyError(() => JourneyModel.fromJson('{"journeys": []}'), 'unsupported_schema');
  throwsJourneyError(() => JourneyModel.fromJson('[1, 2'), 'parse_error');
  const deep = '{"schema":"journey/1","x":' + '['.repeat(5000) + ']'.repeat(5000) + '}';
  throwsJourneyError(() => JourneyModel.fromJson(deep), 'parse_error');
  const many = { schema: 'journey/1', personas: Array.from({ length: 10001 }, (_, i) => ({ id: `p${i}`, name: 'p' })) };
  throwsJourneyError(() => JourneyModel.fromObject(many), 'limit_exceeded', /personas/);
  throwsJourneyError(() => JourneyModel.fromObject(undefined), 'invalid_argument');

  const model = JourneyModel.fromJson(gymText);
  throwsJourneyError(() => model.analyze('pool'), 'not_found', /pool/);
  throwsJourneyError(() => model.journey('pool'), 'not_found');
  throwsJourneyError(() => model.stages('pool'), 'not_found');
  throwsJourneyError(() => model.touchpoints('pool'), 'not_found');
  throwsJourneyError(() => model.touchpoint('gym', 'sauna'), 'not_found', /sauna/);
  throwsJourneyError(() => model.analyze('gym', { top: 'many' }), 'invalid_option', /^invalid option top: /);

  const broken = JSON.parse(gymText);
  broken.journeys[0].touchpoints[7].stage = 'onboarding';
  const invalid = JourneyModel.fromObject(broken);
  assert.throws(() => invalid.analyze('gym'), (error) => {
    assert.ok(error instanceof JourneyError);
    assert.equal(error.code, 'validation_error');
    assert.deepEqual(error.problems.map((p) => p.path), ['journeys[gym].touchpoints[facility_tour].stage']);
    return true;
  });
});

test('the package ships no test-only export', () => {
  assert.equal(entry.__testPanic, undefined);
  const require = createRequire(import.meta.url);
  assert.equal(require(join(pkg, 'node.cjs')).__testPanic, undefined);
});

test('freed handles refuse further use with a JourneyError', () => {
  const model = JourneyModel.fromJson(shoeText);
  model.free();
  throwsJourneyError(() => model.analyze('shoe'), 'invalid_argument', /this JourneyModel has been freed/);
  throwsJourneyError(() => model.toJson(), 'invalid_argument', /freed/);
  const log = new EventLog();
  log.free();
  throwsJourneyError(() => log.length, 'invalid_argument', /this EventLog has been freed/);
  const gym = JourneyModel.fromJson(gymText);
  const tracker = new Tracker(gym, 'gym');
  tracker.free();
  throwsJourneyError(() => tracker.observe('a', 'online_reviews', 0), 'invalid_argument', /this Tracker has been freed/);
  gym.free();
});

test('import init from the package works in Node as in the browser: a no-op', async () => {
  assert.equal(typeof entry.default, 'function');
  assert.equal(await entry.default(), undefined);
  assert.equal(entry.initSync(), undefined);
  const model = JourneyModel.fromJson(shoeText);
  assert.equal(model.analyze('shoe').journey, 'shoe');
  model.free();
});

test('options with an unknown key or a wrong type are refused by name, as in Rust and C', () => {
  const model = JourneyModel.fromJson(gymText);
  throwsJourneyError(() => model.analyze('gym', { topp: 3 }), 'invalid_option',
    /^invalid option topp: unknown field `topp`, expected one of `top`/);
  throwsJourneyError(() => model.analyze('gym', { top: 'many' }), 'invalid_option',
    /^invalid option top: invalid type: string "many", expected usize$/);
  throwsJourneyError(() => model.renderSvg('gym', { analysis: true, colour: 1 }), 'invalid_option', /colour/);
  const fullModel = full.JourneyModel.fromJson(gymText);
  throwsJourneyError(() => fullModel.toDot('gym', { labels: 'weights' }), 'invalid_option', /^invalid option labels: /,
    full.JourneyError);
  fullModel.free();
  throwsJourneyError(() => new Tracker(model, 'gym', { histroy: 3 }), 'invalid_option', /^invalid option histroy: /);
  throwsJourneyError(() => model.compare('gym', 'gym', { tops: 1 }), 'invalid_option', /tops/);
  // Valid keys still work beside the checks.
  assert.equal(model.analyze('gym', { top: 1 }).moments_of_truth.length, 1);
  model.free();
});

test('compare gives what Rust and C give', () => {
  const model = JourneyModel.fromJson(gymText);
  const same = model.compare('gym', 'gym', { top: 1 });
  assert.deepEqual(same.touchpoints, { added: [], removed: [], changed: [] });
  assert.equal(same.goal_probability.delta, 0);
  throwsJourneyError(() => model.compare('gym', 'pool'), 'not_found', /no journey with id "pool"/);
  model.free();
});

test('the CommonJS entry shares the API', () => {
  const require = createRequire(import.meta.url);
  const cjs = require(join(pkg, 'node.cjs'));
  assert.equal(cjs.version(), version());
  assert.equal(cjs.JourneyError, JourneyError);
});

test('toDot gives exactly the Rust DOT text', () => {
  const model = full.JourneyModel.fromJson(gymText);
  const expected = readFileSync(join(expectedDir, 'gym.dot'), 'utf8');
  assert.equal(model.toDot('gym'), expected);
  assert.match(model.toDot('gym', { labels: 'none', vertical: true }), /rankdir=TB/);
  throwsJourneyError(() => model.toDot('pool'), 'not_found', undefined, full.JourneyError);
  throwsJourneyError(() => model.toDot('gym', { labels: 'weights' }), 'invalid_option', undefined, full.JourneyError);
  model.free();
});

test('renderSvg gives exactly the Rust SVG map', () => {
  const model = JourneyModel.fromJson(gymText);
  const expected = readFileSync(join(expectedDir, 'gym.svg'), 'utf8');
  assert.equal(model.renderSvg('gym'), expected);
  assert.equal(model.renderSvg('gym', {}), expected);
  const overlay = model.renderSvg('gym', { analysis: true, counts: { contact_form: 7 } });
  assert.match(overlay, /Consideration · reach 67\.6% · drop-off 27\.3%/);
  assert.match(overlay, />n 7<\/text>/);
  const compact = model.renderSvg('gym', { compact: true, lanes: 'order', missing: false });
  assert.equal(compact.match(/class="touchpoint/g).length, 18);
  throwsJourneyError(() => model.renderSvg('pool'), 'not_found');
  throwsJourneyError(() => model.renderSvg('gym', { compare: ['pool'] }), 'not_found');
  throwsJourneyError(() => model.renderSvg('gym', { lanes: 'diagonal' }), 'invalid_option', /diagonal/);
  model.free();
});

test('renderStageFlow (full build) gives exactly the Rust stage flow', () => {
  const model = full.JourneyModel.fromJson(gymText);
  assert.equal(model.renderStageFlow('gym'), readFileSync(join(expectedDir, 'gym-flow.svg'), 'utf8'));
  assert.match(model.renderStageFlow('gym', { observed: true, theme: 'dark' }), /data-theme="dark"/);
  throwsJourneyError(() => model.renderStageFlow('gym', { observd: true }), 'invalid_option', /observd/, full.JourneyError);
  throwsJourneyError(() => model.renderStageFlow('pool'), 'not_found', undefined, full.JourneyError);
  model.free();
  assert.equal(typeof JourneyModel.prototype.renderStageFlow, 'undefined');
});

test('Mermaid out and in, as in Rust', () => {
  const model = full.JourneyModel.fromJson(gymText);
  const text = model.toMermaid('gym');
  assert.equal(text, readFileSync(join(expectedDir, 'gym.mmd'), 'utf8'));
  const back = full.JourneyModel.fromMermaid(text);
  assert.equal(back.toMermaid('joining_a_gym'), text);
  assert.deepEqual(back.stages('joining_a_gym').map((s) => s.name),
    ['Awareness', 'Consideration', 'Conversion', 'Retention', 'Loyalty and advocacy']);
  back.free();
  const docs = full.JourneyModel.fromMermaid(readFileSync(join(root, 'examples/data/mermaid/working-day.mmd'), 'utf8'));
  const work = docs.journey('my_working_day');
  assert.deepEqual(work.touchpoints.map((t) => [t.name, t.emotion, t.personas]), [
    ['Make tea', 2, ['me']], ['Go upstairs', 0, ['me']], ['Do work', -2, ['me', 'cat']],
    ['Go downstairs', 2, ['me']], ['Sit down', 2, ['me']],
  ]);
  docs.free();
  throwsJourneyError(() => full.JourneyModel.fromMermaid('journey\n  section A\n    Task without a score\n'), 'parse_error',
    /Mermaid line 3: a task is `name: score`/, full.JourneyError);
  // A score Mermaid draws and an emotion cannot hold: clamped, kept, warned.
  const high = full.JourneyModel.fromMermaid('journey\n  section A\n    Task: 9: Me\n');
  const task = JSON.parse(high.toJson()).journeys[0].touchpoints[0];
  assert.equal(task.emotion, 2);
  assert.equal(task.mermaid_score, '9');
  assert.deepEqual(high.validate().findings.filter((f) => f.code === 'mermaid_score').map((f) => f.severity), ['warning']);
  high.free();
  throwsJourneyError(() => model.toMermaid('pool'), 'not_found', undefined, full.JourneyError);
  model.free();
  // The default build leaves them to the full one.
  assert.equal(typeof JourneyModel.fromMermaid, 'undefined');
  assert.equal(typeof JourneyModel.prototype.toMermaid, 'undefined');
  assert.equal(typeof JourneyModel.prototype.toDot, 'undefined');
});

test('a non-string where a string belongs, or a count out of range, is a JourneyError and harms nothing', () => {
  const model = JourneyModel.fromJson(gymText);
  const tracker = new Tracker(model, 'gym');
  const log = new EventLog();
  const wrong = [7, {}, [], null, undefined, Symbol('s'), 10n, () => 'gym'];
  // Alternating hostile and ordinary calls, many rounds (this once corrupted memory).
  for (let round = 0; round < 300; round += 1) {
    const value = wrong[round % wrong.length];
    throwsJourneyError(() => JourneyModel.fromJson(value), 'invalid_argument', /text must be a string/);
    throwsJourneyError(() => model.analyze(value), 'invalid_argument', /journey must be a string/);
    throwsJourneyError(() => tracker.observe(value, 'online_reviews', 0), 'invalid_argument');
    throwsJourneyError(() => log.readCsv(value), 'invalid_argument');
    assert.equal(model.analyze('gym').journey, 'gym');
    assert.equal(tracker.observe(`c${round}`, 'online_reviews', round), 'placed');
  }
  // Lone surrogates are not text: two such keys would read as one customer.
  throwsJourneyError(() => tracker.observe('a\uD800', 'online_reviews', 0), 'invalid_argument', /lone surrogate/);
  throwsJourneyError(() => tracker.position('a\uDC00'), 'invalid_argument', /lone surrogate/);
  assert.equal(tracker.observe('a\uD83D\uDE00', 'online_reviews', 0), 'placed');
  // Counts are whole numbers that fit, never taken modulo 2^32.
  throwsJourneyError(() => tracker.history('c1', 2 ** 32), 'invalid_argument', /whole number/);
  throwsJourneyError(() => tracker.next('c1', -1), 'invalid_argument', /whole number/);
  throwsJourneyError(() => tracker.next('c1', 1.5), 'invalid_argument', /whole number/);
  assert.equal(tracker.history('c1', 2 ** 32 - 1).length, 1);
  assert.equal(tracker.stats().customers, 301);
  tracker.free();
  log.free();
  model.free();
});

test('hostile option objects and events are refused with a JourneyError; the object stays usable', () => {
  const model = JourneyModel.fromJson(gymText);
  const throwing = { get top() { throw new Error('no'); } };
  const trap = new Proxy({}, { ownKeys() { throw new Error('trap'); } });
  let deep = {};
  for (let i = 0; i < 100000; i += 1) deep = { top: deep };
  for (const options of [throwing, trap, deep]) {
    assert.throws(() => model.analyze('gym', options), (e) => e instanceof JourneyError);
    assert.equal(model.analyze('gym').journey, 'gym');
  }
  const log = new EventLog();
  for (const value of [NaN, Infinity, -Infinity]) {
    throwsJourneyError(
      () => log.push({ customer: 'a', name: 'online_reviews', timestamp: 0, measures: { csat: value } }),
      'invalid_argument',
    );
  }
  assert.equal(log.length, 0);
  log.push({ customer: 'a', name: 'online_reviews', timestamp: 0, measures: { csat: 4 } });
  assert.deepEqual(log.traces().traces.map((t) => t.steps.map((step) => step.touchpoint)), [['online_reviews']]);
  log.free();
  model.free();
});
