/**
 * Synchronisation of a fit's threads (engine/threads.ts) over its shared control words. Each function is
 * self-contained: threads.ts sends its source to the worker threads, so it uses nothing but its arguments and
 * Atomics.
 */

/**
 * Claims the next chunk of the current job: chunks are numbered on from ctrl[base] by ctrl[next], which only grows,
 * up to ctrl[limit] (excluded). Returns the chunk's number in its job (from 0), or −1 when none is left. A thread
 * late for a job can claim nothing of it once it is done, so it reads none of a later job's words by mistake.
 */
export function claim(ctrl: Int32Array, next: number, limit: number, base: number): number {
  for (;;) {
    const at = Atomics.load(ctrl, next);
    if (at >= Atomics.load(ctrl, limit)) return -1;
    if (Atomics.compareExchange(ctrl, next, at, at + 1) === at) return at - Atomics.load(ctrl, base);
  }
}

/** Waits until ctrl[word] ≥ value (those who raise it notify): looks `spin` times before sleeping. */
export function waitFor(ctrl: Int32Array, word: number, value: number, spin: number): void {
  for (let i = 0; i < spin && Atomics.load(ctrl, word) < value; i++);
  for (let seen = Atomics.load(ctrl, word); seen < value; seen = Atomics.load(ctrl, word))
    Atomics.wait(ctrl, word, seen);
}
