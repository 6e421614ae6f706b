// Loads the gym journey with the browser build of journey-wasm and shows its
// funnel, pain points and journey map. Served by examples/web/serve.mjs.
import init, { JourneyModel, JourneyError } from '/pkg/web.js';

const percent = (x) => `${(100 * x).toFixed(1)}%`;

function row(cells) {
  const tr = document.createElement('tr');
  for (const [text, className] of cells) {
    const td = document.createElement('td');
    if (className === 'bar') {
      const bar = document.createElement('div');
      bar.className = 'bar';
      bar.style.width = `${text * 200}px`;
      td.append(bar);
    } else {
      td.textContent = text;
      if (className) td.className = className;
    }
    tr.append(td);
  }
  return tr;
}

async function main() {
  const status = document.getElementById('status');
  try {
    await init();
    const text = await (await fetch('/data/gym.json')).text();
    const model = JourneyModel.fromJson(text);
    const journey = model.journey('gym');
    const analysis = model.analyze('gym');
    const names = new Map(model.stages('gym').map((s) => [s.id, s.name]));
    document.getElementById('title').textContent = journey.name;
    document.getElementById('goal').textContent = percent(analysis.goal_probability);
    const funnel = document.querySelector('#funnel tbody');
    analysis.funnel.forEach((stage, i) => {
      const emotion = analysis.stages[i].emotion;
      funnel.append(row([
        [names.get(stage.stage)],
        [percent(stage.reach), 'number'],
        [stage.reach, 'bar'],
        [emotion == null ? '–' : emotion.toFixed(2), 'number'],
      ]));
    });
    const pains = document.querySelector('#pains tbody');
    for (const pain of analysis.pain_points) {
      pains.append(row([[pain.touchpoint], [pain.impact.toFixed(3), 'number'], [pain.reasons.join('; ')]]));
    }
    // The map with the analysis overlaid: an SVG document, inlined.
    document.getElementById('map').innerHTML = model.renderSvg('gym', { analysis: true });
    model.free();
    status.textContent = `Analyzed with journey ${(await import('/pkg/web.js')).version()}.`;
    status.dataset.state = 'ready';
  } catch (error) {
    status.textContent = error instanceof JourneyError ? `${error.code}: ${error.message}` : String(error);
    status.dataset.state = 'error';
  }
}

main();
