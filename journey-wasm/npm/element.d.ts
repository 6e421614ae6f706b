// <journey-map>: importing 'journey-wasm/element' defines it.
import type { JourneyDocument, SvgOptions } from './web/journey_wasm.js';
import type { JourneyMapController, RenderPngOptions } from './map.js';

export { mountMap, renderPng, JourneyMapCardEvent, JourneyMapController, MountMapOptions, RenderPngOptions } from './map.js';

/** The `<journey-map>` element. */
export class JourneyMapElement extends HTMLElement {
  /** The document drawn: an object or JSON text (instead of the `src` attribute). */
  document: JourneyDocument | string | null;
  /** renderSvg's options (instead of the `options` attribute). */
  options: SvgOptions | null;
  /** The controller of the map drawn, or null before. */
  readonly map: JourneyMapController | null;
  /** Highlights a path of touchpoint ids. */
  highlightPath(ids: string[]): void;
  /** Highlights one stage. */
  highlightStage(id: string): void;
  /** The map drawn, as a PNG (see `renderPng`); rejects before the first drawing. */
  toPng(options?: RenderPngOptions): Promise<Blob>;
  /** Selects a card. */
  select(id: string | null): void;
  /** Removes the highlights. */
  clear(): void;
}

declare global {
  interface HTMLElementTagNameMap {
    'journey-map': JourneyMapElement;
  }
}
