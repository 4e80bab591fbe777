/**
 * Resolves once `cond()` holds, checking every few milliseconds; rejects after `timeoutMs`. For
 * state that has no event to wait on (e.g. "the gateway has the request in progress"); a bounded
 * poll on a condition, never a fixed sleep.
 */
export async function until (cond: () => boolean, what: string, timeoutMs = 2000): Promise<void> {
  const deadline = performance.now() + timeoutMs
  while (!cond()) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}
