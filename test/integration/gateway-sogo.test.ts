/**
 * The shared server suite (suites/server-basics.ts) against SOGo 5.8 (scripts/sogo-up.sh), EAS 14.1,
 * through its fixture nginx. Its twin gateway-horde.test.ts runs the same suite against Horde.
 */
import t from 'tap'
import { sogoServer } from './helpers/index.js'
import { runServerSuite } from './suites/server-basics.js'

await runServerSuite(t, sogoServer())
