// Generated from the Rust types' JSON Schemas by journey-wasm/tests/typescript.rs; do not edit.

/** Any JSON value. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** A journey document: personas, experience-measure definitions and journeys. */
export interface JourneyDocument {
  /** The journeys. */
  journeys?: Journey[];
  /** Experience-measure definitions shared by all journeys. */
  measures?: MeasureDefinition[];
  /** The personas journeys are for. */
  personas?: Persona[];
  /** The document format, `journey/1` (or a minor revision such as `journey/1.2`). */
  schema: string;
  /** Fields this version does not know, kept as written. */
  [key: string]: unknown;
}

/** Every finding of a validation run, in document order. */
export interface Report {
  /** The findings, errors and warnings, in the order of the document. */
  findings: Finding[];
}

/** What to compute and how far to look. */
export interface AnalysisOptions {
  /** How many partial paths the path search may expand before it stops and marks its lists truncated. Default: 100,000. */
  max_path_expansions?: number;
  /** A fall in emotion between consecutive touchpoints of a path at least this large is flagged as a rapid drop. Default: 1.5 (on the −2..+2 scale). */
  rapid_drop?: number;
  /** How many likely paths (of each kind) and moments of truth to list. Default: 5. */
  top?: number;
}

/** Everything `JourneyModel.analyze` finds about one journey. */
export interface Analysis {
  /** Probability that a customer leaves without reaching a goal. */
  drop_off_probability: number;
  /** Mean emotion per touchpoint visit over the whole journey (visits weighted by their expected number); `null` without emotions. */
  expected_emotion?: number | null;
  /** Expected number of steps (transitions, including the final step to a goal or out) a customer takes before the journey ends. */
  expected_steps: number;
  /** Expected time in the journey, in seconds, counting the transitions that give a duration; `null` when no reachable transition gives one. */
  expected_time?: number | null;
  /** The stage funnel, in stage order. */
  funnel: FunnelStage[];
  /** What the map lacks. */
  gaps: Gaps;
  /** Probability that a customer reaches any goal. */
  goal_probability: number;
  /** Probability of ending at each goal, in the journey's goal order. */
  goals: GoalOutcome[];
  /** The journey's id. */
  journey: string;
  /** The touchpoints with the greatest emotional load (reach × |emotion|). */
  moments_of_truth: MomentOfTruth[];
  /** Touchpoints that hurt, by impact (highest first). */
  pain_points: PainPoint[];
  /** The most likely ways through the journey. */
  paths: Paths;
  /** Experience by stage, in stage order. */
  stages: StageExperience[];
  /** Per touchpoint, in the journey's order (missing and unreachable ones included, with zeros). */
  touchpoints: TouchpointStats[];
}

/** What changes between two journeys: current vs future state, or one persona's journey vs another's. */
export interface Comparison {
  /** The second journey's id. */
  after: string;
  /** The first journey's id. */
  before: string;
  /** Reach-weighted stage emotion before and after, same stage order. */
  emotion: StageDelta[];
  /** Reach of each stage before and after (stages of either journey, in the first journey's order, then the second's new ones). */
  funnel: StageDelta[];
  /** Goal probability before and after. */
  goal_probability: Delta;
  /** Touchpoints added, removed and changed (by id). */
  touchpoints: Changes;
  /** Transitions added, removed and changed (by `"from -> to"`). */
  transitions: Changes;
}

/** One thing one customer did at one time. */
export interface JourneyEvent {
  /** The channel it happened on, when the log says. */
  channel?: string | null;
  /** Who: the customer (or account, or anonymous visitor) key. */
  customer: string;
  /** Measure values recorded with the event (`csat`, `nps`, `ces`, …). */
  measures?: { [key: string]: number };
  /** The microseconds past `timestamp`'s millisecond (0–999), for the order of events less than a millisecond apart. */
  micros?: number;
  /** What: the event name, mapped to a touchpoint id by a `Mapping`. */
  name: string;
  /** When, in milliseconds since the Unix epoch (UTC). */
  timestamp: number;
}

/** Which CSV columns hold what, and how to read them. */
export interface CsvOptions {
  /** Whether a read that keeps no event is a success. Default: `false`: it fails, with the reason of the first bad rows. */
  allow_empty?: boolean;
  /** Column of the channel, used when present. Default: `channel`. */
  channel?: string;
  /** Column of the customer key. Default: `customer`. */
  customer?: string;
  /** Field delimiter. Default: `,`. */
  delimiter?: string;
  /** Column of the event name. Default: `event`. */
  event?: string;
  /** Columns holding numeric measure values (an empty cell means no value). Default: none. */
  measures?: string[];
  /** Skip-and-report or fail on a bad row. Default: skip. */
  on_error?: OnError;
  /** Where timestamps written without an offset (naive local times, dates) were written: `"UTC"`, an offset such as `"+02:00"`, or a tz database name such as `"Europe/Paris"`, whose rules apply (a time the clocks pass twice is the first; one they skip reads as after the change), from the system's database (native) or the JS engine's (npm). Default: none, and such timestamps are refused (a guess would shift every time silently). */
  time_zone?: string | null;
  /** Column of the timestamp. Default: `timestamp`. */
  timestamp?: string;
  /** Timestamp format. Default: auto. */
  timestamp_format?: TimestampFormat;
  /** Whether to strip spaces around the customer key, event name, channel, timestamp and measure values. Default: `false`: `" A"` and `"A"` are two event names, as in the file. */
  trim?: boolean;
}

