#!/usr/bin/env node
// Writes schemas/<name>.schema.json from the declarative schemas the loaders use (lib/config,
// JSON_SCHEMA_SOURCES), so editors and CI validate gateway.yaml, topology.yaml and the catalog
// with the same rules. Run by `npm run schemas` (after the build); test/config/json-schema.test.ts
// fails when a committed file differs from what this writes.
import { mkdirSync, writeFileSync } from 'node:fs'
import { JSON_SCHEMA_SOURCES, toJsonSchema } from '../dist/lib/index.js'

const dir = new URL('../schemas/', import.meta.url)
mkdirSync(dir, { recursive: true })
for (const [name, { schema, title }] of Object.entries(JSON_SCHEMA_SOURCES)) {
  writeFileSync(new URL(`${name}.schema.json`, dir), JSON.stringify(toJsonSchema(name, schema, title), null, 2) + '\n')
  process.stderr.write(`schemas/${name}.schema.json\n`)
}
