import t from 'tap'
import { retryAfterHeader } from '../../lib/policy/index.js'

t.test('whole seconds, rounded up, never 0', async (t) => {
  t.equal(retryAfterHeader(0), '1')
  t.equal(retryAfterHeader(1), '1')
  t.equal(retryAfterHeader(1000), '1')
  t.equal(retryAfterHeader(1001), '2')
  t.equal(retryAfterHeader(29_500), '30')
})
