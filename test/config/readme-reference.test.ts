import { readFileSync } from 'node:fs'
import t from 'tap'
import { GATEWAY_SCHEMA, type Schema } from '../../lib/config/index.js'

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8')

/** Every settable key of gateway.yaml, as the README writes it: `limits.perDevice.burst`, `upstreams[].url`. */
function leaves (s: Schema, path: string): string[] {
  if (s.type === 'object') return Object.entries(s.fields).flatMap(([k, v]) => leaves(v, path === '' ? k : `${path}.${k}`))
  if (s.type === 'array') return leaves(s.items, `${path}[]`)
  return [path]
}

t.test('README documents every gateway.yaml key (the configuration reference follows the schema)', async (t) => {
  const keys = leaves(GATEWAY_SCHEMA, '')
  t.ok(keys.length >= 40, `${keys.length} keys`)
  const lines = readme.split('\n')
  for (const key of keys) {
    // In full, or as a sibling shorthand on the row of its parent (`limits.perDevice.requestsPerSecond`, `.burst`).
    const parent = key.slice(0, key.lastIndexOf('.'))
    const last = key.slice(key.lastIndexOf('.'))
    const found = readme.includes(`\`${key}\``) || lines.some((l) => l.startsWith('|') && l.includes(`\`${parent}.`) && l.includes(`\`${last}\``))
    t.ok(found, `${key} is in the README`)
  }
})
