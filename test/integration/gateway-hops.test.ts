/**
 * Real hops in front of the gateway, on the SOGo paths (fixtures/topology-*.yaml, gateway-hops.yaml):
 * the shared hop suite (suites/hops.ts). gateway-hops-horde.test.ts runs it on the Horde paths.
 */
import t from 'tap'
import { sogoServer } from './helpers/index.js'
import { runHopsSuite } from './suites/hops.js'

await runHopsSuite(t, { server: sogoServer(), prefix: 'topology-', gatewayFixture: 'gateway-hops.yaml' })
