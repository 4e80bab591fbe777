import { basename, join } from 'node:path'
import type { Diagnostic, PolicyListSource } from '../config/index.js'
import { GatewayError } from '../errors.js'
import { lintAccessPolicy } from '../lint/index.js'
import type { Logger } from '../log/index.js'
import {
  decideAccess, DEFAULT_DEVICE_SLOTS, DeviceSlots,
  type AccessDecision, type AccessPolicy, type AccessRequest, type DeviceSlotOptions, type ListView, type SharedSlot
} from '../policy/index.js'
import { createComplianceList, type ComplianceList, type ListStatus, type SharedListStore, type Timers } from './compliance-list.js'

/** The fleet's device slots (maxDevicesPerUser), kept in Redis by lib/state. Never rejects. */
export interface SharedSlotStore {
  /**
   * Records the device's slot in the fleet (first seen kept, last seen `now`, the user's slots
   * bounded by `maxPerUser` and `ttl`); resolves the user's slots in the fleet, or `undefined`
   * when Redis did not answer in time.
   */
  touch (user: string, deviceId: string, now: number, bounds: { readonly ttl: number, readonly maxPerUser: number }): Promise<readonly SharedSlot[] | undefined>
  /** Gives the device's slot back in the fleet. */
  release (user: string, deviceId: string): Promise<void>
}

/** What a controller shares with the other gateways of a fleet (`state.redis`). */
export interface AccessFleet {
  readonly slots: SharedSlotStore
  readonly lists: SharedListStore
}

/** How often a device already known here re-tells the fleet it holds its slot (ms). */
export const SLOT_SYNC_INTERVAL = 10_000

/** The outcome of one (re)load of the policy file. */
export interface ReloadResult {
  /** True when the file's policy is now in force. */
  readonly ok: boolean
  /** Every finding, errors and warnings, with file:line:col. */
  readonly findings: readonly Diagnostic[]
  /** Rules in force after the reload. */
  readonly rules: number
}

/** What the controller knows, for `/devices` and the logs. */
export interface AccessStatus {
  readonly policy: string
  readonly rules: number
  readonly loadedAt?: number
  readonly lists: readonly ListStatus[]
}

/** Device access control at run time: a policy that reloads, its lists, its device slots. */
export interface AccessController {
  /** Loads (or reloads) the policy file. An invalid file keeps the policy in force. Calls are serialized. */
  reload (): Promise<ReloadResult>
  /** Decides a request and records the device in its user's slots (maxDevicesPerUser). */
  decide (req: AccessRequest): AccessDecision
  /** Decides without recording anything: to re-check held Pings after a change. */
  check (req: AccessRequest): AccessDecision
  /** Calls `fn` after the policy or a list changed; returns the unsubscribe function. */
  onChange (fn: () => void): () => void
  status (): AccessStatus
  /**
   * Shares the device slots and the lists' fetches with the fleet from now on. Nothing waits on
   * the fleet: decisions stay synchronous, on local slots the fleet's answers refresh.
   */
  share (fleet: AccessFleet): void
  /** Stops the lists' polls. */
  close (): void
}

/** Dependencies. */
export interface AccessControllerOptions {
  /** The policy file (absolute, or relative to the process's cwd as the caller resolved it). */
  readonly policyFile: string
  readonly readFile: (path: string) => Promise<string>
  /** Folder of the lists' disk cache; absent: no cache. */
  readonly cacheDir?: string
  readonly timers: Timers
  /** Epoch ms. */
  readonly now: () => number
  readonly fetch?: typeof fetch
  readonly logger?: Logger
  readonly slots?: Partial<DeviceSlotOptions>
}

/**
 * Builds the access controller. `reload()` runs the same checks as `gateway lint DEVICES.yaml`
 * (structure, then the GW04xx rules): any error-level finding refuses the new file, logs the
 * findings with their positions and keeps the previous policy in force. The swap itself is one
 * assignment: a request is decided wholly by the old policy or wholly by the new one, and
 * nothing in flight (a held Ping) is dropped. Lists whose definition did not change keep their
 * state across a reload; new ones start (disk cache, then a first fetch) before the swap.
 */
