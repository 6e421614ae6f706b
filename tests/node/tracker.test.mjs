// The live tracker in the Node build: replaying the bundled log agrees with
// the log's traces; queries, bad input, snapshot/restore.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const pkg = process.env.JOURNEY_WASM_PKG;
const root = process.env.JOURNEY_ROOT;
const { JourneyModel, JourneyError, EventLog, Tracker } = await import(join(pkg, 'node.mjs'));
const gym = JourneyModel.fromJson(readFileSync(join(root, 'examples/data/gym.json'), 'utf8'));
const csv = readFileSync(join(root, 'examples/data/gym-events.csv'), 'utf8');

function rows() {
  // customer,timestamp,event,... with RFC 3339 times; the bad rows are skipped.
  return csv
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => line.split(','))
    .map(([customer, time, name]) => ({ customer, time: Date.parse(time), name }))
    .filter((row) => row.customer && Number.isFinite(row.time) && row.name);
}

test('replaying the bundled log agrees with its traces', () => {
  const tracker = new Tracker(gym, 'gym', { history: 500, reorder_window_ms: 1e15 });
  const outcomes = {};
  for (const { customer, time, name } of rows()) {
    const observed = tracker.observe(customer, name, time);
    outcomes[observed] = (outcomes[observed] ?? 0) + 1;
  }
  const log = new EventLog();
  log.readCsv(csv);
  const traces = gym.traces('gym', log, { unknown: 'drop' });
  const unknown = Object.values(traces.unknown_events).reduce((a, b) => a + b, 0);
  assert.equal(outcomes.unknown, unknown);
  assert.equal(outcomes.placed, log.length - unknown);
  assert.equal(tracker.stats().customers, traces.traces.length);
  for (const trace of traces.traces.filter((_, i) => i % 7 === 0)) {
    const last = trace.steps.at(-1);
    const position = tracker.position(trace.customer);
    assert.equal(position.touchpoint, last.touchpoint);
    assert.equal(position.last_seen, last.timestamp);
    const history = tracker.history(trace.customer, 1000).reverse();
    assert.deepEqual(
      history.map((v) => [v.touchpoint, v.timestamp]),
      trace.steps.map((s) => [s.touchpoint, s.timestamp]),
    );
  }
});

test('queries answer as in Rust and C', () => {
  const tracker = new Tracker(gym, 'gym', { touchpoint_limits: { free_trial_signup: 1000 } });
  const t0 = 1767225600000;
  assert.equal(tracker.observe('ann', 'online_reviews', t0), 'placed');
  assert.equal(tracker.observe('ann', 'free_trial_popup', t0 + 120000), 'placed');
  assert.equal(tracker.observe('ann', 'contact_form', t0 + 60000), 'placed');
  assert.equal(tracker.observe('ann', 'online_reviews', t0 - 3600000), 'late');
  assert.equal(tracker.observe('ann', 'not_on_the_map', t0), 'unknown');
  assert.deepEqual(tracker.position('ann'), {
    touchpoint: 'free_trial_popup',
    stage: 'consideration',
    touchpoint_since: t0 + 120000,
    stage_since: t0 + 60000,
    last_seen: t0 + 120000,
    time_in_stage_ms: 60000,
  });
  assert.equal(tracker.position('nobody'), undefined);
  assert.deepEqual(
    tracker.history('ann', 5, { channel: 'review_site' }),
    [{ touchpoint: 'online_reviews', timestamp: t0 }],
  );
  assert.deepEqual(tracker.seen('ann', 'contact_form'), { count: 1, first: t0 + 60000, last: t0 + 60000 });
  assert.equal(tracker.seen('ann', 'facility_tour'), undefined);
  assert.deepEqual(tracker.next('ann', 3), [
    { touchpoint: 'free_trial_signup', probability: 0.5 },
    { touchpoint: 'contact_form', probability: 0.2 },
  ]);
  const goal = tracker.goalProbability('ann');
  const expected = gym.analyze('gym').touchpoints.find((t) => t.touchpoint === 'free_trial_popup').goal_probability;
  assert.equal(goal, expected);
  const priority = tracker.priority('ann');
  assert.equal(priority.risk, 1 - expected);
  assert.equal(priority.level, 'urgent');
  assert.equal(tracker.goalProbability('nobody'), undefined);
  tracker.observe('bo', 'free_trial_signup', t0);
  assert.deepEqual(tracker.due(t0 + 5000), [
    { customer: 'bo', touchpoint: 'free_trial_signup', stage: 'conversion', reason: 'touchpoint', overdue_ms: 4000 },
  ]);
  assert.deepEqual(tracker.stats(), { customers: 2, placed: 4, late: 1, unknown: 1, evicted: 0 });

  const snapshot = tracker.snapshot();
  assert.ok(snapshot instanceof Uint8Array);
  const restored = Tracker.restore(gym, 'gym', snapshot);
  assert.deepEqual(restored.position('ann'), tracker.position('ann'));
  assert.deepEqual(Buffer.from(restored.snapshot()), Buffer.from(snapshot));
  assert.ok(restored.forget('ann'));
  assert.equal(restored.position('ann'), undefined);
  restored.free();
  tracker.free();
});

test('bad input throws JourneyError with a code', () => {
  const tracker = new Tracker(gym, 'gym');
  const code = (f, expected) =>
    assert.throws(f, (e) => e instanceof JourneyError && e.code === expected, expected);
  code(() => tracker.observe('', 'online_reviews', 0), 'invalid_argument');
  code(() => tracker.observe('a', 'online_reviews', 1.5), 'invalid_argument');
  code(() => tracker.observe('a', 'online_reviews', NaN), 'invalid_argument');
  code(() => new Tracker(gym, 'pool'), 'not_found');
  code(() => new Tracker(gym, 'gym', { history: 0 }), 'invalid_option');
  code(() => new Tracker(gym, 'gym', { history: 'many' }), 'invalid_option');
  code(() => Tracker.restore(gym, 'gym', new TextEncoder().encode('{"format":"x"')), 'unsupported_schema');
  // A damaged snapshot (cut, or one bit changed) is refused, and the tracker stays usable.
  const saved = tracker.snapshot();
  code(() => Tracker.restore(gym, 'gym', saved.subarray(0, saved.length - 1)), 'invalid_snapshot');
  const flipped = Uint8Array.from(saved);
  flipped[flipped.length - 3] ^= 4;
  code(() => Tracker.restore(gym, 'gym', flipped), 'invalid_snapshot');
  assert.ok(Tracker.restore(gym, 'gym', saved) instanceof Tracker);
  tracker.free();
});
