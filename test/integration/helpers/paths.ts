/**
 * A network path as a topology fixture describes it, started for real:
 * device -> nginx | HAProxy (timeouts read from the topology) -> eas-gateway (the config its
 * eas-gateway hop names) -> SOGo. {@link deviceOnPath} then gives a fresh device on it with
 * one mail folder synced until empty, so a Ping on that folder blocks.
 */
import { folderSync, newDeviceId, syncUntilEmpty, type EasSession } from './eas.js'
import { haproxyOptionsFrom, loadGatewayFixture, loadTopology, nginxOptionsFrom, type TopologyFixture } from './fixtures.js'
import { startGateway, type RunningGateway } from './gateway.js'
import { startHaproxy, startNginx, type Peer } from './peers.js'
import type { TapLike } from './proc.js'
import { sogoFixture } from './sogo.js'

/** A running path: hop -> gateway -> SOGo. */
export interface RunningPath {
  topo: TopologyFixture;
  gw: RunningGateway;
  /** The gateway's admin URL (`/metrics`, `/devices`). */
  admin: string;
  hop: Peer;
  kind: 'nginx' | 'haproxy';
  /** The EAS URL devices use: the hop's. */
  base: string;
}

/**
 * Starts the gateway with the config the topology's eas-gateway hop names (fixtures/), then
 * the topology's first hop (nginx or HAProxy) in front of it with the topology's timeouts.
 * Both are stopped at teardown.
 */
export async function startPath (t: TapLike, topology: string): Promise<RunningPath> {
  const topo = loadTopology(topology)
  const gwHop = topo.doc.hops.find((h) => h.kind === 'eas-gateway')
  if (!gwHop?.config) throw new Error(`${topology}: no eas-gateway hop with a config`)
  const gw = await startGateway(t, loadGatewayFixture(gwHop.config))
  const kind = topo.doc.hops[0]?.kind
  if (kind !== 'nginx' && kind !== 'haproxy') throw new Error(`${topology}: the first hop must be nginx or haproxy`)
  const hop = kind === 'nginx' ? await startNginx(t, nginxOptionsFrom(topo, gw.url)) : await startHaproxy(t, haproxyOptionsFrom(topo, gw.url))
  return { topo, gw, admin: gw.adminUrl!, hop, kind, base: `${hop.url}/Microsoft-Server-ActiveSync` }
}

/** A device on a path, and the folder list its Pings watch. */
export interface PathDevice {
  s: EasSession;
  folders: Array<{ id: string; class: string }>;
}

/**
 * A fresh device (DeviceId `label…`) of `user` (default alice) on `path`, with the mail folder
 * named `folder` synced until empty. Pick a folder no other running test writes to: a change
 * in it wakes every held Ping on it.
 */
export async function deviceOnPath (
  path: Pick<RunningPath, 'base'>,
  label: string,
  folder: string,
  user = sogoFixture().alice
): Promise<PathDevice> {
  const s: EasSession = { baseUrl: path.base, user: user.user, password: user.password, deviceId: newDeviceId(label) }
  const fs = await folderSync(s)
  const f = fs.folders.find((x) => x.displayName === folder)
  if (!f) throw new Error(`no folder "${folder}" in FolderSync:\n${fs.response.xml}`)
  await syncUntilEmpty(s, f.serverId)
  return { s, folders: [{ id: f.serverId, class: 'Email' }] }
}
