/**
 * Real hops in front of the gateway, on the Horde paths (fixtures/topology-horde-*.yaml,
 * gateway-hops-horde.yaml): the shared hop suite (suites/hops.ts). On the short paths lint also
 * reports GW0117: their safe heartbeat (0 s) is below Horde's minimum.
 */
import t from 'tap'
import { hordeServer } from './helpers/index.js'
import { runHopsSuite } from './suites/hops.js'

await runHopsSuite(t, {
  server: hordeServer(),
  prefix: 'topology-horde-',
  gatewayFixture: 'gateway-hops-horde.yaml',
  extraErrors: {
    'nginx-short': ['GW0117 hops.0.timeouts.proxy_read_timeout'],
    'haproxy-short': ['GW0117 hops.0.timeouts.timeout client'],
  },
})
