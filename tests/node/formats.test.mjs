// The full build (journey-wasm/full): XES logs, as text and gzipped bytes,
// and JSON event payloads into a log and into a tracker — the same
// discovery as Rust's, byte for byte, and the same errors as every front.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const pkg = process.env.JOURNEY_WASM_PKG;
const root = process.env.JOURNEY_ROOT;
const expected = process.env.JOURNEY_EXPECTED;
const full = await import(join(pkg, 'full', 'node.mjs'));
const lean = await import(join(pkg, 'node.mjs'));
const { JourneyModel, JourneyError, EventLog, Tracker } = full;
const ALL = 4294967295;
const LOGS = [
  ['running-example.xes', 42],
  ['receipt.xes.gz', 8577],
  ['repair-example.xes.gz', 11855],
];

function bundled(name) {
  const bytes = readFileSync(join(root, 'examples/data/xes', name));
  return name.endsWith('.gz') ? new Uint8Array(bytes) : bytes.toString('utf8');
}

/** A bundled log read into `log`: gzipped ones through readXesGzip. */
function read(log, name) {
  return name.endsWith('.gz') ? log.readXesGzip(bundled(name)) : Promise.resolve(log.readXes(bundled(name)));
}

test('the bundled XES logs give the discovery Rust gives', async () => {
  for (const [name, events] of LOGS) {
    const log = new EventLog();
    const report = await read(log, name);
    assert.deepEqual(
      { read: report.rows_read, used: report.rows_used, skipped: report.rows_skipped },
      { read: events, used: events, skipped: 0 },
      name,
    );
    assert.equal(log.length, events, name);
    const rust = JSON.parse(readFileSync(join(expected, 'discovery', `${name}.json`), 'utf8'));
    assert.deepEqual(log.discover(undefined, ALL), rust, name);
    log.free();
  }
});

test('XES written is read back with every event, its order and its time', async () => {
  for (const [name] of LOGS) {
    const log = new EventLog();
    await read(log, name);
    const written = log.toXes();
    const again = new EventLog();
    again.readXes(written);
    assert.equal(again.length, log.length, name);
    assert.equal(again.toCsv(), log.toCsv(), name);
    assert.equal(again.toXes(), written, name);
  }
});

test('XES bad input: a named error, the log kept', () => {
  const log = new EventLog();
  log.readXes(bundled('running-example.xes'));
  const refused = (data, options, code, pattern) =>
    assert.throws(() => log.readXes(data, options), (error) => {
      assert.ok(error instanceof JourneyError, String(error));
      assert.equal(error.code, code);
      assert.match(error.message, pattern);
      return true;
    });
  refused('<log><trace>', undefined, 'csv_error', /XES line/);
  // Gzipped bytes go through readXesGzip: the WebAssembly has no inflater.
  refused(bundled('receipt.xes.gz'), undefined, 'invalid_argument', /gzip-compressed.*inflate it first/);
  refused(42, undefined, 'invalid_argument', /data must be a string/);
  refused('<log/>', { classifer: 'x' }, 'invalid_option', /classifer/);
  refused(bundled('running-example.xes'), { classifier: 'Nope' }, 'invalid_option', /declares no classifier "Nope"/);
  assert.equal(log.length, 42);
  const bad = '<log><trace><string key="concept:name" value="c"/>' +
    '<event><string key="concept:name" value="a"/></event>' +
    '<event><string key="concept:name" value="b"/><date key="time:timestamp" value="2026-01-01T00:00:00Z"/></event>' +
    '</trace></log>';
  const report = log.readXes(bad);
  assert.deepEqual([report.rows_read, report.rows_used, report.rows_skipped], [2, 1, 1]);
  assert.match(report.problems[0].reason, /time:timestamp/);
  assert.equal(log.length, 43);
});

