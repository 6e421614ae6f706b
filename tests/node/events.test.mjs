// Event logs in the Node build: CSV with bad rows, push, traces, discovery,
// conformance, funnel from data, fit and attribution — the same numbers as Rust.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const pkg = process.env.JOURNEY_WASM_PKG;
const root = process.env.JOURNEY_ROOT;
const main = await import(join(pkg, 'node.mjs'));
const { JourneyModel, JourneyError, EventLog, Tracker } = main;
// Writing CSV (toCsv) is in the full build, with the other formats, and so
// is attribution (attributePaths, JourneyModel.attribution).
const full = await import(join(pkg, 'full', 'node.mjs'));
const { attributePaths } = full;
const gymText = readFileSync(join(root, 'examples/data/gym.json'), 'utf8');
const gym = JourneyModel.fromJson(gymText);
const fullGym = full.JourneyModel.fromJson(gymText);
const csv = readFileSync(join(root, 'examples/data/gym-events.csv'), 'utf8');
const csvOptions = { measures: ['csat', 'ces', 'nps'] };

function loaded() {
  const log = new EventLog();
  log.readCsv(csv, csvOptions);
  return log;
}

test('reading the bundled log reports every bad row', () => {
  const log = new EventLog();
  const report = log.readCsv(csv, csvOptions);
  assert.equal(report.rows_read, 1353);
  assert.equal(report.rows_used, 1351);
  assert.equal(report.rows_skipped, 2);
  assert.deepEqual(report.problems.map((p) => p.row), [1351, 1352]);
  assert.equal(log.length, 1351);
  assert.throws(() => log.readCsv(csv, { ...csvOptions, on_error: 'fail' }), (error) => {
    assert.ok(error instanceof JourneyError);
    assert.equal(error.code, 'csv_error');
    assert.match(error.message, /row 1351/);
    return true;
  });
  assert.throws(() => log.readCsv('a,b\n1,2\n'), (e) => e.code === 'csv_error' && /no column/.test(e.message));
  assert.throws(() => log.readCsv(csv, { delimiter: 7 }), (e) => e.code === 'invalid_option' && e.message.includes('delimiter'));
});

test('push, traces and discovery', () => {
  const log = new full.EventLog();
  log.push({ customer: 'a', timestamp: 0, name: 'x' });
  log.push({ customer: 'a', timestamp: 1000, name: 'y', channel: 'web', measures: { nps: 10 } });
  log.push({ customer: 'b', timestamp: 0, name: 'x' });
  assert.equal(log.length, 3);
  assert.throws(() => log.push({ customer: 'c' }), (e) => e.code === 'invalid_argument');
  assert.throws(() => log.push({ customer: '', timestamp: 0, name: 'x' }), (e) => e.code === 'invalid_argument');
  const traces = log.traces();
  assert.deepEqual(traces.traces.map((t) => t.steps.map((s) => s.touchpoint)), [['x', 'y'], ['x']]);
  const report = log.discover(undefined, 5);
  assert.equal(report.traces, 2);
  assert.deepEqual(report.edges.map((e) => [e.from, e.to, e.count, e.mean_ms]), [['x', 'y', 1, 1000]]);
  assert.deepEqual(report.measures, [{ touchpoint: 'y', measure: 'nps', count: 1, mean: 10, nps: 100, csat_share: null }]);
  assert.match(log.toCsv(), /^customer,timestamp,event,channel,nps\n/);
  assert.equal(typeof EventLog.prototype.toCsv, 'undefined');
});