/** What reading a log did. */
export interface ReadReport {
  /** The bad rows, in file order. */
  problems: RowProblem[];
  /** Data rows read. */
  rows_read: number;
  /** Rows skipped, each listed in `problems` (up to 1,000). */
  rows_skipped: number;
  /** Rows that became events. */
  rows_used: number;
}

/** How to read an XES log. */
export interface XesOptions {
  /** Whether a read that keeps no event is a success. Default: `false`. */
  allow_empty?: boolean;
  /** The event attribute of the channel, when there is one. Default: none. */
  channel?: string | null;
  /** A classifier the log declares (`<classifier name=…>`), by name, whose keys make the event name, e.g. `"Activity classifier"` for activity + lifecycle. Default: none (then `event_keys`). */
  classifier?: string | null;
  /** The event attributes whose values, joined with `+`, make the event name, when no classifier is named. Default: `["concept:name"]`. */
  event_keys?: string[];
  /** Numeric event attributes (`int`, `float`) kept as measure values. Default: none. */
  measures?: string[];
  /** Skip-and-report or fail on a bad event. Default: skip. */
  on_error?: OnError;
  /** Where timestamps without an offset were written (as for CSV). Default: none (they are refused). */
  time_zone?: string | null;
}

/** How to read events in JSON. */
export interface JsonOptions {
  /** Whether a read that keeps no event is a success. Default: `false`. */
  allow_empty?: boolean;
  /** Paths of the channel. */
  channel?: string[] | null;
  /** Paths of the customer key, the first present used. */
  customer?: string[] | null;
  /** Paths of the event name. */
  event?: string[] | null;
  /** Measure key → the path of its value (a number, or a number as text). */
  measures?: { [key: string]: string };
  /** Skip-and-report or fail on a bad event. Default: skip. */
  on_error?: OnError;
  /** A ready mapping; the fields below override its paths. Default: none (journey's own event shape: `customer`, `timestamp`, `name`, `channel`). */
  preset?: JsonPreset | null;
  /** The path of the array of events in a JSON object. Default: the document when it is an array, else its `batch`, `events`, `data` or `activities` array, else JSON Lines. */
  records?: string | null;
  /** Where timestamps without an offset were written (as for CSV). */
  time_zone?: string | null;
  /** Paths of the timestamp (text, or an epoch number). */
  timestamp?: string[] | null;
  /** Timestamp format. Default: auto. */
  timestamp_format?: TimestampFormat;
}

/** Maps event names to touchpoint ids. */
export interface Mapping {
  /** Explicit names: event name → touchpoint id. Names not listed map to themselves (identity). */
  names?: { [key: string]: string };
  /** Split a customer's events into separate traces after this much inactivity, in milliseconds. Default: never. Must not be negative (refused when read; set in code, a negative gap counts as 0). */
  session_gap?: number | null;
  /** Policy for events that map to no touchpoint of the journey. */
  unknown?: UnknownEvents;
}

/** Traces and the unknown event names met while building them. */
export interface Traces {
  /** The traces, ordered by customer key, then session. */
  traces: Trace[];
  /** Event names that map to no touchpoint, with their counts: candidate touchpoints the map is missing. */
  unknown_events: { [key: string]: number };
}

/** A readable summary of a `JourneyModel.discover`. */
export interface DiscoveryReport {
  /** The directly-follows graph, most frequent edge first. */
  edges: DirectlyFollows[];
  /** Traces ending at each touchpoint. */
  ends: { [key: string]: number };
  /** Occurrences of each touchpoint. */
  frequencies: { [key: string]: number };
  /** Measure aggregates per touchpoint. */
  measures: MeasureSummary[];
  /** Traces starting at each touchpoint. */
  starts: { [key: string]: number };
  /** Steps seen. */
  steps: number;
  /** Traces seen. */
  traces: number;
  /** Distinct variants in all. */
  variant_count: number;
  /** The most frequent variants. */
  variants: Variant[];
}

/** One stage of the funnel measured on traces. */
export interface DataFunnelStage {
  /** Share of those that go on to a later stage; `null` for the last stage or when none reach this one. */
  conversion?: number | null;
  /** Median time from first reaching this stage (or later) to first reaching a later one, in milliseconds, over the traces that do. */
  median_ms_to_next?: number | null;
  /** The stage id. */
  stage: string;
  /** Traces that reach this stage or a later one. */
  traces: number;
}

/** Conformance of traces to a journey. */
export interface Conformance {
  /** Of which the map allows. */
  allowed: number;
  /** The most frequent deviations, most frequent first. */
  deviations: Deviation[];
  /** Share of all observed transitions the map allows. */
  fitness: number;
  /** Per trace, in trace order. */
  traces: TraceFitness[];
  /** Observed transitions in all. */
  transitions: number;
}

/** How to fit. */
export interface FitOptions {
  /** Add touchpoints and transitions that were observed but are not on the map (a new touchpoint joins the stage of its most frequent predecessor on the map, or the first stage). Default: false. */
  add_unmapped?: boolean;
  /** The fewest observations a context path needs to be kept. Default: 5 (when 0). */
  context_min_count?: number;
  /** With `JourneyModel.fit`: learn higher-order context up to this order (the number of last touchpoints the next step depends on, 1 to 4); 1 learns none. Default: 1. */
  context_order?: number;
  /** Goals of a journey fitted from scratch (ignored when updating a design, which keeps its own). Default: none. */
  goals?: string[];
}

