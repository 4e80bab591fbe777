// Preloaded into the gateway only by `npm run bench` for memory measurements
// (node --expose-gc --import …/gc-on-signal.mjs). SIGUSR2 runs two full collections so the heap
// the runner reads from /metrics right afterwards is live data, not garbage not yet collected.
// With BENCH_HEAPSNAPSHOT_DIR set (bench --profile only) it then also writes a heap snapshot
// there and a `<name>.done` marker once the file is complete (holding the RSS and the V8 heap spaces' committed and used bytes after the GCs, as JSON).
// Signal listeners do not keep the process alive, and nothing else in the gateway changes.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { getHeapSpaceStatistics, writeHeapSnapshot } from 'node:v8'

let n = 0
process.on('SIGUSR2', () => {
  if (typeof globalThis.gc === 'function') { globalThis.gc(); globalThis.gc() }
  const dir = process.env.BENCH_HEAPSNAPSHOT_DIR
  if (dir !== undefined && dir !== '') {
    const name = `snap-${++n}.heapsnapshot`
    // RSS read before the snapshot: writing one grows RSS by far more than the heap itself.
    const rss = process.memoryUsage().rss
    const spaces = Object.fromEntries(getHeapSpaceStatistics().map((s) => [s.space_name, { size: s.space_size, used: s.space_used_size }]))
    // BENCH_NO_SNAPSHOT=1: the figures only (a snapshot's own native memory stays in RSS after
    // it is written, and would be counted in the next reading's RSS).
    if (process.env.BENCH_NO_SNAPSHOT !== '1') writeHeapSnapshot(join(dir, name))
    writeFileSync(join(dir, `${name}.done`), JSON.stringify({ rss, spaces }))
  }
})
