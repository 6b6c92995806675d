/**
 * The last hand-over on close, shared by the stores whose writer may be behind (quote-store.ts, request-log.ts): a
 * writer thread refuses new rows while earlier ones are still on their way (WriterBehind), and takes those within
 * milliseconds, so what waits is offered again until it is taken or the time is up.
 */

/** How long close() keeps offering rows a writer refuses (5 s), unless the store is told otherwise. */
export const DEFAULT_CLOSE_HANDOVER_MS = 5000;

/** Calls `offer` every 10 ms while `waiting()` is above 0, for at most `ms`. */
export async function offerUntilTaken(waiting: () => number, offer: () => unknown, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (waiting() > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 10));
    await offer();
  }
}