/** Which models to compute. */
export interface AttributionOptions {
  /** Also choose the Markov order from the data: orders 1 to 4 are scored by the Bayesian information criterion of their chains (`-2 ln L + parameters · ln observations`, the usual test of a Markov chain's order; the lowest wins, ties to the lower order), the scores are in `order_choice`, and the chosen order's model is added to `markov` unless `orders` has it. Default: false. */
  auto_order?: boolean;
  /** Time-decay attribution, from traces with timestamps (`Document::attribution`): each conversion shared by the touches before it, a touch `d` days before the conversion weighing `0.5^(d / half_life_days)`. Positive; path data has no times, so `attributePaths` refuses it. Default: none (no time-decay credit). */
  half_life_days?: number | null;
  /** The most operations the removal effects of one order may take before the attribution is refused with `limit_exceeded` (estimated before the work starts). Default: 10,000,000,000, about 30 seconds of one core. */
  max_work?: number;
  /** Touchpoints on the paths of fewer customers (conversions plus nulls) than this are counted together as `other`. Default: 0 (every touchpoint kept). */
  min_customers?: number;
  /** Markov orders to compute, each from 1 to 4. Default: `[1]`. */
  orders?: number[];
  /** The name of the touchpoints grouped by `min_customers` (a touchpoint of that name already in the data is grouped with them). Default: `(other)`. */
  other?: string;
  /** Position-based weights of the first touch, the touches between and the last touch, non-negative with a positive sum (normalized). A path of one touch gives it everything; of two, the first and last weights shared between them. Default: `[0.4, 0.2, 0.4]`. */
  position_weights?: number[];
  /** Sequences of touchpoints whose removal effects every Markov model also reports: the relative drop of the conversion probability when every journey is lost at the moment it completes the sequence (its touchpoints one right after the other). A sequence of one touchpoint is that touchpoint's removal; a sequence may be at most one longer than the order. Default: none. */
  sequences?: string[][];
}

/** Columns and separator of path data in CSV. */
export interface PathCsvOptions {
  /** Column of the conversions. Default: `total_conversions`. */
  conversions?: string;
  /** Column of the non-conversions (optional). Default: `total_null`. */
  nulls?: string;
  /** Skip-and-report or fail on a bad row. Default: skip. */
  on_error?: OnError;
  /** Column of the path. Default: `path`. */
  path?: string;
  /** Separator between touchpoints in a path. Default: `>`. */
  separator?: string;
  /** Column of the conversion value (optional). Default: `total_conversion_value`. */
  value?: string;
}

/** Attribution results. */
export interface Attribution {
  /** Total conversions. */
  conversions: number;
  /** Heuristic models, per touchpoint in id order. */
  heuristics: HeuristicCredit[];
  /** One Markov model per requested order (and the chosen one). */
  markov: MarkovModel[];
  /** Total non-conversions. */
  nulls: number;
  /** The scores behind the chosen order, with `auto_order`. */
  order_choice?: OrderChoice | null;
  /** Total conversion value. */
  value: number;
}

/** How a tracker behaves. */
export interface TrackerOptions {
  /** Visits kept per customer for `Tracker.history`. Default: 32. */
  history?: number;
  /** `Tracker.expire` evicts customers whose last event is older than this, in milliseconds. Default: none. */
  idle_ttl_ms?: number | null;
  /** Customers kept; beyond, the least recently observed is evicted. Default: 1,000,000. */
  max_customers?: number;
  /** Event names that differ from touchpoint ids: name → touchpoint id. */
  names?: { [key: string]: string };
  /** Score thresholds of the priority levels normal, high and urgent (the score is risk × importance; see `Priority`). Default: 0.25, 0.5, 0.75. */
  priority_thresholds?: number[];
  /** An event up to this much older than the customer's latest one is placed in time order; an older one is counted as late and not used. Milliseconds. Default: 60,000. */
  reorder_window_ms?: number;
  /** Independent locks customers are spread over. Default: 16. */
  shards?: number;
  /** Longest expected stay per stage id, in milliseconds, for `Tracker.due` (e.g. a free trial). */
  stage_limits?: { [key: string]: number };
  /** Longest expected stay per touchpoint id, in milliseconds, for `Tracker.due`. */
  touchpoint_limits?: { [key: string]: number };
}

/** What `Tracker.observe` did with an event. */
export type Observed = "placed" | "late" | "unknown";

/** Where a customer is. */
export interface Position {
  /** The time of the latest event (epoch ms). */
  last_seen: number;
  /** Its stage. */
  stage: string;
  /** Since when the customer is in this stage (epoch ms). */
  stage_since: number;
  /** Time in the stage up to the latest event: `last_seen − stage_since`. */
  time_in_stage_ms: number;
  /** The touchpoint of the latest event. */
  touchpoint: string;
  /** Since when the customer is at this touchpoint (epoch ms). */
  touchpoint_since: number;
}

