// The journey map in a page: `mountMap` puts a map's SVG (from
// `renderSvg`) into an element and makes it interactive through the map's
// documented DOM alone (classes and data- attributes): select and hover
// events, arrow keys between the cards, tooltips that show a card's lanes,
// and highlighting a path or a stage. No framework; `<journey-map>`
// (element.js) builds on it. `renderPng` draws a map (or a stage flow)
// into a PNG through the page's canvas.

import { JourneyError } from './common.js';

const STYLE_ID = 'journey-map-interactive';
const STYLE = `
.journey-map .touchpoint { cursor: pointer; }
.journey-map .touchpoint:focus { outline: none; }
.journey-map .touchpoint:focus-visible > rect:first-of-type,
.journey-map .touchpoint.selected > rect:first-of-type { stroke-width: 3px; }
.journey-map.journey-dimmed .touchpoint:not(.highlighted),
.journey-map.journey-dimmed .flow:not(.highlighted),
.journey-map.journey-dimmed .exit { opacity: .25; }
.journey-map .stage.highlighted > rect { stroke: currentColor; stroke-width: 2px; }
.journey-map-tooltip { position: absolute; z-index: 10; max-width: 22rem; padding: .5rem .7rem;
  border-radius: 6px; background: #111827; color: #f9fafb; font: 12px/1.4 system-ui, sans-serif;
  white-space: pre-line; pointer-events: none; box-shadow: 0 4px 14px rgb(0 0 0 / .25); }
.journey-map-tooltip[hidden] { display: none; }
`;

/** The card (a `g.touchpoint`) an event happened in, if any. */
function cardOf(target) {
  return target instanceof Element ? target.closest('.touchpoint') : null;
}

/**
 * Mounts a journey map into `element` (its content is replaced) and returns
 * a controller. `element` receives `journey-select` (click, Enter or Space
 * on a card) and `journey-hover` (pointer or focus on a card) events whose
 * `detail` is `{ id, stage, card }`. Arrow keys move the focus from card to
 * card (Home and End to the first and last), Escape clears the selection.
 */
export function mountMap(element, svg, { tooltips = true } = {}) {
  const document = element.ownerDocument;
  if (!document.getElementById(STYLE_ID)) {
    const style = document.createElement('style');
    style.id = STYLE_ID;
    style.textContent = STYLE;
    document.head.append(style);
  }
  element.innerHTML = svg;
  const root = element.querySelector('svg.journey-map');
  if (root === null) throw new TypeError('mountMap: the text is not a journey map (renderSvg)');
  const cards = [...root.querySelectorAll('.touchpoint')];
  // A card's lanes, from its tooltip (<title>), shown in a styled box instead
  // of the browser's own (which would show as well).
  const lanes = new Map();
  let tip = null;
  if (tooltips) {
    for (const card of cards) {
      const title = card.querySelector(':scope > title');
      if (title !== null) {
        lanes.set(card, title.textContent);
        title.remove();
      }
    }
    tip = document.createElement('div');
    tip.className = 'journey-map-tooltip';
    tip.setAttribute('role', 'tooltip');
    tip.id = `${root.id || 'journey-map'}-tooltip-${Math.random().toString(36).slice(2)}`;
    tip.hidden = true;
    if (getComputedStyle(element).position === 'static') element.style.position = 'relative';
    element.append(tip);
  }
  const showTip = (card) => {
    if (tip === null || !lanes.has(card)) return;
    tip.textContent = lanes.get(card);
    const box = card.getBoundingClientRect();
    const host = element.getBoundingClientRect();
    tip.style.left = `${box.left - host.left + element.scrollLeft}px`;
    tip.style.top = `${box.bottom - host.top + element.scrollTop + 6}px`;
    tip.hidden = false;
    card.setAttribute('aria-describedby', tip.id);
  };
  const hideTip = (card) => {
    if (tip !== null) tip.hidden = true;
    card?.removeAttribute('aria-describedby');
  };
  const fire = (type, card) =>
    element.dispatchEvent(new CustomEvent(type, {
      bubbles: true,
      detail: { id: card.dataset.id, stage: card.dataset.stage, card },
    }));
  let selected = null;
  const select = (card) => {
    selected?.classList.remove('selected');
    selected?.removeAttribute('aria-current');
    selected = card;
    if (card !== null) {
      card.classList.add('selected');
      card.setAttribute('aria-current', 'true');
      fire('journey-select', card);
    }
  };
  const onClick = (event) => {
    const card = cardOf(event.target);
    if (card !== null) select(card);
  };
  const onKey = (event) => {
    const card = cardOf(event.target);
    if (card === null) return;
    const at = cards.indexOf(card);
    const next = {
      ArrowRight: at + 1, ArrowDown: at + 1, ArrowLeft: at - 1, ArrowUp: at - 1,
      Home: 0, End: cards.length - 1,
    }[event.key];
    if (next !== undefined) {
      event.preventDefault();
      cards[Math.max(0, Math.min(cards.length - 1, next))].focus();
    } else if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      select(card);
    } else if (event.key === 'Escape') {
      select(null);
      hideTip(card);
    }
  };
  const onEnter = (event) => {
    const card = cardOf(event.target);
    if (card === null || card.contains(event.relatedTarget)) return;
    showTip(card);
    fire('journey-hover', card);
  };
  const onLeave = (event) => {
    const card = cardOf(event.target);
    if (card !== null && !card.contains(event.relatedTarget)) hideTip(card);
  };
  const listeners = [
    ['click', onClick], ['keydown', onKey], ['pointerover', onEnter], ['pointerout', onLeave],
    ['focusin', onEnter], ['focusout', onLeave],
  ];
  for (const [type, listener] of listeners) root.addEventListener(type, listener);

  const clear = () => {
    root.classList.remove('journey-dimmed');
    for (const marked of root.querySelectorAll('.highlighted')) marked.classList.remove('highlighted');
  };
  return {
    /** The `<svg>` element. */
    svg: root,
    /** The cards (`g.touchpoint`), in document order. */
    cards,
    /** Selects the card of touchpoint `id` (or none for `null`), as a click does. */
    select(id) {
      select(id === null ? null : cards.find((card) => card.dataset.id === id) ?? null);
    },
    /** Highlights the cards of `ids` and the flows between consecutive ones; dims the rest. */
    highlightPath(ids) {
      clear();
      root.classList.add('journey-dimmed');
      const wanted = new Set(ids);
      for (const card of cards) if (wanted.has(card.dataset.id)) card.classList.add('highlighted');
      for (let k = 1; k < ids.length; k++) {
        for (const flow of root.querySelectorAll('.flow')) {
          if (flow.dataset.from === ids[k - 1] && flow.dataset.to === ids[k]) flow.classList.add('highlighted');
        }
      }
    },
    /** Highlights one stage's header and cards; dims the rest. */
    highlightStage(id) {
      clear();
      root.classList.add('journey-dimmed');
      for (const stage of root.querySelectorAll('.stage')) {
        if (stage.dataset.id === id) stage.classList.add('highlighted');
      }
      for (const card of cards) if (card.dataset.stage === id) card.classList.add('highlighted');
    },
    /** Removes every highlight. */
    clear,
    /** Removes the listeners, the tooltip and the map. */
    destroy() {
      for (const [type, listener] of listeners) root.removeEventListener(type, listener);
      tip?.remove();
      root.remove();
    },
  };
}

