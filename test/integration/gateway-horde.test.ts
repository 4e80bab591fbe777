/**
 * The shared server suite (suites/server-basics.ts) against Horde 5.2 (scripts/horde-up.sh), EAS 16.0,
 * straight to its Apache. Horde-only behaviour is in gateway-horde-only.test.ts.
 */
import t from 'tap'
import { hordeServer } from './helpers/index.js'
import { runServerSuite } from './suites/server-basics.js'

await runServerSuite(t, hordeServer())
