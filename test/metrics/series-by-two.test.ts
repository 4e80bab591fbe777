import t from 'tap'
import { seriesByTwo } from '../../lib/metrics/index.js'

t.test('one series per pair of label values, made once, the same object every time', async (t) => {
  const made: string[] = []
  const get = seriesByTwo((a: string, b: number) => { made.push(`${a}/${b}`); return { a, b } })
  const x = get('Sync', 200)
  t.equal(get('Sync', 200), x, 'the same series again')
  t.not(get('Sync', 500), x)
  t.not(get('Ping', 200), x)
  t.same(get('Ping', 200), { a: 'Ping', b: 200 })
  // A separator-based key would confuse these two pairs; nested maps cannot.
  const s = seriesByTwo((a: string, b: string) => `${a}|${b}`)
  t.equal(s('a\u0000b', 'c'), 'a\u0000b|c')
  t.equal(s('a', 'b\u0000c'), 'a|b\u0000c')
  t.same(made, ['Sync/200', 'Sync/500', 'Ping/200'], 'made once per pair')
})
