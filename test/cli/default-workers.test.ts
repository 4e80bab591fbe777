import t from 'tap'
import { defaultWorkers } from '../../lib/cli/default-workers.js'

t.test('the default worker count: the cores, capped by the cgroup CPU quota', async (t) => {
  t.equal(defaultWorkers(8, undefined), 8, 'no cgroup file: the cores')
  t.equal(defaultWorkers(8, 'max 100000\n'), 8, 'no quota: the cores')
  t.equal(defaultWorkers(64, '200000 100000\n'), 2, '2 CPUs of 64 cores: 2')
  t.equal(defaultWorkers(64, '150000 100000'), 2, '1.5 CPUs: 2 (rounded up)')
  t.equal(defaultWorkers(4, '50000 100000'), 1, 'half a CPU: 1')
  t.equal(defaultWorkers(2, '800000 100000'), 2, 'a quota above the cores: the cores')
  t.equal(defaultWorkers(0, 'garbage'), 1, 'never below 1')
})
