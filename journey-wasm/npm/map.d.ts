// mountMap: a journey map (renderSvg's text) made interactive in a page.

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