test('readXesGzip refuses bytes that are not gzip, the log kept', async () => {
  const log = new EventLog();
  await assert.rejects(log.readXesGzip(new TextEncoder().encode('<log/>')), (error) => {
    assert.ok(error instanceof JourneyError, String(error));
    assert.equal(error.code, 'invalid_argument');
    assert.match(error.message, /not gzip-compressed XES/);
    return true;
  });
  assert.equal(log.length, 0);
  assert.equal(typeof lean.EventLog.prototype.readXesGzip, 'undefined');
});

test('JSON events by preset, with the bad one reported', () => {
  const log = new EventLog();
  const intercom = JSON.stringify({
    type: 'event.list',
    events: [
      { event_name: 'invited-friend', created_at: 1318340740, user_id: '314159' },
      { event_name: 'ordered-item', email: 'ann@example.org' },
    ],
  });
  const report = log.readJson(intercom, { preset: 'intercom' });
  assert.deepEqual([report.rows_read, report.rows_used, report.rows_skipped], [2, 1, 1]);
  assert.deepEqual(report.problems, [{ row: 2, reason: 'the event has no timestamp (at created_at)' }]);
  assert.equal(log.toCsv(), 'customer,timestamp,event,channel\n314159,2011-10-11T13:45:40Z,invited-friend,\n');
  const lines = '{"userId":"u1","event":"Signed Up","timestamp":"2026-01-01T00:00:00.000123Z","properties":{"plan":"pro"}}\n' +
    '{"anonymousId":"a9","event":"Viewed","timestamp":1767225600}\n';
  const segment = log.readJson(lines, { preset: 'segment' });
  assert.equal(segment.rows_used, 2);
  assert.equal(log.length, 3);
  assert.throws(() => log.readJson('[{"a"'), (e) => e instanceof JourneyError && e.code === 'parse_error');
  assert.throws(() => log.readJson('[]'), (e) => e.code === 'csv_error' && /no event rows/.test(e.message));
  assert.throws(() => log.readJson('[]', { preset: 'mixpanel' }), (e) => e.code === 'invalid_option');
  assert.equal(log.length, 3);
});

test('the tracker observes a payload as JSON text or as an object', () => {
  const gym = JourneyModel.fromJson(readFileSync(join(root, 'examples/data/gym.json'), 'utf8'));
  const tracker = new Tracker(gym, 'gym');
  const segment = { preset: 'segment' };
  const payload = { userId: 'bo', event: 'online_reviews', timestamp: '2026-01-01T00:00:00Z' };
  assert.equal(tracker.observeJson(payload, segment), 'placed');
  const text = JSON.stringify({ ...payload, event: 'free_trial_popup', timestamp: '2026-01-01T00:03:00Z' });
  assert.equal(tracker.observeJson(text, segment), 'placed');
  assert.equal(tracker.observeJson({ ...payload, event: 'not_a_touchpoint' }, segment), 'unknown');
  assert.equal(tracker.position('bo').touchpoint, 'free_trial_popup');
  assert.equal(tracker.seen('bo', 'online_reviews').first, Date.parse('2026-01-01T00:00:00Z'));
  assert.throws(() => tracker.observeJson({ userId: 'bo', event: 'x' }, segment),
    (e) => e instanceof JourneyError && e.code === 'invalid_argument' && /no timestamp/.test(e.message));
  assert.throws(() => tracker.observeJson('{', segment), (e) => e.code === 'parse_error');
  assert.throws(() => tracker.observeJson({}, { preset: 'mixpanel' }), (e) => e.code === 'invalid_option');
  assert.equal(tracker.stats().placed, 2);
});

test('the default build leaves the formats to the full one', () => {
  assert.equal(typeof lean.EventLog.prototype.readXes, 'undefined');
  assert.equal(typeof lean.Tracker.prototype.observeJson, 'undefined');
  assert.equal(typeof full.EventLog.prototype.readCsv, 'function');
  assert.equal(full.version(), lean.version());
});