test('conformance, data funnel, fit and attribution against the gym journey', () => {
  const log = loaded();
  const traces = gym.traces('gym', log);
  assert.equal(traces.unknown_events.chat_widget, 59);
  assert.throws(() => gym.traces('gym', log, { session_gap: -1 }),
    (e) => e.name === 'JourneyError' && e.code === 'invalid_option' && /session_gap: must not be negative/.test(e.message));
  const conformance = gym.conformance('gym', log, undefined, 3);
  assert.equal(conformance.transitions, 1050);
  assert.equal(conformance.deviations.length, 3);
  assert.equal(conformance.deviations[0].kind, 'unknown_touchpoint');
  const funnel = gym.dataFunnel('gym', log);
  assert.deepEqual(funnel.map((s) => s.stage), ['awareness', 'consideration', 'conversion', 'retention', 'advocacy']);
  assert.equal(funnel[0].traces, 301);
  const fitted = gym.fit('gym', log, undefined, { add_unmapped: true });
  assert.ok(fitted.touchpoint('gym', 'chat_widget'));
  assert.ok(Math.abs(fitted.analyze('gym').goal_probability - 22 / 301) < 0.01);
  // Higher-order context: a tracker of the fitted journey predicts from the
  // last touchpoints, with the observed shares.
  const contextual = gym.fit('gym', log, { unknown: 'drop' }, { context_order: 3, context_min_count: 3 });
  const rows = contextual.journey('gym').context;
  assert.ok(rows.length >= 5 && rows.some((row) => row.path.length === 3));
  const tracker = new Tracker(contextual, 'gym');
  for (const [k, row] of rows.entries()) {
    row.path.forEach((id, t) => tracker.observe(`c${k}`, id, t * 60000));
    const total = Object.values(row.next).reduce((a, b) => a + b, 0) + (row.ends ?? 0);
    const next = tracker.next(`c${k}`, 20);
    assert.deepEqual(Object.fromEntries(next.map((s) => [s.touchpoint, s.probability])),
      Object.fromEntries(Object.entries(row.next).map(([id, n]) => [id, n / total])));
  }
  assert.throws(() => gym.fit('gym', log, undefined, { context_order: 9 }), (e) => e.code === 'invalid_option');
  const fullLog = new full.EventLog();
  fullLog.readCsv(csv, csvOptions);
  const attribution = fullGym.attribution('gym', fullLog, undefined, { orders: [1, 2] });
  assert.equal(attribution.conversions, 22);
  assert.equal(attribution.markov.length, 2);
  const credited = attribution.markov[0].touchpoints.reduce((sum, t) => sum + t.conversions, 0);
  assert.ok(Math.abs(credited - 22) < 1e-9);
  assert.throws(() => fullGym.attribution('gym', fullLog, undefined, { orders: [9] }), (e) => e.code === 'invalid_option');
  // Time decay from the log's timestamps: every conversion shared out.
  const decay = fullGym.attribution('gym', fullLog, undefined, { half_life_days: 7 });
  const decayed = decay.heuristics.reduce((sum, t) => sum + t.time_decay, 0);
  assert.ok(Math.abs(decayed - 22) < 1e-9, `${decayed}`);
  assert.equal(attribution.heuristics[0].time_decay, undefined);
  // The default build goes without attribution.
  assert.equal(main.attributePaths, undefined);
  assert.equal(gym.attribution, undefined);
  assert.throws(() => gym.conformance('pool', log), (e) => e.code === 'not_found');
});

test('attribution from path data', () => {
  const result = attributePaths('path,total_conversions,total_conversion_value,total_null\nc1 > c2,1,10,0\nc1,0,0,1\nc2,1,4,0\n');
  const markov = result.markov[0];
  assert.ok(Math.abs(markov.conversion_probability - 2 / 3) < 1e-15);
  assert.deepEqual(markov.touchpoints.map((t) => t.touchpoint), ['c1', 'c2']);
  assert.ok(Math.abs(markov.touchpoints[0].removal_effect - 0.5) < 1e-15);
  assert.throws(() => attributePaths('x\n1\n'), (e) => e.code === 'csv_error');
  // The work bound is the caller's to set, and refuses before the work.
  assert.throws(
    () => attributePaths('path,total_conversions\nc1 > c2,1\n', undefined, { max_work: 1 }),
    (e) => e instanceof full.JourneyError && e.code === 'limit_exceeded' && /order-1 removal effects/.test(e.message),
  );
});

