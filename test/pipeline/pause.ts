/**
 * The crash tests' pause: a checkpoint hook that, at the point named by LOUPE_TEST_PAUSE_AT, announces
 * "LOUPE_PAUSED <point>" on stderr and blocks (synchronously, so nothing else runs) until the process is killed.
 */
export function pauseAt(point: string | undefined): ((at: string) => void) | undefined {
  if (!point) return undefined;
  return (at) => {
    if (at !== point) return;
    process.stderr.write(`LOUPE_PAUSED ${at}\n`);
    const cell = new Int32Array(new SharedArrayBuffer(4));
    for (;;) Atomics.wait(cell, 0, 0, 60_000);
  };
}