export function createAccessController (o: AccessControllerOptions): AccessController {
  let policy: AccessPolicy | undefined
  let loadedAt: number | undefined
  let lists = new Map<string, { key: string, list: ComplianceList }>()
  let views: ReadonlyMap<string, ListView> = new Map()
  const slots = new DeviceSlots(o.slots)
  const slotBounds = { ...DEFAULT_DEVICE_SLOTS, ...o.slots }
  let fleet: AccessFleet | undefined
  const listeners = new Set<() => void>()
  let queue: Promise<unknown> = Promise.resolve()

  const notify = (): void => { for (const fn of listeners) fn() }
  const refreshViews = (): void => { views = new Map([...lists].map(([n, l]) => [n, l.list.view()])) }
  const onListChange = (): void => { refreshViews(); notify() }

  const startLists = async (defs: Readonly<Record<string, PolicyListSource>>): Promise<Map<string, { key: string, list: ComplianceList }>> => {
    const next = new Map<string, { key: string, list: ComplianceList }>()
    const started: Promise<void>[] = []
    for (const [name, source] of Object.entries(defs)) {
      const key = JSON.stringify(source)
      const old = lists.get(name)
      if (old?.key === key) { next.set(name, old); continue }
      const list = createComplianceList({
        name,
        source,
        timers: o.timers,
        now: o.now,
        onChange: onListChange,
        shared: () => fleet?.lists,
        ...(o.cacheDir !== undefined ? { cacheFile: join(o.cacheDir, `${safeName(name)}.json`) } : {}),
        ...(o.fetch !== undefined ? { fetch: o.fetch } : {}),
        ...(o.logger !== undefined ? { logger: o.logger } : {})
      })
      next.set(name, { key, list })
      started.push(list.start())
    }
    await Promise.all(started)
    return next
  }

  const load = async (): Promise<ReloadResult> => {
    const rules = (): number => policy?.rules.length ?? 0
    let text: string
    try {
      text = await o.readFile(o.policyFile)
    } catch (err) {
      const why = (err as NodeJS.ErrnoException).code ?? (err as Error).message
      const d: Diagnostic = { code: 'GW0010', rule: 'unreadable-file', severity: 'error', file: o.policyFile, line: 1, col: 1, path: [], message: `cannot read ${o.policyFile}: ${why}` }
      refused([d])
      return { ok: false, findings: [d], rules: rules() }
    }
    const r = lintAccessPolicy({ file: o.policyFile, text })
    if (r.policy === undefined) { refused(r.findings); return { ok: false, findings: r.findings, rules: rules() } }
    const next = await startLists(r.policy.file.lists)
    for (const [name, l] of lists) if (next.get(name) !== l) l.list.stop()
    lists = next
    refreshViews()
    policy = r.policy
    loadedAt = o.now()
    for (const d of r.findings) o.logger?.warn({ finding: d }, `${d.file}:${d.line}:${d.col} ${d.severity} ${d.code} ${d.rule}: ${d.message}`)
    o.logger?.info({ policy: basename(o.policyFile), rules: rules(), lists: [...lists.keys()] }, 'device access policy in force')
    notify()
    return { ok: true, findings: r.findings, rules: rules() }
  }

  const refused = (findings: readonly Diagnostic[]): void => {
    const err = new GatewayError('GW_ERR_POLICY_RELOAD_REFUSED', `${o.policyFile}: ${findings.filter((d) => d.severity === 'error').length} error(s)`)
    o.logger?.error({ code: err.code, findings: findings.map((d) => `${d.file}:${d.line}:${d.col} ${d.severity} ${d.code} ${d.rule}: ${d.message}`) }, err.message)
  }

  const decide = (req: AccessRequest, record: boolean): AccessDecision => {
    const now = o.now()
    const user = req.user
    const d = decideAccess(policy, req, { now, lists: views, ...(user !== undefined ? { userDevices: slots.of(user, now) } : {}) })
    if (!record || policy === undefined || user === undefined || req.deviceId === undefined) return d
    // A device blocked by a rule gives its slot back; every other device holds (or waits for) one.
    if (d.decision === 'block' && d.reason !== 'device-limit') {
      slots.release(user, req.deviceId)
      if (fleet !== undefined) void fleet.slots.release(user, req.deviceId)
      return d
    }
    // Asked before the touch: a device new here is told to the fleet at once.
    const sync = fleet !== undefined && slots.needsSync(user, req.deviceId, now, SLOT_SYNC_INTERVAL)
    slots.touch(user, req.deviceId, now)
    if (sync && fleet !== undefined) {
      void fleet.slots.touch(user, req.deviceId, now, slotBounds).then((all) => { if (all !== undefined) slots.replace(user, all, o.now()) })
    }
    return d
  }

  return {
    reload () {
      const run = queue.then(load)
      queue = run.catch(() => undefined)
      return run
    },
    decide: (req) => decide(req, true),
    check: (req) => decide(req, false),
    onChange (fn) { listeners.add(fn); return () => { listeners.delete(fn) } },
    status: () => ({ policy: o.policyFile, rules: policy?.rules.length ?? 0, ...(loadedAt !== undefined ? { loadedAt } : {}), lists: [...lists.values()].map((l) => l.list.status()) }),
    share (f) { fleet = f },
    close () { for (const l of lists.values()) l.list.stop() }
  }
}

/** A list name as a file name: anything but letters, digits, `-` and `_` becomes `_`. */
function safeName (name: string): string {
  return name.replace(/[^A-Za-z0-9_-]/g, '_')
}
