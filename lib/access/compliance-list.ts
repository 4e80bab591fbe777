import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import type { PolicyListSource } from '../config/index.js'
import { GatewayError } from '../errors.js'
import type { Logger } from '../log/index.js'
import type { ListView } from '../policy/index.js'
import { parseDeviceList } from './parse-device-list.js'

/** Timers, injected so polling is driven by the test, not by the wall clock. */
export interface Timers {
  setTimeout (fn: () => void, ms: number): unknown
  clearTimeout (handle: unknown): void
}

/** `fresh`: the last fetch succeeded. `stale`: it failed, a list is still known. `none`: nothing known. */
export type ListState = 'fresh' | 'stale' | 'none'

/** What `/devices` and the logs show of a list. */
export interface ListStatus {
  readonly name: string
  readonly state: ListState
  readonly entries: number
  /** Epoch ms of the last successful fetch (or of the cached one). */
  readonly fetchedAt?: number
  readonly lastError?: string
}

/** One compliance list: polled, cached on disk, read by decisions through `view()`. */
export interface ComplianceList {
  /** Loads the disk cache, fetches once, and schedules the polls. */
  start (): Promise<void>
  /** Fetches now (a conditional GET); resolves when done. */
  refresh (): Promise<ListState>
  stop (): void
  view (): ListView
  status (): ListStatus
}

/** What the fleet knows of a list: the last fetch any gateway made. */
export interface SharedListMeta {
  /** Epoch ms of the last successful fetch (a 304 included). */
  readonly fetchedAt: number
  /** Epoch ms of the fetch that last changed the entries. */
  readonly changedAt: number
  readonly etag?: string
  readonly lastModified?: string
}

/**
 * The fleet's copy of each list (lib/state keeps it in Redis), so N gateways do not each fetch
 * the MDM export. `undefined` answers mean Redis did not answer in time: the list then fetches
 * on its own, as without a fleet. Never rejects.
 */
export interface SharedListStore {
  /** The copy's metadata; `null` when the fleet has none. */
  meta (key: string): Promise<SharedListMeta | null | undefined>
  entries (key: string): Promise<string[] | undefined>
  /** Writes the metadata, and the entries when given (they changed); the copy expires after `ttl` ms. */
  write (key: string, meta: SharedListMeta, entries: readonly string[] | undefined, ttl: number): Promise<void>
  /** Takes the right to fetch for `ms`: false when another gateway holds it. */
  lock (key: string, ms: number): Promise<boolean | undefined>
  /** Gives the right to fetch back (only if this gateway still holds it). */
  unlock (key: string): Promise<void>
}

/** How long the fleet keeps a list's copy: three polls, at least an hour (ms). */
export function sharedListTtl (interval: number): number {
  return Math.max(3 * interval, 3600_000)
}

/** Dependencies of a list. */
export interface ComplianceListOptions {
  readonly name: string
  readonly source: PolicyListSource
  /** The disk cache file; absent: no cache (a restart with the MDM down knows nothing). */
  readonly cacheFile?: string
  readonly timers: Timers
  readonly now: () => number
  readonly fetch?: typeof fetch
  readonly logger?: Logger
  /** Called when the entries or the availability change. */
  readonly onChange?: () => void
  /** The fleet's copy, once the gateway shares state (`state.redis`); absent or undefined: none. */
  readonly shared?: () => SharedListStore | undefined
}

interface CacheFile { version: 1, url: string, etag?: string, lastModified?: string, fetchedAt: number, entries: string[] }

/** Largest list body accepted (bytes): 1 M DeviceIds of ~40 bytes. */
export const MAX_LIST_BYTES = 48 * 1024 * 1024

/**
 * An external compliance list (an MDM export of DeviceIds), polled every `interval` with
 * `If-None-Match` / `If-Modified-Since` (a 304 costs the MDM nothing), written to a disk cache
 * after each change (write to a temporary file, then rename: a crash never leaves half a list),
 * and read back at start-up, so a restart while the MDM is unreachable keeps the last list, as
 * Sentry's persistent device list does. A failed fetch keeps the last list and makes the list
 * `stale`: rules on it then follow `onUnavailable`.
 */