/** Which visits `Tracker.history` returns. */
export interface HistoryFilter {
  /** Only touchpoints on this channel (as written in documents, e.g. `"knowledge_base"`). */
  channel?: string | null;
  /** Only touchpoints of this kind. */
  kind?: TouchpointKind | null;
  /** Only touchpoints of this stage. */
  stage?: string | null;
}

/** One visit of a customer's history. */
export interface Visit {
  /** When (epoch ms). */
  timestamp: number;
  /** The touchpoint. */
  touchpoint: string;
}

/** Whether and when a customer saw a touchpoint. Whether is exact for as long as the customer is tracked; the times and the count cover the kept history (the last `history` visits). */
export interface Seen {
  /** Visits within the kept history (0 when all fell out of it). */
  count: number;
  /** The earliest visit within the kept history (epoch ms). */
  first?: number | null;
  /** The latest visit within the kept history (epoch ms). */
  last?: number | null;
}

/** A likely next touchpoint. */
export interface Likely {
  /** The probability of going there next. */
  probability: number;
  /** The touchpoint. */
  touchpoint: string;
}

/** A customer's priority for routing. */
export interface Priority {
  /** The current touchpoint's importance (1 when the map gives none). */
  importance: number;
  /** The level of `score` against the configured thresholds. */
  level: PriorityLevel;
  /** Probability of leaving without reaching a goal from here. */
  risk: number;
  /** `risk × importance`. */
  score: number;
}

/** A customer whose stay exceeded its limit. */
export interface Due {
  /** The customer key. */
  customer: string;
  /** How long past the limit, in milliseconds. */
  overdue_ms: number;
  /** Which limit. */
  reason: DueReason;
  /** Its stage. */
  stage: string;
  /** The current touchpoint. */
  touchpoint: string;
}

/** Counters since the tracker was made (kept by snapshots). */
export interface TrackerStats {
  /** Customers tracked now. */
  customers: number;
  /** Customers evicted (capacity or idle). */
  evicted: number;
  /** Events too late to place. */
  late: number;
  /** Events placed. */
  placed: number;
  /** Events naming no touchpoint. */
  unknown: number;
}

/** Options of `JourneyModel.toDot`. */
export interface DotOptions {
  /** What edges are labelled with. Default: probabilities. */
  labels?: EdgeLabels;
  /** Lay the stages out top to bottom instead of left to right. */
  vertical?: boolean;
}

/** Options of `JourneyModel.renderSvg`. */
export interface SvgOptions {
  /** Overlay the analysis: reach and drop-off on each card, the stage KPIs lane, and the analysis' pain points marked. The journey must then be valid. Default: false. */
  analysis?: boolean;
  /** Small one-line cards. Default (`null`): compact beyond 100 drawn touchpoints or 15 stages. */
  compact?: boolean | null;
  /** Ids of other journeys of the document whose emotion curves are drawn with this one's: one line per persona's journey, or as-is against to-be. Their stages are matched by id, then by name; a touchpoint this map draws is placed under its card. Default: none. */
  compare?: string[];
  /** Observed counts per touchpoint id (e.g. discovery's touchpoint frequencies), shown on the cards. Default: none. */
  counts?: { [key: string]: number };
  /** Draw the transitions between cards: forward, back-jumps and loops as distinct arcs, wider for a higher probability (or observed count), and each card's drop-off. Default: false. */
  flows?: boolean;
  /** How cards are split in the touchpoints lane. Default: a sub-lane per channel. */
  lanes?: Lanes;
  /** Draw missing touchpoints (dashed). Default: true. */
  missing?: boolean;
  /** The persona header: each persona's name, description, goals, motivations and frustrations, and the journey's scope. Default: true. */
  persona?: boolean;
  /** The lanes, top to bottom, in the order given. Default (`null`): the lanes the journey has content for, in the order of `Row` (the touchpoints and the emotion curve always; stage KPIs with the analysis). */
  rows?: Row[] | null;
  /** The colours. Default: light. */
  theme?: Theme;
  /** The heading. Default: the journey's name. */
  title?: string | null;
  /** The map's width in pixels: columns share it and text wraps to what each column has. A map cannot be narrower than its columns' minimum (120 px a card, 72 px compact); then it is wider than asked. The SVG has a `viewBox`, so it also scales to any width in a page. Default: as wide as the cards need. */
  width?: number | null;
}

/** Options of `JourneyModel.renderStageFlow`. */
export interface FlowOptions {
  /** Draw the transitions' observed counts instead of the analysis' expected flows. Default: false. */
  observed?: boolean;
  /** The colours. Default: light. */
  theme?: Theme;
  /** The heading. Default: the journey's name, then "stage flow". */
  title?: string | null;
  /** The picture's width in pixels (at least 140 a stage). Default: 180 a stage. */
  width?: number | null;
}

/** The kind of an `JourneyError`: a closed list, the same in every front. */
export type JourneyErrorCode = "parse_error" | "unsupported_schema" | "limit_exceeded" | "non_finite_number" | "validation_error" | "not_found" | "csv_error" | "invalid_option" | "invalid_argument" | "invalid_snapshot" | "internal";

/** One item present in both journeys whose fields differ. */
export interface Change {
  /** The names of the fields that differ, as in the document. */
  fields: string[];
  /** The item's id. */
  id: string;
}