/** The most pixels a PNG may have (as Rust's `MAX_PNG_PIXELS`). */
const MAX_PNG_PIXELS = 100_000_000;
/** The largest scale (as Rust's `MAX_PNG_SCALE`). */
const MAX_PNG_SCALE = 8;

/**
 * An SVG document (renderSvg's or renderStageFlow's text) as a PNG `Blob`,
 * drawn by the browser through a canvas: `scale` pixels per SVG unit (above
 * 0, at most 8) and `properties`, values of the map's CSS custom properties
 * by name (an SVG drawn as an image does not see the page's). The same
 * options and refusals as Rust's `render_png`; the text is set in the
 * browser's fonts.
 */
export async function renderPng(svg, { scale = 1, properties = {} } = {}) {
  if (typeof scale !== 'number' || !Number.isFinite(scale) || scale <= 0 || scale > MAX_PNG_SCALE) {
    throw new JourneyError(`invalid option scale: must be above 0 and at most ${MAX_PNG_SCALE}, not ${scale}`, 'invalid_option');
  }
  const declarations = [];
  for (const [name, value] of Object.entries(properties ?? {})) {
    if (!/^--[A-Za-z0-9_-]+$/.test(name)) {
      throw new JourneyError(`invalid option properties: ${JSON.stringify(name)} is not a custom property name (--journey-card)`, 'invalid_option');
    }
    if (typeof value !== 'string' || value.trim() === '' || /[;{}<>"'\\]/.test(value)) {
      throw new JourneyError(`invalid option properties.${name}: ${JSON.stringify(value)} is not a plain colour or value`, 'invalid_option');
    }
    declarations.push(`${name}:${value.trim()}`);
  }
  const parsed = new DOMParser().parseFromString(String(svg), 'image/svg+xml');
  const root = parsed.documentElement;
  if (root.localName !== 'svg' || parsed.getElementsByTagName('parsererror').length > 0) {
    throw new JourneyError('invalid svg: not an SVG document', 'invalid_argument');
  }
  const [width, height] = ['width', 'height'].map((name) => Number.parseFloat(root.getAttribute(name)));
  if (!(width > 0 && height > 0)) {
    throw new JourneyError('invalid svg: the document has no width and height in pixels', 'invalid_argument');
  }
  const [w, h] = [Math.ceil(width * scale), Math.ceil(height * scale)];
  if (w * h > MAX_PNG_PIXELS) {
    throw new JourneyError(`pixels of the PNG (${w} × ${h}) is ${w * h}, above the limit of ${MAX_PNG_PIXELS}`, 'limit_exceeded');
  }
  if (declarations.length > 0) {
    const style = parsed.createElementNS('http://www.w3.org/2000/svg', 'style');
    style.textContent = `:root{${declarations.join(';')}}`;
    root.insertBefore(style, root.firstChild);
  }
  const text = new XMLSerializer().serializeToString(parsed);
  const url = URL.createObjectURL(new Blob([text], { type: 'image/svg+xml' }));
  try {
    const image = new Image();
    image.src = url;
    await image.decode();
    const canvas = document.createElement('canvas');
    canvas.width = w;
    canvas.height = h;
    canvas.getContext('2d').drawImage(image, 0, 0, w, h);
    return await new Promise((resolve, reject) =>
      canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new JourneyError('the canvas gave no PNG', 'internal'))), 'image/png'));
  } finally {
    URL.revokeObjectURL(url);
  }
}
