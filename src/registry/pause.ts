/**
 * A test hook for crash tests: when LOUPE_TEST_PAUSE_AT names this point, the process announces
 * "LOUPE_PAUSED <point>" on stderr and blocks (synchronously, so nothing else runs) until it is killed.
 * Without the variable it does nothing.
 */
export function pausePoint(point: string): void {
  if (process.env.LOUPE_TEST_PAUSE_AT !== point) return;
  process.stderr.write(`LOUPE_PAUSED ${point}\n`);
  const cell = new Int32Array(new SharedArrayBuffer(4));
  for (;;) Atomics.wait(cell, 0, 0, 60_000);
}