/** Ids added, removed and changed between two journeys. */
export interface Changes {
  /** In the second journey only. */
  added: string[];
  /** In both, with different fields. */
  changed: Change[];
  /** In the first journey only. */
  removed: string[];
}

/** A built-in channel name, or any other string for a custom channel. */
export type Channel = "web" | "mobile_app" | "email" | "phone" | "chat" | "chatbot" | "sms" | "social" | "ads" | "review_site" | "in_person" | "community" | "knowledge_base" | "postal_mail" | "word_of_mouth" | "event" | (string & {});

/** The stable code of a finding, written in snake_case in reports. */
export type Code = "empty_id" | "duplicate_id" | "dangling_reference" | "probability_out_of_range" | "probability_sum_above_one" | "non_finite_number" | "emotion_out_of_range" | "measure_out_of_scale" | "invalid_scale" | "negative_value" | "no_entry" | "no_goal" | "goal_unreachable" | "unreachable_touchpoint" | "dead_end" | "trap" | "empty_stage" | "missing_touchpoint_referenced" | "goal_has_transitions" | "duplicate_transition" | "invalid_context" | "mermaid_score";

/** What came next after one sequence of touchpoints (a higher-order transition table row): the next step depends on more than the current touchpoint, e.g. customers who reach pricing from a review leave more often than those who reach it from an ad. */
export interface Context {
  /** How often the trace ended after this path (customers who left). */
  ends?: number;
  /** How often each touchpoint came next after this path. */
  next?: { [key: string]: number };
  /** The last touchpoints, oldest first, the current one last: two or more. */
  path: string[];
  /** Fields this version does not know, kept as written. */
  [key: string]: unknown;
}

/** A number before and after. */
export interface Delta {
  /** In the second journey. */
  after: number;
  /** In the first journey. */
  before: number;
  /** `after − before`. */
  delta: number;
}

/** One kind of deviation between two touchpoints, over all traces. */
export interface Deviation {
  /** How often it was observed. */
  count: number;
  /** Up to three customers it was observed for, as examples. */
  customers: string[];
  /** From this touchpoint… */
  from: string;
  /** What kind. */
  kind: DeviationKind;
  /** …to this one. */
  to: string;
}

/** What kind of deviation from the map. */
export type DeviationKind = "unknown_touchpoint" | "jump_back" | "skipped_stage" | "unexpected_transition";

/** Which way a measure improves. */
export type Direction = "higher_is_better" | "lower_is_better";

/** One edge of the directly-follows graph. */
export interface DirectlyFollows {
  /** How often. */
  count: number;
  /** The earlier touchpoint. */
  from: string;
  /** Longest time, in milliseconds. */
  max_ms: number;
  /** Mean time between them, in milliseconds. */
  mean_ms: number;
  /** Median estimate (within 5%), in milliseconds. */
  median_ms: number;
  /** Shortest time, in milliseconds. */
  min_ms: number;
  /** 90th-percentile estimate (within 5%), in milliseconds. */
  p90_ms: number;
  /** The touchpoint that directly followed it. */
  to: string;
}

/** What exceeded its limit. */
export type DueReason = "touchpoint" | "stage";

/** What edges of a DOT export are labelled with. */
export type EdgeLabels = "probability" | "count" | "none";

/** A touchpoint where customers start, with its relative weight. */
export interface Entry {
  /** Id of the entry touchpoint. */
  touchpoint: string;
  /** Relative weight; weights are normalized over all entries. Default: 1. */
  weight?: number;
  /** Fields this version does not know, kept as written. */
  [key: string]: unknown;
}

/** One problem found in a document. */
export interface Finding {
  /** The stable code. */
  code: Code;
  /** What is wrong, for a person. */
  message: string;
  /** Where, e.g. `journeys[gym].touchpoints[tour].stage`. */
  path: string;
  /** Error or warning. */
  severity: Severity;
}

/** One stage of the funnel. */
export interface FunnelStage {
  /** Share of those reaching this stage who go on to a later one; `null` for the last stage and for a stage nobody reaches. */
  conversion?: number | null;
  /** Share of all customers who leave from a touchpoint of this stage. */
  drop_off: number;
  /** Probability of reaching this stage but no later one. */
  lost: number;
  /** Probability of ever reaching this stage or a later one. */
  reach: number;
  /** The stage's id. */
  stage: string;
}

/** What the map lacks. */
export interface Gaps {
  /** Non-goal touchpoints with no way out. */
  dead_ends: string[];
  /** Stages with no present touchpoint. */
  empty_stages: string[];
  /** Touchpoints marked missing: opportunities that do not exist yet. */
  missing_touchpoints: string[];
  /** Present touchpoints no customer can reach. */
  unreachable: string[];
}

/** How likely a customer is to end at one goal. */
export interface GoalOutcome {
  /** Probability of ending there. */
  probability: number;
  /** The goal touchpoint. */
  touchpoint: string;
}

