import type { DestinationStream } from 'pino'
import { createDropReporter } from './create-drop-reporter.js'
import { createFdWrite } from './create-fd-write.js'

/**
 * Writes `data` to a file descriptor and calls `done` once, with the error or the bytes written:
 * the contract of `fs.write(fd, data, done)`, injected so tests can fail it on purpose.
 */
export type LogWrite = (data: Buffer, done: (err: NodeJS.ErrnoException | null, written?: number) => void) => void

/** Time and timers of the destination, injected so tests run on a fake clock. */
export interface LogClock {
  /** Monotonic milliseconds. */
  now (): number
  setTimeout (fn: () => void, ms: number): unknown
  clearTimeout (handle: unknown): void
}

/** The real clock: performance.now and unref'd timers (the log never keeps a process alive). */
export const LOG_CLOCK: LogClock = {
  now: () => performance.now(),
  setTimeout (fn, ms) { const t = setTimeout(fn, ms); t.unref(); return t },
  clearTimeout (handle) { clearTimeout(handle as NodeJS.Timeout) }
}

/** Options of {@link createLogDestination}. */
export interface LogDestinationOptions {
  /** Where the lines go. Default: fd 1 (stdout), through {@link createFdWrite} */
  readonly write?: LogWrite
  /** Where drop reports go; errors are ignored. Default: fd 2 (stderr), through {@link createFdWrite} */
  readonly report?: LogWrite
  /**
   * Bytes that make a batch worth a write at once. Default: 65536 (at 4096, an access line of
   * ~630 bytes made a thread-pool write, with its context switches, every 6-7 requests: issue #14)
   */
  readonly minLength?: number
  /** Longest a line waits in a smaller batch (ms); also the retry delay after EAGAIN. Default: 250 */
  readonly flushInterval?: number
  /**
   * Bytes held in memory (batch and write in progress); lines beyond are dropped. It must hold the
   * largest burst logged within one tick: a drain ends every held Ping in one loop (measured: with
   * 1 MiB, 3882 of 7000 access lines were dropped draining 7000 Pings to a healthy file). Default: 16 MiB
   */
  readonly maxBuffered?: number
  /** At most one drop report per this many ms. Default: 60000 */
  readonly reportInterval?: number
  /** Longest `flush(cb)` waits before calling back anyway (ms). Default: 2000 */
  readonly flushTimeout?: number
  /** Default: {@link LOG_CLOCK} */
  readonly clock?: LogClock
}

/** A pino destination that never blocks and never retries a failing write forever. */
export interface LogDestination extends DestinationStream {
  /** Writes what is buffered now; `cb` runs once it is written or dropped, or after `flushTimeout`. */
  flush (cb?: (err?: Error) => void): void
  /** Lines dropped so far (write errors and the memory cap): `eas_gateway_log_lines_dropped_total`. */
  readonly dropped: number
  /** Stops the timers and reports drops not reported yet (after the last flush, at exit). */
  close (): void
}

/** The code a cap drop is reported as: no write failed, the writes are too slow (stuck, or EAGAIN). */
const BUFFER_FULL = 'buffer_full'

/**
 * stdout for pino, batched like pino's async destination was (npm run bench measured ~20 µs per
 * request for one write per line): a batch is written once `minLength` bytes pile up, or after
 * `flushInterval`. Unlike SonicBoom, which retries a failing write forever (a gateway with stdout on
 * a full disk or /dev/full stopped serving, issue 9), a batch is tried once: on ENOSPC, EIO, EPIPE,
 * EBADF or any other error its lines are dropped and counted. EAGAIN keeps the batch and retries
 * after `flushInterval`. At most one write is in flight and at most `maxBuffered` bytes are held
 * (the batch and that write); lines beyond are dropped. Drops are counted for
 * `eas_gateway_log_lines_dropped_total` and reported on stderr by {@link createDropReporter}.
 */
