// The Node entry (ES module), sharing one instance with the CommonJS entry.
import journey from './node.cjs';

export const { JourneyModel, EventLog, Tracker, attributePaths, JourneyError, version, __testPanic } = journey;