/** One touchpoint's heuristic credit. */
export interface HeuristicCredit {
  /** Customers (conversions plus nulls) on paths touching it. */
  customers: number;
  /** Conversions credited to the first touchpoint of each path. */
  first_touch: number;
  /** Value credited to the first touchpoint. */
  first_touch_value: number;
  /** Conversions credited to the last touchpoint. */
  last_touch: number;
  /** Value credited to the last touchpoint. */
  last_touch_value: number;
  /** Conversions shared equally along each path. */
  linear: number;
  /** Value shared equally along each path. */
  linear_value: number;
  /** The ordered Shapley value: `shapley` split by the position (from 0) of the touchpoint's first touch among each path's distinct touchpoints; as long as the longest such position. */
  ordered_shapley: number[];
  /** The ordered Shapley value of the conversion value. */
  ordered_shapley_value: number[];
  /** Conversions by position: the first and last touches a share each, the touches between the rest (`position_weights`). */
  position_based: number;
  /** Value by position. */
  position_based_value: number;
  /** Conversions by the simplified Shapley value: each converting path's conversions shared equally by its distinct touchpoints. */
  shapley: number;
  /** Value by the simplified Shapley value. */
  shapley_value: number;
  /** Conversions by time decay (`half_life_days`), when asked for. */
  time_decay?: number | null;
  /** Value by time decay, when asked for. */
  time_decay_value?: number | null;
  /** The touchpoint. */
  touchpoint: string;
}

/** One journey: stages as ordered columns, touchpoints within them, and the transitions customers take between touchpoints. */
export interface Journey {
  /** Higher-order context: what customers did next after sequences of touchpoints, learnt from event logs by `JourneyModel.fit`. The live tracker's next steps read it; analysis uses the transitions only. */
  context?: Context[];
  /** A sentence on the journey. */
  description?: string | null;
  /** Where customers start, with relative weights. */
  entries?: Entry[];
  /** Ids of the touchpoints that mean success. */
  goals?: string[];
  /** Unique id within the document. */
  id: string;
  /** What the map depicts. Default: current state. */
  kind?: JourneyKind;
  /** Display name. */
  name: string;
  /** Ids of the personas this journey is for. */
  personas?: string[];
  /** Where the journey starts and ends. */
  scope?: Scope | null;
  /** The stages, in order: their order is the order of this list. */
  stages?: Stage[];
  /** Touchpoints, each belonging to one stage. */
  touchpoints?: Touchpoint[];
  /** Directed transitions between touchpoints; loops, back-jumps and skips are allowed. */
  transitions?: Transition[];
  /** Fields this version does not know, kept as written. */
  [key: string]: unknown;
}

/** What a journey map depicts. */
export type JourneyKind = "current_state" | "future_state" | "day_in_the_life" | "service_blueprint";

/** Ready field mappings, from the sources' published field names. */
export type JsonPreset = "segment" | "zendesk" | "intercom" | "freshdesk";

/** How touchpoint cards are split into sub-lanes within the touchpoints lane. */
export type Lanes = "channel" | "order" | "layer";

/** Whether the customer sees a touchpoint (service-blueprint layers). */
export type Layer = "frontstage" | "backstage" | "support";

/** One touchpoint's Markov credit. */
export interface MarkovCredit {
  /** Conversions attributed (shares of the total by removal effect). */
  conversions: number;
  /** Relative drop of the conversion probability without it, in [0, 1]. */
  removal_effect: number;
  /** The touchpoint. */
  touchpoint: string;
  /** Value attributed. */
  value: number;
}

/** The Markov model of one order. */
export interface MarkovModel {
  /** Conversion probability from the start state. */
  conversion_probability: number;
  /** The order (1 to 4). */
  order: number;
  /** The removal effect of each of `sequences`, in their order. */
  sequences: SequenceEffect[];
  /** Number of transient states of the chain. */
  states: number;
  /** Per touchpoint, in touchpoint order. */
  touchpoints: MarkovCredit[];
  /** Number of transitions between them (the chain's size with `states`: what the removal effects' cost grows with). */
  transitions: number;
}

/** The definition of an experience measure, shared by every journey of a document. */
export interface MeasureDefinition {
  /** Which way the measure improves. Default: higher is better. */
  direction?: Direction;
  /** Key touchpoints use for their values, e.g. `csat`. */
  key: string;
  /** Display name. */
  name: string;
  /** The scale values lie on. */
  scale: Scale;
  /** The value the business aims for. */
  target?: number | null;
  /** Unit, e.g. "%", "s", "points". */
  unit?: string | null;
  /** Fields this version does not know, kept as written. */
  [key: string]: unknown;
}

/** Aggregates of one measure at one touchpoint. */
export interface MeasureSummary {
  /** Values seen. */
  count: number;
  /** For `csat`: the share of answers of 4–5 on a 1–5 scale. */
  csat_share?: number | null;
  /** Their mean (CES is reported this way). */
  mean: number;
  /** The measure key. */
  measure: string;
  /** For `nps`: % promoters (9–10) − % detractors (0–6). */
  nps?: number | null;
  /** The touchpoint. */
  touchpoint: string;
}

/** One measured value of an experience measure at a touchpoint. */
export interface MeasureValue {
  /** How many answers or observations the value rests on. */
  sample_size?: number | null;
  /** The value, on the measure's scale. */
  value: number;
  /** Fields this version does not know, kept as written. */
  [key: string]: unknown;
}

/** A touchpoint with a large emotional load. */
export interface MomentOfTruth {
  /** Its emotion. */
  emotion: number;
  /** `reach × |emotion|`. */
  load: number;
  /** Probability that a customer meets it. */
  reach: number;
  /** The touchpoint's id. */
  touchpoint: string;
}

/** What to do with a bad row. */
export type OnError = "skip" | "fail";