export function createLogDestination (opts: LogDestinationOptions = {}): LogDestination {
  const write = opts.write ?? createFdWrite(1)
  const report = opts.report ?? createFdWrite(2)
  const minLength = opts.minLength ?? 65536
  const flushInterval = opts.flushInterval ?? 250
  const maxBuffered = opts.maxBuffered ?? 16 * 1024 * 1024
  const reportInterval = opts.reportInterval ?? 60_000
  const flushTimeout = opts.flushTimeout ?? 2000
  const clock = opts.clock ?? LOG_CLOCK

  // The batch: lines encoded straight into `cur` (no byte count, join and encode per batch: issue
  // #14), and the full chunks before it while a write is in flight.
  const capacity = Math.max(minLength, 16_384) + 16_384
  let cur = Buffer.allocUnsafe(capacity)
  let used = 0
  let sealed: Buffer[] = []
  let batchBytes = 0
  let held: { chunk: Buffer, offset: number } | undefined // being written, or waiting to retry (EAGAIN)
  let writing = false
  let timer: unknown // the flush timer, or the retry timer after EAGAIN
  const drops = createDropReporter({ report, interval: reportInterval, clock })
  const drop = drops.drop
  let waiters: ((err?: Error) => void)[] = []
  let flushing = false // flush() asked: write until empty, not in batches
  let waitTimer: unknown

  const settle = (err?: Error): void => {
    if (waitTimer !== undefined) { clock.clearTimeout(waitTimer); waitTimer = undefined }
    flushing = false
    const done = waiters
    waiters = []
    for (const cb of done) cb(err)
  }

  const arm = (ms: number): void => { timer ??= clock.setTimeout(() => { timer = undefined; pump() }, ms) }

  /** Ends the chunk being filled: its bytes join the sealed ones, a new chunk takes the next lines. */
  const seal = (): void => {
    if (used === 0) return
    sealed.push(cur.subarray(0, used))
    cur = Buffer.allocUnsafe(capacity)
    used = 0
  }

  /** Starts the next write if none is in flight: the held chunk, else the batch. */
  const pump = (): void => {
    if (writing) return
    if (timer !== undefined) { clock.clearTimeout(timer); timer = undefined }
    if (held === undefined) {
      seal()
      if (sealed.length === 0) { settle(); return }
      held = { chunk: sealed.length === 1 ? sealed[0] as Buffer : Buffer.concat(sealed, batchBytes), offset: 0 }
      sealed = []
      batchBytes = 0
    }
    const h = held
    writing = true
    try {
      write(h.offset === 0 ? h.chunk : h.chunk.subarray(h.offset), (err, n) => { written(h, err, n ?? 0) })
    } catch (err) {
      written(h, err as NodeJS.ErrnoException, 0)
    }
  }

  const written = (h: { chunk: Buffer, offset: number }, err: NodeJS.ErrnoException | null, n: number): void => {
    writing = false
    const code = err === null ? undefined : err.code ?? 'UNKNOWN'
    if (code === 'EAGAIN' || (code === undefined && n <= 0)) { arm(flushInterval); return } // not now: keep it
    if (code !== undefined) {
      drop(linesIn(h.chunk, h.offset), code)
      held = undefined
    } else {
      h.offset += n
      if (h.offset >= h.chunk.length) held = undefined
    }
    if (held !== undefined || batchBytes >= minLength || flushing) pump()
    else if (batchBytes > 0) arm(flushInterval)
  }

  return {
    write (line: string): void {
      const inFlight = held !== undefined ? held.chunk.length - held.offset : 0
      // UTF-8 takes at most 3 bytes per UTF-16 unit: a line that might not fit starts a new chunk,
      // and one longer than a chunk is a chunk of its own.
      if (line.length * 3 > capacity - used) seal()
      if (line.length * 3 > capacity) {
        const own = Buffer.from(line)
        if (batchBytes + own.length + inFlight > maxBuffered) { drop(1, BUFFER_FULL); return }
        sealed.push(own)
        batchBytes += own.length
      } else {
        const bytes = cur.write(line, used)
        // Over the cap: not counted, so the next line overwrites it.
        if (batchBytes + bytes + inFlight > maxBuffered) { drop(1, BUFFER_FULL); return }
        used += bytes
        batchBytes += bytes
      }
      if (writing || (held !== undefined && timer !== undefined)) return
      if (batchBytes >= minLength) pump()
      else arm(flushInterval)
    },
    flush (cb) {
      if (cb !== undefined) waiters.push(cb)
      flushing = true
      waitTimer ??= clock.setTimeout(() => { waitTimer = undefined; settle(Object.assign(new Error('log flush timed out'), { code: 'ETIMEDOUT' })) }, flushTimeout)
      // After EAGAIN the retry timer decides (retrying at once would spin); otherwise write now.
      if (!(held !== undefined && timer !== undefined)) pump()
    },
    get dropped () { return drops.dropped },
    close () {
      if (timer !== undefined) clock.clearTimeout(timer)
      timer = undefined
      settle()
      drops.close()
    }
  }
}

/** Lines in `chunk` from `offset` on (a line cut by a short write counts as dropped). */
function linesIn (chunk: Buffer, offset: number): number {
  let n = 0
  for (let i = chunk.indexOf(10, offset); i !== -1; i = chunk.indexOf(10, i + 1)) n++
  return chunk.length > offset && chunk[chunk.length - 1] !== 10 ? n + 1 : n
}
