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
