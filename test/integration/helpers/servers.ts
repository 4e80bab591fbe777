/**
 * The real ActiveSync servers of the integration tier, described the same way so that one suite
 * runs against each: SOGo 5.8 (scripts/sogo-up.sh, EAS 14.1, behind its own nginx) and Horde 5.2
 * (scripts/horde-up.sh, EAS 16.0, Apache + mod_php). What differs between them is data here,
 * measured (shared notes sogo.md and horde.md), never a branch in a test.
 */
import { hordeAccessEntries, hordeFixture } from './horde.js'
import type { PeerName } from './require-peer.js'
import { deliverMail, sogoAccessEntries, sogoFixture, type SogoUser } from './sogo.js'

/** How the server's front logged a request once it ended. */
export interface ServerAccessEntry {
  request: string;
  status: number;
  /** How long the server side was busy with it (ms), when the log says. */
  durationMs?: number;
}

/** One real EAS server, as the shared suites see it. */
export interface EasServer {
  kind: 'sogo' | 'horde';
  title: string;
  /** Peers a test against it requires (the server, and mail delivery into it). */
  peers: PeerName[];
  /** EAS URL; the gateway's upstream is its origin. */
  easUrl: string;
  alice: SogoUser;
  bob: SogoUser;
  /** The highest MS-ASProtocolVersion it offers, which the suite speaks. */
  protocolVersion: string;
  /** The heartbeats it accepts (s): SOGo raises a lower one silently, Horde answers Status 5. */
  minHeartbeat: number;
  maxHeartbeat: number;
  /** How often a held Ping looks for changes (s): new mail is answered within one period. */
  checkSeconds: number;
  /** How much earlier than its heartbeat an idle Ping may end (ms): Horde counts whole seconds. */
  earlyMs: number;
  /** The status its front logs for a Ping the gateway cancelled: nginx 499 at once (SOGo);
   *  Apache 200 when the heartbeat ends (Horde never notices the closed connection). */
  cancelledPingStatus: number;
  /** How it says "nothing more to sync": an empty body (SOGo) or Status 1 with the same SyncKey (Horde). */
  quietSync: 'empty-body' | 'same-key';
  /** Delivers a message, unread, into `to`'s INBOX (or `mailbox`). */
  deliver(msg: { to: string; subject?: string; mailbox?: string }): Promise<string>;
  /** The server front's log entries for `deviceId` (undefined when unreadable). */
  accessEntries(deviceId: string): Promise<ServerAccessEntry[] | undefined>;
}

/** SOGo, as scripts/sogo-up.sh started it. */
export function sogoServer (): EasServer {
  const f = sogoFixture()
  const check = Math.max(5, f.internalSync)
  return {
    kind: 'sogo',
    title: 'SOGo 5.8',
    peers: ['sogo', 'dovecot-lda'],
    easUrl: f.easUrl,
    alice: f.alice,
    bob: f.bob,
    protocolVersion: '14.1',
    minHeartbeat: check,
    maxHeartbeat: f.maxPing,
    checkSeconds: check,
    earlyMs: 500,
    cancelledPingStatus: 499,
    quietSync: 'empty-body',
    deliver: (m) => deliverMail({ ...m }),
    accessEntries: (id) => sogoAccessEntries(id),
  }
}

/** Horde, as scripts/horde-up.sh started it. */
export function hordeServer (): EasServer {
  const f = hordeFixture()
  return {
    kind: 'horde',
    title: 'Horde 5.2',
    peers: ['horde', 'horde-lda'],
    easUrl: f.easUrl,
    alice: f.alice,
    bob: f.bob,
    protocolVersion: '16.0',
    minHeartbeat: f.hbMin,
    maxHeartbeat: f.hbMax,
    checkSeconds: f.waitInterval,
    earlyMs: 1500,
    cancelledPingStatus: 200,
    quietSync: 'same-key',
    deliver: (m) => deliverMail({ ...m, dovecotConf: f.dovecotConf, domain: f.mailDomain }),
    accessEntries: (id) => hordeAccessEntries(id),
  }
}

/** Both servers, SOGo first. */
export function easServers (): EasServer[] {
  return [sogoServer(), hordeServer()]
}