export function createComplianceList (o: ComplianceListOptions): ComplianceList {
  const fetchFn = o.fetch ?? fetch
  let entries: ReadonlySet<string> = new Set()
  let state: ListState = 'none'
  let etag: string | undefined
  let lastModified: string | undefined
  let fetchedAt: number | undefined
  // Epoch ms of the fetch (here or by another gateway) that gave the entries held now.
  let changedAt: number | undefined
  let lastError: string | undefined
  const sharedKey = JSON.stringify({ url: o.source.url, format: o.source.format, field: o.source.field ?? null })
  let timer: unknown
  let stopped = false
  let view: ListView = { available: false, entries }

  const update = (next: ListState, list?: ReadonlySet<string>): void => {
    const changed = next !== state || list !== undefined
    state = next
    if (list !== undefined) entries = list
    view = { available: state === 'fresh', entries }
    if (changed) o.onChange?.()
  }

  const loadCache = async (): Promise<void> => {
    if (o.cacheFile === undefined) return
    try {
      const c = JSON.parse(await readFile(o.cacheFile, 'utf8')) as CacheFile
      if (c.version !== 1 || c.url !== o.source.url || !Array.isArray(c.entries)) return
      etag = c.etag
      lastModified = c.lastModified
      fetchedAt = c.fetchedAt
      changedAt = c.fetchedAt
      update('stale', new Set(c.entries))
    } catch (err) {
      // No cache yet (first start) is normal; anything else is worth a line.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') o.logger?.warn({ list: o.name, err }, 'compliance list cache unreadable, ignored')
    }
  }

  const saveCache = async (): Promise<void> => {
    if (o.cacheFile === undefined) return
    const c: CacheFile = { version: 1, url: o.source.url, ...(etag !== undefined ? { etag } : {}), ...(lastModified !== undefined ? { lastModified } : {}), fetchedAt: fetchedAt ?? o.now(), entries: [...entries] }
    const tmp = `${o.cacheFile}.${process.pid}.tmp`
    try {
      await mkdir(dirname(o.cacheFile), { recursive: true })
      await writeFile(tmp, JSON.stringify(c))
      await rename(tmp, o.cacheFile)
    } catch (err) {
      o.logger?.warn({ list: o.name, err }, 'compliance list cache not written')
    }
  }

  const fail = (detail: string, cause?: unknown): ListState => {
    const err = new GatewayError('GW_ERR_POLICY_LIST_UNAVAILABLE', `${o.name}: ${detail}`, { cause })
    // One line per change of state, not one per poll of a long outage.
    if (lastError === undefined || state === 'fresh') o.logger?.warn({ list: o.name, code: err.code, err }, err.message)
    lastError = detail
    update(state === 'none' ? 'none' : 'stale')
    return state
  }

  /**
   * With a fleet: adopts a copy another gateway fetched within the interval, or takes the right to
   * fetch and fetches (without Redis: fetches, as a lone gateway does).
   */
  const fromFleet = async (store: SharedListStore): Promise<ListState> => {
    const meta = await store.meta(sharedKey)
    if (meta === undefined) return await fetchList()
    if (meta !== null && o.now() - meta.fetchedAt < o.source.interval) {
      let list: ReadonlySet<string> | undefined
      if (meta.changedAt !== changedAt || state === 'none') {
        const e = await store.entries(sharedKey)
        if (e === undefined) return await fetchList()
        list = new Set(e)
      }
      etag = meta.etag
      lastModified = meta.lastModified
      fetchedAt = meta.fetchedAt
      changedAt = meta.changedAt
      if (lastError !== undefined) o.logger?.info({ list: o.name, entries: (list ?? entries).size }, 'compliance list available again')
      lastError = undefined
      update('fresh', list)
      if (list !== undefined) await saveCache()
      return state
    }
    // Another gateway is fetching right now: keep what is known; its copy is read at the next poll.
    const locked = await store.lock(sharedKey, o.source.timeout + 1000)
    if (locked === false) return state
    try {
      return await fetchList()
    } finally {
      if (locked === true) void store.unlock(sharedKey)
    }
  }

  const share = (changed: boolean): void => {
    const store = o.shared?.()
    if (store === undefined || fetchedAt === undefined || changedAt === undefined) return
    const meta: SharedListMeta = { fetchedAt, changedAt, ...(etag !== undefined ? { etag } : {}), ...(lastModified !== undefined ? { lastModified } : {}) }
    void store.write(sharedKey, meta, changed ? [...entries] : undefined, sharedListTtl(o.source.interval))
  }

  const refresh = async (): Promise<ListState> => {
    const store = o.shared?.()
    return store !== undefined ? await fromFleet(store) : await fetchList()
  }

  const fetchList = async (): Promise<ListState> => {
    const headers: Record<string, string> = { accept: o.source.format === 'csv' ? 'text/csv' : 'application/json' }
    if (etag !== undefined) headers['if-none-match'] = etag
    if (lastModified !== undefined) headers['if-modified-since'] = lastModified
    let res: Response
    try {
      res = await fetchFn(o.source.url, { headers, signal: AbortSignal.timeout(o.source.timeout), redirect: 'error' })
    } catch (err) {
      return fail(`fetch failed: ${(err as Error).name === 'TimeoutError' ? 'timed out' : (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message}`, err)
    }
    if (res.status === 304 && state !== 'none') {
      await res.body?.cancel()
      fetchedAt = o.now()
      changedAt ??= fetchedAt
      lastError = undefined
      update('fresh')
      share(false)
      return state
    }
    if (res.status !== 200) { await res.body?.cancel(); return fail(`HTTP ${res.status}`) }
    const length = Number(res.headers.get('content-length') ?? 0)
    if (length > MAX_LIST_BYTES) { await res.body?.cancel(); return fail(`list larger than ${MAX_LIST_BYTES} bytes`) }
    const parsed = parseDeviceList(await res.text(), o.source.format, o.source.field)
    if ('error' in parsed) return fail(parsed.error)
    etag = res.headers.get('etag') ?? undefined
    lastModified = res.headers.get('last-modified') ?? undefined
    fetchedAt = o.now()
    changedAt = fetchedAt
    if (lastError !== undefined) o.logger?.info({ list: o.name, entries: parsed.entries.size }, 'compliance list available again')
    lastError = undefined
    update('fresh', parsed.entries)
    share(true)
    await saveCache()
    return state
  }

  const schedule = (): void => {
    if (stopped) return
    timer = o.timers.setTimeout(() => { void refresh().finally(schedule) }, o.source.interval)
  }

  return {
    async start () {
      await loadCache()
      await refresh()
      schedule()
    },
    refresh,
    stop () { stopped = true; if (timer !== undefined) o.timers.clearTimeout(timer) },
    view: () => view,
    status: () => ({ name: o.name, state, entries: entries.size, ...(fetchedAt !== undefined ? { fetchedAt } : {}), ...(lastError !== undefined ? { lastError } : {}) })
  }
}
