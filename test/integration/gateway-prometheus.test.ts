/**
 * Prometheus against the gateway in front of SOGo (suites/prometheus.ts on
 * fixtures/topology-nginx-short.yaml); gateway-prometheus-horde.test.ts runs it in front of Horde.
 */
import t from 'tap'
import { sogoServer } from './helpers/index.js'
import { runPrometheusSuite } from './suites/prometheus.js'

await runPrometheusSuite(t, sogoServer(), 'topology-nginx-short.yaml')
