// Type-checks a use of the public API (tsc --noEmit, strict).
import { JourneyModel, JourneyError, version } from 'journey-wasm';
import type {
  Analysis, AnalysisOptions, Comparison, Finding, FunnelStage, Journey, JourneyDocument,
  JourneyErrorCode, PainPoint, Report, Stage, Touchpoint,
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
model.free();
console.log(reach, pains, findings, journeys, stages, emotion, comparison, text, bad);
