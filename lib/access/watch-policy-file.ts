import { watch as fsWatch, type FSWatcher } from 'node:fs'
import { basename, dirname } from 'node:path'
import type { Logger } from '../log/index.js'
import type { Timers } from './compliance-list.js'

/** Dependencies of the watcher. */
export interface WatchPolicyFileOptions {
  readonly file: string
  /** Called once the file has been quiet for `debounceMs` after a change. */
  readonly onChange: () => void
  /** Quiet time before a reload (ms): an editor's save is several events. Default: 500 */
  readonly debounceMs?: number
  readonly timers: Timers
  readonly logger?: Logger
  /** fs.watch, injectable for tests. Default: node:fs watch */
  readonly watch?: (dir: string, listener: (event: string, name: string | Buffer | null) => void) => Pick<FSWatcher, 'close' | 'on'>
}

/**
 * Watches the policy file and calls `onChange` after a debounce. It watches the folder, not the
 * file: editors save by writing a new file and renaming it over the old one, and Kubernetes
 * swaps a ConfigMap's `..data` symlink; a watch on the file itself goes blind after the first
 * such save. Returns the function that stops watching.
 */
export function watchPolicyFile (o: WatchPolicyFileOptions): () => void {
  const name = basename(o.file)
  let timer: unknown
  const fire = (): void => {
    if (timer !== undefined) o.timers.clearTimeout(timer)
    timer = o.timers.setTimeout(() => { timer = undefined; o.onChange() }, o.debounceMs ?? 500)
  }
  const w = (o.watch ?? ((dir, l) => fsWatch(dir, { persistent: false }, l)))(dirname(o.file), (_event, changed) => {
    const n = changed === null ? null : String(changed)
    // null: the platform did not say which file; `..data`: a ConfigMap update.
    if (n === null || n === name || n.startsWith('..')) fire()
  })
  w.on('error', (err: Error) => { o.logger?.warn({ err, file: o.file }, 'policy file watch failed; SIGHUP still reloads') })
  return () => {
    if (timer !== undefined) o.timers.clearTimeout(timer)
    w.close()
  }
}
