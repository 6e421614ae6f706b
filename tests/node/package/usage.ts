// Type-checks a use of the public API (tsc --noEmit, strict).
import { JourneyModel, JourneyError, EventLog, version } from 'journey-wasm';
import * as full from 'journey-wasm/full';
import type { XesOptions, JsonOptions } from 'journey-wasm/full';
import type { SvgOptions } from 'journey-wasm';
import { mountMap } from 'journey-wasm/map';
import type { JourneyMapCardEvent, JourneyMapController } from 'journey-wasm/map';
import type { JourneyMapElement } from 'journey-wasm/element';
import type {
  Analysis, AnalysisOptions, Comparison, Finding, FunnelStage, Journey, JourneyDocument,
  JourneyErrorCode, PainPoint, Report, Stage, Touchpoint, ReadReport, Conformance, Attribution,
  DiscoveryReport, JourneyEvent,
} from 'journey-wasm';

const document: JourneyDocument = {
  schema: 'journey/1',
  journeys: [{
    id: 'j', name: 'J',
    stages: [{ id: 's', name: 'S' }],
    touchpoints: [{ id: 'a', name: 'A', stage: 's', channel: 'web', emotion: 1 }, { id: 'b', name: 'B', stage: 's', channel: 'my_kiosk' }],
    transitions: [{ from: 'a', to: 'b', probability: 0.5 }],
    entries: [{ touchpoint: 'a' }],
    goals: ['b'],
  }],
};
const model: JourneyModel = JourneyModel.fromObject(document);
const options: AnalysisOptions = { top: 3, rapid_drop: 1 };
const analysis: Analysis = model.analyze('j', options);
const first: FunnelStage | undefined = analysis.funnel[0];
const reach: number = first ? first.reach : 0;
const pains: PainPoint[] = analysis.pain_points;
const report: Report = model.validate();
const findings: Finding[] = report.findings;
const journeys: Journey[] = model.journeys();
const stages: Stage[] = model.stages('j');
const touchpoint: Touchpoint = model.touchpoint('j', 'a');
const emotion: number | null | undefined = touchpoint.emotion;
const comparison: Comparison = model.compare('j', 'j');
const text: string = model.toJson() + version();
try {
  model.analyze('missing');
} catch (error) {
  if (error instanceof JourneyError) {
    const code: JourneyErrorCode = error.code;
    const problems: Finding[] | undefined = error.problems;
    console.log(code, problems);
  }
}
// @ts-expect-error: `top` is a number.
model.analyze('j', { top: 'three' });
// @ts-expect-error: a touchpoint needs a stage.
const bad: Touchpoint = { id: 'x', name: 'X' };
const event: JourneyEvent = { customer: 'c1', timestamp: 0, name: 'a', measures: { nps: 9 } };
const log = new EventLog();
log.push(event);
const read: ReadReport = log.readCsv('customer,timestamp,event\nc2,1,b\n', { on_error: 'fail' });
const discovered: DiscoveryReport = log.discover({ session_gap: 60000 }, 5);
const check: Conformance = model.conformance('j', log);
// Attribution is in the full build.
const attributed = full.JourneyModel.fromJson(model.toJson());
const attributedLog = new full.EventLog();
attributedLog.push(event);
const credit: Attribution = attributed.attribution('j', attributedLog, undefined, { orders: [1, 2], half_life_days: 7 });
const fromPaths: Attribution = full.attributePaths('path,total_conversions\na > b,1\n', undefined, {
  auto_order: true,
  sequences: [['a', 'b']],
  position_weights: [0.3, 0.4, 0.3],
});
// @ts-expect-error: the default build has no attribution.
model.attribution('j', log);
const fitted: JourneyModel = model.fit('j', log, undefined, { add_unmapped: true });
// @ts-expect-error: timestamps are numbers (epoch milliseconds).
log.push({ customer: 'c1', timestamp: '2026-01-01', name: 'a' });
console.log(read, discovered, check, credit, fromPaths, fitted.toJson(), log.length);
model.free();
console.log(reach, pains, findings, journeys, stages, emotion, comparison, text, bad);
const xesOptions: XesOptions = { classifier: 'Activity classifier', measures: ['cost'], on_error: 'fail' };
const jsonOptions: JsonOptions = { preset: 'segment', measures: { plan_price: 'properties.price' } };
const fullLog = new full.EventLog();
const fromXes: full.ReadReport = fullLog.readXes(new Uint8Array([0x3c, 0x6c]), xesOptions);
const fromGzip: Promise<full.ReadReport> = fullLog.readXesGzip(new Uint8Array([0x1f, 0x8b]), xesOptions);
const fromJson: full.ReadReport = fullLog.readJson('[]', jsonOptions);
const xesText: string = fullLog.toXes();
const fullModel = full.JourneyModel.fromObject(document);
const observed: full.Observed = new full.Tracker(fullModel, 'j').observeJson({ userId: 'u', event: 'a', timestamp: 0 }, jsonOptions);
// @ts-expect-error: the default build has no XES reader.
log.readXes('<log/>');
// @ts-expect-error: presets are a closed set.
fullLog.readJson('[]', { preset: 'mixpanel' });
const mermaidText: string = fullModel.toMermaid('j');
const dotText: string = fullModel.toDot('j', { labels: 'none' });
const csvText: string = fullLog.toCsv();
// @ts-expect-error: Mermaid is in the full build.
JourneyModel.fromMermaid(mermaidText);
console.log(fromXes, fromGzip, fromJson, xesText, observed, dotText, csvText);

// The map in a page: options typed, mountMap's controller and events, <journey-map>.
const mapOptions: SvgOptions = { rows: ['actions', 'touchpoints', 'emotion'], lanes: 'layer', flows: true, theme: 'dark', width: 1200 };
// @ts-expect-error: themes are a closed set.
const badTheme: SvgOptions = { theme: 'sepia' };
const host = globalThis.document?.createElement('div');
if (host !== undefined) {
  const controller: JourneyMapController = mountMap(host, fullModel.renderSvg('j', mapOptions));
  host.addEventListener('journey-select', (event) => {
    const detail = (event as CustomEvent<JourneyMapCardEvent>).detail;
    console.log(detail.id, detail.stage);
  });
  controller.highlightPath(['a', 'b']);
  const element: JourneyMapElement = globalThis.document.createElement('journey-map');
  element.options = mapOptions;
  element.highlightStage('s');
}
console.log(badTheme);