/** How the Markov order was chosen (`auto_order`). */
export interface OrderChoice {
  /** The order with the lowest score. */
  order: number;
  /** Each order's fit, orders 1 to 4. */
  scores: OrderScore[];
}

/** One Markov order's fit to the path data. */
export interface OrderScore {
  /** `-2 · log_likelihood + parameters · ln(observations)`. */
  bic: number;
  /** Natural log-likelihood of the observed starts and steps (to a state, conversion or null) under the chain's probabilities. */
  log_likelihood: number;
  /** Observations: customers starting, and leaving each state. */
  observations: number;
  /** The order. */
  order: number;
  /** Free parameters: each state's observed outcomes and the observed starts, less one each. */
  parameters: number;
}

/** How a path ends. */
export type Outcome = "goal" | "drop_off";

/** A touchpoint that hurts, and how much it matters. */
export interface PainPoint {
  /** `reach × severity × importance`. */
  impact: number;
  /** Its importance weight (1 when the map gives none). */
  importance: number;
  /** Probability that a customer meets it. */
  reach: number;
  /** Why it counts as a pain point, for a person. */
  reasons: string[];
  /** How badly it hurts, in [0, 1]: the larger of its negative emotion (−2 → 1) and its measures' shortfalls from target. */
  severity: number;
  /** Its stage. */
  stage: string;
  /** The touchpoint's id. */
  touchpoint: string;
}

/** One simple path (no touchpoint twice) through the journey. */
export interface Path {
  /** The emotion at each touchpoint (`null` where the map gives none). */
  emotions: (number | null)[];
  /** Goal or drop-off. */
  outcome: Outcome;
  /** Mean of the most intense and the final emotion; `null` without emotions. */
  peak_end?: number | null;
  /** Probability that a customer's journey is exactly this path. */
  probability: number;
  /** Falls of at least `rapid_drop` between consecutive touchpoints. */
  rapid_drops: RapidDrop[];
  /** The emotion curve changes direction at least twice. */
  sawtooth: boolean;
  /** Touchpoint ids from the entry on. */
  touchpoints: string[];
}

/** Likely paths, most likely first. */
export interface Paths {
  /** The most likely paths that end in a drop-off. */
  to_drop_off: Path[];
  /** The most likely entry → goal paths. */
  to_goal: Path[];
  /** Whether the search hit `max_path_expansions` before filling both lists (the paths listed are still the most likely ones). */
  truncated: boolean;
}

/** A fictional representative of a customer segment. */
export interface Persona {
  /** Free attributes: demographics (age, location, occupation) and the like. */
  attributes?: { [key: string]: unknown };
  /** Background in a sentence or two. */
  description?: string | null;
  /** What the persona wants to achieve. */
  goals?: string[];
  /** Unique id within the document. */
  id: string;
  /** Why the persona acts. */
  motivations?: string[];
  /** Display name, e.g. "Hannah, HR manager". */
  name: string;
  /** What frustrates the persona. */
  pain_points?: string[];
  /** Channels the persona prefers, most preferred first. */
  preferred_channels?: Channel[];
  /** Fields this version does not know, kept as written. */
  [key: string]: unknown;
}

/** How urgently a customer needs attention. */
export type PriorityLevel = "low" | "normal" | "high" | "urgent";

/** A sharp fall in emotion from one touchpoint to the next. */
export interface RapidDrop {
  /** How far the emotion falls (positive). */
  drop: number;
  /** The touchpoint before the fall. */
  from: string;
  /** The touchpoint after it. */
  to: string;
}

/** A lane (row) of the map. */
export type Row = "actions" | "touchpoints" | "thoughts" | "emotion" | "pain_points" | "opportunities" | "measures" | "kpis";

/** A row that could not be used. */
export interface RowProblem {
  /** Why it was not used. */
  reason: string;
  /** The 1-based line of the row in the file (the header is line 1). */
  row: number;
}

/** The scale an experience measure is expressed on. */
export type Scale = {
  /** Highest possible value. */
  max: number;
  /** Lowest possible value. */
  min: number;
  type: "score";
} | {
  type: "ratio";
} | {
  type: "duration";
} | {
  type: "count";
};

/** Where a journey starts and ends, in words. */
export interface Scope {
  /** The end of the journey, e.g. "recommends the gym to a friend". */
  end?: string | null;
  /** The starting situation, e.g. "notices they get winded on stairs". */
  start?: string | null;
  /** Fields this version does not know, kept as written. */
  [key: string]: unknown;
}

/** The removal effect of a sequence of touchpoints. */
export interface SequenceEffect {
  /** Relative drop of the conversion probability when journeys are lost as they complete the sequence, in [0, 1]. */
  removal_effect: number;
  /** The touchpoints, in order. */
  sequence: string[];
}

/** How serious a finding is. */
export type Severity = "error" | "warning";

/** A stage (phase): a column of the map grouping steps by the customer's mindset. */
export interface Stage {
  /** What the customer does in this stage. */
  actions?: string[];
  /** What the customer is about in this stage. */
  description?: string | null;
  /** Unique id within the journey. */
  id: string;
  /** Display name, e.g. "Awareness". */
  name: string;
  /** What the customer thinks or asks in this stage. */
  thoughts?: string[];
  /** Fields this version does not know, kept as written. */
  [key: string]: unknown;
}

