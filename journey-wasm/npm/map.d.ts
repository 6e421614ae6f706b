// mountMap: a journey map (renderSvg's text) made interactive in a page;
// renderPng: a map or a stage flow as PNG through the page's canvas.

/** The `detail` of the `journey-select` and `journey-hover` events. */
export interface JourneyMapCardEvent {
  /** The touchpoint's id. */
  id: string;
  /** Its stage's id. */
  stage: string;
  /** The card (`g.touchpoint`). */
  card: SVGGElement;
}

/** Options of `mountMap`. */
export interface MountMapOptions {
  /** Show a card's lanes in a tooltip on hover and focus. Default: true. */
  tooltips?: boolean;
}

/** What `mountMap` returns. */
export interface JourneyMapController {
  /** The `<svg>` element. */
  readonly svg: SVGSVGElement;
  /** The cards (`g.touchpoint`), in document order. */
  readonly cards: SVGGElement[];
  /** Selects the card of touchpoint `id` (or none for `null`), as a click does. */
  select(id: string | null): void;
  /** Highlights the cards of `ids` and the flows between consecutive ones; dims the rest. */
  highlightPath(ids: string[]): void;
  /** Highlights one stage's header and cards; dims the rest. */
  highlightStage(id: string): void;
  /** Removes every highlight. */
  clear(): void;
  /** Removes the listeners, the tooltip and the map. */
  destroy(): void;
}

/**
 * Mounts a journey map into `element` (its content is replaced). `element`
 * receives `journey-select` and `journey-hover` events (a `CustomEvent`
 * whose `detail` is a `JourneyMapCardEvent`); arrow keys move between cards.
 */
export function mountMap(element: HTMLElement, svg: string, options?: MountMapOptions): JourneyMapController;

/** Options of `renderPng` (as Rust's `PngOptions`). */
export interface RenderPngOptions {
  /** Pixels per SVG unit: above 0, at most 8. Default: 1. */
  scale?: number;
  /** Values of the map's CSS custom properties by name, e.g. `{ '--journey-card': '#fff7ed' }`. */
  properties?: Record<string, string>;
}

/**
 * An SVG document (`renderSvg`'s or `renderStageFlow`'s text) as a PNG,
 * drawn through the page's canvas. Rejects with a `JourneyError`:
 * `invalid_option` (scale, properties), `invalid_argument` (not an SVG
 * document), `limit_exceeded` (above 100 million pixels).
 */
export function renderPng(svg: string, options?: RenderPngOptions): Promise<Blob>;