test('position-based and Shapley attribution, and touchpoints of few customers grouped', () => {
  const csv =
    'path,total_conversions,total_conversion_value,total_null\n' +
    'a > b > c > d,1,10,0\na > b,1,4,0\nc,2,6,0\nb > a > b,0,0,3\n';
  const result = attributePaths(csv, undefined, { position_weights: [2, 1, 1] });
  const h = result.heuristics;
  assert.deepEqual(h.map((t) => t.touchpoint), ['a', 'b', 'c', 'd']);
  assert.deepEqual(h.map((t) => t.shapley), [0.75, 0.75, 2.25, 0.25]);
  assert.deepEqual(h.map((t) => t.shapley_value), [4.5, 4.5, 8.5, 2.5]);
  assert.deepEqual(h[2].ordered_shapley, [2, 0, 0.25]);
  assert.deepEqual(h.map((t) => t.customers), [5, 5, 3, 1]);
  const expected = [0.5 + 2 / 3, 0.125 + 1 / 3, 2.125, 0.25];
  h.forEach((t, i) => assert.ok(Math.abs(t.position_based - expected[i]) < 1e-15, `${t.touchpoint}`));
  const grouped = attributePaths(csv, undefined, { min_customers: 2 });
  assert.deepEqual(grouped.heuristics.map((t) => t.touchpoint), ['(other)', 'a', 'b', 'c']);
  assert.throws(
    () => attributePaths(csv, undefined, { position_weights: [0, 0, 0] }),
    (e) => e instanceof full.JourneyError && e.code === 'invalid_option' && /position_weights/.test(e.message),
  );
});

test('removal effects of sequences and the Markov order chosen from the data', () => {
  const csv = 'path,total_conversions,total_null\na > b,1,0\nb > a,1,0\n';
  const result = attributePaths(csv, undefined, { orders: [1, 2], sequences: [['a', 'b'], ['b']] });
  assert.deepEqual(result.markov[0].sequences, [
    { sequence: ['a', 'b'], removal_effect: 0.375 },
    { sequence: ['b'], removal_effect: result.markov[0].touchpoints[1].removal_effect },
  ]);
  assert.equal(result.markov[1].sequences[0].removal_effect, 0.5);
  assert.throws(
    () => attributePaths(csv, undefined, { sequences: [['a', 'b', 'a']] }),
    (e) => e.code === 'invalid_option' && /at least 2, not 1/.test(e.message),
  );
  const auto = attributePaths('path,total_conversions,total_null\na > c,50,0\nb > c,0,50\n', undefined, {
    orders: [],
    auto_order: true,
  });
  assert.equal(auto.order_choice.order, 2);
  assert.deepEqual(auto.order_choice.scores.map((s) => [s.order, s.parameters, s.observations]), [
    [1, 2, 300],
    [2, 1, 300],
    [3, 1, 300],
    [4, 1, 300],
  ]);
  assert.deepEqual(auto.markov.map((m) => m.order), [2]);
  assert.equal(attributePaths(csv).order_choice, null);
});

test('results equal the Rust results for the bundled log', () => {
  const expected = JSON.parse(readFileSync(join(process.env.JOURNEY_EXPECTED, 'replay.json'), 'utf8'));
  const log = new EventLog();
  assert.deepStrictEqual(log.readCsv(csv, csvOptions), expected.read);
  assert.deepStrictEqual(gym.conformance('gym', log), expected.conformance);
  assert.deepStrictEqual(gym.dataFunnel('gym', log), expected.data_funnel);
  assert.deepStrictEqual(log.discover(undefined, 10), expected.discovery);
  const fullLog = new full.EventLog();
  fullLog.readCsv(csv, csvOptions);
  assert.deepStrictEqual(fullGym.attribution('gym', fullLog, undefined, { orders: [1, 2] }), expected.attribution);
});