/** A stage's number before and after; `null` where the stage is absent or the number undefined. */
export interface StageDelta {
  /** In the second journey. */
  after?: number | null;
  /** In the first journey. */
  before?: number | null;
  /** `after − before` when both are defined. */
  delta?: number | null;
  /** The stage's id. */
  stage: string;
}

/** How one stage feels. */
export interface StageExperience {
  /** Reach-weighted mean emotion of its touchpoints; `null` when no reached touchpoint of the stage has an emotion. */
  emotion?: number | null;
  /** Reach-weighted mean of each measure over the stage's reached touchpoints. */
  measures: { [key: string]: number };
  /** The stage's id. */
  stage: string;
}

/** Whether a touchpoint exists. */
export type Status = "present" | "missing";

/** One step of a trace. */
export interface Step {
  /** The channel, when the log says. */
  channel?: string | null;
  /** Whether the touchpoint is in the journey. */
  known: boolean;
  /** Measure values recorded with the event. */
  measures?: { [key: string]: number };
  /** The microseconds past `timestamp`'s millisecond (0–999). */
  micros?: number;
  /** When, in epoch milliseconds. */
  timestamp: number;
  /** The touchpoint id (or the event name, for an unknown event kept). */
  touchpoint: string;
}

/** The colours the map is drawn with (each overridable by its custom property). */
export type Theme = "light" | "dark";

/** How timestamps are written in an event log. */
export type TimestampFormat = "auto" | "rfc3339" | "epoch_seconds" | "epoch_millis" | "epoch_micros" | {
  pattern: string;
};

/** An interaction where the customer meets the brand. */
export interface Touchpoint {
  /** What the customer does here. */
  actions?: string[];
  /** The channel. Default: web. */
  channel?: Channel;
  /** A sentence on the touchpoint. */
  description?: string | null;
  /** How the customer feels, from −2 (very negative) to +2 (very positive). */
  emotion?: number | null;
  /** Unique id within the journey. */
  id: string;
  /** How much the touchpoint matters, a non-negative weight. Analysis uses 1 when absent. */
  importance?: number | null;
  /** Communication point or action. Default: communication point. */
  kind?: TouchpointKind;
  /** Frontstage, backstage or support processes. Default: frontstage. */
  layer?: Layer;
  /** Experience-measure values keyed by measure key. */
  measures?: { [key: string]: MeasureValue };
  /** Display name. */
  name: string;
  /** What could be better here. */
  opportunities?: string[];
  /** The team or department that owns the touchpoint. */
  owner?: string | null;
  /** What hurts here. */
  pain_points?: string[];
  /** Ids of the personas taking part here (Mermaid's actors of a task). Empty: the journey's personas. */
  personas?: string[];
  /** Id of the stage this touchpoint belongs to. */
  stage: string;
  /** Present, or missing (a gap). Default: present. */
  status?: Status;
  /** What the customer thinks or asks here. */
  thoughts?: string[];
  /** Fields this version does not know, kept as written. */
  [key: string]: unknown;
}

/** The two kinds of touchpoint of the CJML modelling language. */
export type TouchpointKind = "communication_point" | "action";

/** The numbers of one touchpoint. */
export interface TouchpointStats {
  /** Share of all customers who leave the journey here. */
  drop_off: number;
  /** Expected number of visits per customer (above the reach when customers loop back to it). */
  expected_visits: number;
  /** Probability of reaching a goal from here (1 for a goal). */
  goal_probability: number;
  /** Probability that a customer visits it at least once. */
  reach: number;
  /** Relative drop in the journey's goal probability if this touchpoint were removed and its inflow dropped off, in [0, 1]. */
  removal_effect: number;
  /** Its stage. */
  stage: string;
  /** The touchpoint's id. */
  touchpoint: string;
}

/** One customer's journey as observed (or one session of it). */
export interface Trace {
  /** The customer key. */
  customer: string;
  /** 0 for the first session, then 1, 2, … when a session gap is set. */
  session: number;
  /** The steps in time order (input order for equal timestamps). */
  steps: Step[];
}

/** The fitness of one trace. */
export interface TraceFitness {
  /** The customer. */
  customer: string;
  /** Transitions that deviate. */
  deviations: number;
  /** Share of the trace's transitions the map allows (1 for a trace of one step). */
  fitness: number;
  /** The session. */
  session: number;
}

/** A directed edge between two touchpoints. */
export interface Transition {
  /** How many times the transition was observed. */
  count?: number | null;
  /** Typical time between the two touchpoints, in seconds. */
  duration?: number | null;
  /** Id of the touchpoint the customer leaves. */
  from: string;
  /** A label, e.g. "clicks the coupon". */
  label?: string | null;
  /** Probability of taking this transition from `from`, in [0, 1]. */
  probability?: number | null;
  /** Id of the touchpoint the customer goes to (may equal `from`: a loop). */
  to: string;
  /** Fields this version does not know, kept as written. */
  [key: string]: unknown;
}

/** What to do with events whose names map to no touchpoint. */
export type UnknownEvents = "keep" | "drop";

/** A distinct touchpoint sequence and how many traces follow it. */
export interface Variant {
  /** Traces that follow it exactly. */
  count: number;
  /** The sequence. */
  touchpoints: string[];
}
