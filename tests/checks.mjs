// Counted checks for the test scripts that are not `node --test` suites:
// each failure is printed, and `finish(label)` prints the closing
// "label: N passed, N failed" line and exits non-zero on any failure.
export function checks() {
  let passed = 0;
  let failed = 0;
  return {
    check(condition, what) {
      if (condition) passed++;
      else {
        failed++;
        console.error(`check failed: ${what}`);
      }
    },
    finish(label) {
      console.log(`${label}: ${passed} passed, ${failed} failed`);
      process.exit(failed === 0 ? 0 : 1);
    },
  };
}
