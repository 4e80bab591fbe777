/**
 * Prometheus against the gateway in front of Horde (suites/prometheus.ts on
 * fixtures/topology-horde-nginx-short.yaml); gateway-prometheus.test.ts runs it in front of SOGo.
 */
import t from 'tap'
import { hordeServer } from './helpers/index.js'
import { runPrometheusSuite } from './suites/prometheus.js'

await runPrometheusSuite(t, hordeServer(), 'topology-horde-nginx-short.yaml')
