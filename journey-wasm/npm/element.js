// `<journey-map>`: the journey map as a custom element, for plain HTML and
// for any framework without a wrapper. Importing this module loads the
// WebAssembly and defines the element:
//
//   <journey-map src="/gym.json" journey="gym" flows analysis theme="dark"></journey-map>
//
// Attributes: `src` (a document's URL), `journey` (its id; default the
// first), `options` (renderSvg's options as JSON), and the shorthands
// `flows`, `analysis`, `compact` (present or not), `theme`, `width`. The
// properties `document` (a document as an object or JSON text, instead of
// `src`) and `options` (an object) take precedence. Events: `journey-render`
// once drawn, `journey-error` (detail: the error), and mountMap's
// `journey-select` and `journey-hover`.
import init, { JourneyModel } from './web.js';
import { mountMap, renderPng } from './map.js';
import { JourneyError } from './common.js';

export { mountMap, renderPng };

const SHORTHANDS = ['flows', 'analysis', 'compact'];

/** The `<journey-map>` element. */
export class JourneyMapElement extends HTMLElement {
  static observedAttributes = ['src', 'journey', 'options', 'theme', 'width', ...SHORTHANDS];

  #document = null;
  #options = null;
  #map = null;
  #svg = null;
  #pending = false;

  /** The document drawn: an object or JSON text (instead of `src`). */
  get document() {
    return this.#document;
  }

  set document(value) {
    this.#document = value;
    this.#schedule();
  }

  /** renderSvg's options, as an object (instead of the `options` attribute). */
  get options() {
    return this.#options;
  }

  set options(value) {
    this.#options = value;
    this.#schedule();
  }

  /** The controller of the map drawn (see mountMap), or null before. */
  get map() {
    return this.#map;
  }

  connectedCallback() {
    this.#schedule();
  }

  attributeChangedCallback() {
    this.#schedule();
  }

  disconnectedCallback() {
    this.#map?.destroy();
    this.#map = null;
  }

  /** Highlights a path of touchpoint ids (see mountMap). */
  highlightPath(ids) {
    this.#map?.highlightPath(ids);
  }

  /** Highlights one stage (see mountMap). */
  highlightStage(id) {
    this.#map?.highlightStage(id);
  }

  /** Selects a card (see mountMap). */
  /** The map drawn as a PNG `Blob` (renderPng's options). */
  toPng(options) {
    if (this.#svg === null) {
      return Promise.reject(new JourneyError('invalid map: <journey-map> has drawn nothing yet', 'invalid_argument'));
    }
    return renderPng(this.#svg, options);
  }

  select(id) {
    this.#map?.select(id);
  }

  /** Removes the highlights. */
  clear() {
    this.#map?.clear();
  }

  // Several changes in one task draw once.
  #schedule() {
    if (this.#pending || !this.isConnected) return;
    this.#pending = true;
    queueMicrotask(() => {
      this.#pending = false;
      this.#render();
    });
  }

  #renderOptions() {
    if (this.#options !== null) return this.#options;
    const options = JSON.parse(this.getAttribute('options') ?? '{}');
    for (const name of SHORTHANDS) if (this.hasAttribute(name)) options[name] = true;
    if (this.hasAttribute('theme')) options.theme = this.getAttribute('theme');
    if (this.hasAttribute('width')) options.width = Number(this.getAttribute('width'));
    return options;
  }

  async #render() {
    this.dataset.state = 'loading';
    let model = null;
    try {
      await init();
      let text = this.#document;
      if (text === null) {
        const src = this.getAttribute('src');
        if (src === null) return;
        const response = await fetch(src);
        if (!response.ok) throw new Error(`${src}: ${response.status} ${response.statusText}`);
        text = await response.text();
      }
      model = typeof text === 'string' ? JourneyModel.fromJson(text) : JourneyModel.fromObject(text);
      const journey = this.getAttribute('journey') ?? model.journeys()[0]?.id;
      const svg = model.renderSvg(journey, this.#renderOptions());
      this.#map?.destroy();
      this.#map = mountMap(this, svg);
      this.#svg = svg;
      this.dataset.state = 'ready';
      this.dispatchEvent(new CustomEvent('journey-render', { bubbles: true, detail: { journey } }));
    } catch (error) {
      this.dataset.state = 'error';
      this.dispatchEvent(new CustomEvent('journey-error', { bubbles: true, detail: error }));
    } finally {
      model?.free();
    }
  }
}

if (globalThis.customElements !== undefined && !customElements.get('journey-map')) {
  customElements.define('journey-map', JourneyMapElement);
}
