/**
 * What the Horde-only test files share: a gateway in front of the Horde fixture, devices of bob
 * (alice's INBOX belongs to the shared server suite), and how to read Horde's side of a Ping.
 */
import type { Test } from 'tap'
import {
  folderSync,
  hordeAccessEntries,
  hordeFixture,
  newDeviceId,
  startGateway,
  syncUntilEmpty,
  waitFor,
  type EasSession,
  type GatewayConfig,
  type HordeAccessEntry,
  type RunningGateway,
} from '../helpers/index.js'

export const fx = hordeFixture()
/** Every Horde-only test is bob's: nothing delivers mail to him. */
export const USER = fx.bob
export const REQUESTS = 'eas_gateway_requests_total'
export const PING_DONE = { command: 'Ping', outcome: 'completed' }
export const PING_ABORT = { command: 'Ping', outcome: 'device_abort' }
/** How long a test watches a Ping stay open before it acts (a bounded observation, not a synchronisation). */
export const HOLD_OBSERVE_MS = 2000

/** 'held' when `pending` is still open after `ms`. */
export async function heldFor (pending: Promise<unknown>, ms: number): Promise<'held' | 'answered'> {
  let timer: NodeJS.Timeout | undefined
  const r = await Promise.race([
    pending.then(() => 'answered' as const, () => 'answered' as const),
    new Promise<'held'>((resolve) => (timer = setTimeout(() => resolve('held'), ms))),
  ])
  clearTimeout(timer)
  return r
}

/** A gateway in front of Horde; its bounds are Horde's own unless `extra` sets others. Stopped at teardown. */
export async function hordeGateway (t: Test, extra: Partial<GatewayConfig> = {}): Promise<{ gw: RunningGateway; base: string; admin: string }> {
  const gw = await startGateway(t, {
    upstreams: [{ name: 'horde', url: `${new URL(fx.easUrl).origin}/` }],
    server: { minHeartbeat: `${fx.hbMin}s`, maxHeartbeat: `${fx.hbMax}s` },
    ...extra,
  })
  return { gw, base: `${gw.url}/Microsoft-Server-ActiveSync`, admin: gw.adminUrl! }
}

/** A device of bob at `base` speaking `version` (default 16.0). */
export function session (base: string, label: string, version = '16.0', deviceId = newDeviceId(label)): EasSession {
  return { baseUrl: base, user: USER.user, password: USER.password, deviceId, protocolVersion: version }
}

/** FolderSync, then the INBOX synced until Horde has nothing more to say: a Ping on it then blocks. */
export async function syncedInbox (s: EasSession): Promise<Array<{ id: string; class: string }>> {
  const fs = await folderSync(s)
  const inbox = fs.folders.find((f) => f.type === 2)
  if (!inbox) throw new Error(`no INBOX in FolderSync:\n${fs.response.xml}`)
  await syncUntilEmpty(s, inbox.serverId)
  return [{ id: inbox.serverId, class: 'Email' }]
}

/** The Apache log entry of `deviceId`'s last Ping once Horde has ended it (polled: Apache writes it at the end). */
export function hordePingEntry (deviceId: string, timeoutMs: number): Promise<HordeAccessEntry> {
  return waitFor(
    `Horde's access log to show the Ping of ${deviceId}`,
    async () => (await hordeAccessEntries(deviceId))?.filter((e) => e.request.includes('Cmd=Ping')).at(-1),
    { timeoutMs, maxIntervalMs: 250 }
  )
}
