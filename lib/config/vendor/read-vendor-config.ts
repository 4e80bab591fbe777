import { readBigip } from './read-bigip.js'
import { readEnvoy } from './read-envoy.js'
import { readHaproxy } from './read-haproxy.js'
import { readIngressNginx } from './read-ingress-nginx.js'
import { readServiceLb } from './read-service-lb.js'
import { readWebConfig } from './read-web-config.js'
import { readNginx } from './read-nginx.js'
import type { VendorIo, VendorRead } from './vendor-hop.js'

type Reader = (file: string, text: string, wanted: readonly string[], match: string | undefined, io: VendorIo) => Promise<VendorRead> | VendorRead

/** Hop kinds whose own configuration file `gateway lint` reads (`config:` + `match:` on the hop). */
const READERS: Readonly<Record<string, Reader>> = {
  nginx: readNginx,
  haproxy: (file, text, wanted, match) => readHaproxy(file, text, wanted, match),
  envoy: (file, text, _wanted, match) => readEnvoy(file, text, match),
  'ingress-nginx': (file, text, wanted, match) => readIngressNginx(file, text, wanted, match),
  'f5-tcp': (file, text, wanted, match) => readBigip('f5-tcp', file, text, wanted, match),
  'f5-fastl4': (file, text, wanted, match) => readBigip('f5-fastl4', file, text, wanted, match),
  'workspace-one-seg': (file, text, wanted) => readWebConfig(file, text, wanted),
  'aws-elb': (file, text, _wanted, match) => readServiceLb('aws-elb', file, text, match),
  'azure-lb': (file, text, _wanted, match) => readServiceLb('azure-lb', file, text, match)
}

/** The kinds with a reader, for messages and docs. */
export const VENDOR_CONFIG_KINDS: readonly string[] = Object.keys(READERS)

/** True when `gateway lint` can read this kind's own configuration file. */
export function hasVendorReader (kind: string): boolean {
  return kind in READERS
}

/**
 * Reads a hop's own configuration (`wanted`: the directive names the catalog knows for the kind,
 * aliases included) and finds what is in force on the path `match` names. Never throws for bad
 * input: syntax problems, unreadable includes and a path nothing serves are findings.
 */
export async function readVendorConfig (kind: string, file: string, text: string, wanted: readonly string[], match: string | undefined, io: VendorIo): Promise<VendorRead> {
  const reader = READERS[kind]
  if (reader === undefined) return { texts: new Map([[file, text]]), diagnostics: [] }
  return await reader(file, text, wanted, match, io)
}
