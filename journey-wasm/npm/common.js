// Shared by the browser and Node entries (the build writes a CommonJS copy,
// common.cjs, for node.cjs).

/** The error every failing call throws; `code` tells what kind of failure. */
export class JourneyError extends Error {
  constructor(message, code, problems) {
    super(message);
    this.name = 'JourneyError';
    this.code = code;
    if (problems !== undefined) this.problems = problems;
  }
}

/**
 * Makes every method and getter of the classes throw a JourneyError with code
 * `invalid_argument` once the object has been freed, as every other misuse
 * does (the generated glue would throw a plain Error).
 */
export function refuseFreed(classes) {
  for (const cls of classes) {
    const proto = cls.prototype;
    for (const name of Object.getOwnPropertyNames(proto)) {
      if (name === 'constructor' || name === 'free' || name.startsWith('__')) continue;
      const descriptor = Object.getOwnPropertyDescriptor(proto, name);
      const guard = (inner) =>
        function (...args) {
          if (this.__wbg_ptr === 0) {
            throw new JourneyError(`this ${cls.name} has been freed`, 'invalid_argument');
          }
          return inner.apply(this, args);
        };
      if (typeof descriptor.value === 'function') {
        descriptor.value = guard(descriptor.value);
      } else if (descriptor.get) {
        descriptor.get = guard(descriptor.get);
      } else {
        continue;
      }
      Object.defineProperty(proto, name, descriptor);
    }
  }
}

const formats = new Map();

/** A zone's formatter of local date-times, or undefined for an unknown zone. */
function zoneFormat(timeZone) {
  if (!formats.has(timeZone)) {
    let format;
    try {
      format = new Intl.DateTimeFormat('en-US', {
        timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric',
        hour: 'numeric', minute: 'numeric', second: 'numeric',
      });
    } catch {
      format = undefined;
    }
    formats.set(timeZone, format);
  }
  return formats.get(timeZone);
}

/**
 * The JS engine's time zones, for `time_zone` names (`"Europe/Paris"`):
 * whether it knows one, and a zone's offset east of UTC, in seconds, at an
 * instant (epoch seconds).
 */
export const zones = {
  known: (timeZone) => zoneFormat(timeZone) !== undefined,
  offset(timeZone, seconds) {
    const local = {};
    for (const { type, value } of zoneFormat(timeZone).formatToParts(seconds * 1000)) local[type] = Number(value);
    const { year, month, day, hour, minute, second } = local;
    return Date.UTC(year, month - 1, day, hour, minute, second) / 1000 - seconds;
  },
};

/**
 * Adds `readXesGzip` to the full build's `EventLog`: the WebAssembly reads
 * XES text and plain bytes; gzipped bytes (`.xes.gz`) are inflated by the
 * platform's `DecompressionStream` (browsers, Node 18 and later), so the
 * package carries no inflater of its own.
 */
export function addXesGzip(EventLog) {
  if (typeof EventLog.prototype.readXes !== 'function') return;
  Object.defineProperty(EventLog.prototype, 'readXesGzip', {
    configurable: true,
    writable: true,
    value: async function readXesGzip(bytes, options) {
      let text;
      try {
        const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
        text = new Uint8Array(await new Response(stream).arrayBuffer());
      } catch (error) {
        throw new JourneyError(`invalid data: not gzip-compressed XES (${error.message})`, 'invalid_argument');
      }
      return this.readXes(text, options);
    },
  });
}
