// The npm package and the Rust crate on generated journeys of several sizes
// and seeds (written by scripts/test-wasm.sh from the Rust examples): the
// same analysis, SVG map with the analysis drawn, DOT graph and Mermaid text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const pkg = process.env.JOURNEY_WASM_PKG;
const dir = join(process.env.JOURNEY_EXPECTED, 'generated');
const { JourneyModel } = await import(join(pkg, 'node.mjs'));
// Mermaid and DOT are in the full build.
const full = await import(join(pkg, 'full', 'node.mjs'));

const documents = readdirSync(dir).filter((name) => name.endsWith('.json')).sort();

test('there are generated journeys to compare', () => {
  assert.ok(documents.length >= 6, `only ${documents.length} in ${dir}`);
});

for (const name of documents) {
  const id = name.replace(/\.json$/, '');
  const read = (extension) => readFileSync(join(dir, `${id}.${extension}`), 'utf8');
  test(`${id}: the same results as Rust`, () => {
    const model = JourneyModel.fromJson(read('json'));
    try {
      assert.deepStrictEqual(model.analyze(id), JSON.parse(read('analysis')));
      assert.equal(model.renderSvg(id, { analysis: true }), read('svg'));
    } finally {
      model.free();
    }
    const formats = full.JourneyModel.fromJson(read('json'));
    try {
      assert.equal(formats.toDot(id), read('dot'));
      assert.equal(formats.toMermaid(id), read('mmd'));
    } finally {
      formats.free();
    }
  });
}