test('naive times in a tz database zone, by the JS engine\'s rules, give the instants Rust gives', () => {
  const log = new EventLog();
  // The night Paris skips 02:00-03:00, the night it goes back, a winter
  // and a summer day, a date alone, and New York.
  const text = 'customer,timestamp,event\n' +
    'p,2026-03-29 01:30:00,A\np,2026-03-29 02:30:00,B\np,2026-03-29 03:30:00,C\n' +
    'q,2026-10-25 02:30:00,A\nq,2026-01-15T10:00:00,B\nq,2026-07-15,C\n';
  assert.equal(log.readCsv(text, { time_zone: 'Europe/Paris' }).rows_used, 6);
  log.readCsv('customer,timestamp,event\nn,2011-10-11 13:45:40,A\n', { time_zone: 'America/New_York' });
  const times = Object.fromEntries(log.traces().traces.map((t) =>
    [t.customer, t.steps.map((s) => new Date(s.timestamp).toISOString())]));
  assert.deepEqual(times, {
    p: ['2026-03-29T00:30:00.000Z', '2026-03-29T01:30:00.000Z', '2026-03-29T01:30:00.000Z'],
    q: ['2026-01-15T09:00:00.000Z', '2026-07-14T22:00:00.000Z', '2026-10-25T00:30:00.000Z'],
    n: ['2011-10-11T17:45:40.000Z'],
  });
});

test('timestamps as exports write them, fields as written, and an empty read refused', () => {
  const naive = 'customer,timestamp,event\nc1,2011-10-11 13:45:40,A\nc1,2011-10-11 13:45:41, A\n';
  const log = new EventLog();
  assert.throws(() => log.readCsv(naive), (e) => {
    assert.ok(e instanceof JourneyError);
    assert.equal(e.code, 'csv_error');
    assert.match(e.message, /^CSV row 2: no event was read: all 2 rows were bad \(line 2: timestamp "2011-10-11 13:45:40" has no time zone/);
    return true;
  });
  assert.equal(log.length, 0);
  assert.throws(() => log.readCsv(naive, { time_zone: 'Mars/Olympus' }),
    (e) => e.code === 'invalid_option' && /"Mars\/Olympus" is not a time zone known to the JS engine \(Intl\)/.test(e.message));
  assert.throws(() => log.readCsv(naive, { timestamp_format: { pattern: '%Q' } }), (e) => e.code === 'invalid_option');
  assert.equal(log.readCsv(naive, { time_zone: '+02:00' }).rows_used, 2);
  log.readCsv('customer,timestamp,event\nc1,11/10/2011 13:45:40.2761,A \n', {
    trim: true,
    time_zone: 'UTC',
    timestamp_format: { pattern: '%d/%m/%Y %H:%M:%S%.f' },
  });
  const report = log.discover(undefined, 5);
  assert.deepEqual(report.frequencies, { ' A': 1, A: 2 });
  const steps = log.traces().traces[0].steps;
  assert.deepEqual(steps.map((s) => [s.touchpoint, s.timestamp, s.micros ?? 0]), [
    ['A', 1318340740000 - 7200000, 0],
    [' A', 1318340741000 - 7200000, 0],
    ['A', 1318340740276, 100],
  ]);
  const written = new full.EventLog();
  written.push({ customer: 'c1', timestamp: 1318340740276, micros: 100, name: 'A' });
  assert.match(written.toCsv(), /c1,2011-10-11T13:45:40\.276100Z,A,/);
  written.free();
  assert.deepEqual(new EventLog().readCsv('customer,timestamp,event\n', { allow_empty: true }).rows_used, 0);
  log.push({ customer: 'c2', timestamp: 5, micros: 7, name: 'x' });
  assert.deepEqual(log.traces().traces[1].steps[0].micros, 7);
});
