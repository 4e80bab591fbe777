import { CATALOG_SCHEMA } from './catalog-schema.js'
import { formatDuration } from './duration.js'
import { GATEWAY_SCHEMA } from './gateway-config.js'
import type { Schema } from './schema.js'
import { TOPOLOGY_SCHEMA } from './topology-types.js'

/** A JSON Schema document (draft 2020-12), as plain data. */
export type JsonSchema = { readonly [key: string]: unknown }

/** What a duration looks like to an editor: `90s`, `61m`, `1h30m` (the loader's own grammar). */
export const DURATION_PATTERN = '^\\s*(\\d+(\\.\\d+)?(ms|s|m|h|d))+\\s*$'

/**
 * The files that get a published JSON Schema, generated from the declarative schemas the
 * loaders use (one source). Another file format adds one line here, e.g. the device policy:
 * `'device-policy': { schema: POLICY_SCHEMA, title: '...' }`; scripts/write-schemas.mjs, the
 * package's schemas/ folder and test/config/json-schema.test.ts pick it up.
 */
export const JSON_SCHEMA_SOURCES: Readonly<Record<string, { readonly schema: Schema, readonly title: string }>> = {
  gateway: { schema: GATEWAY_SCHEMA, title: 'eas-gateway configuration (gateway.yaml)' },
  topology: { schema: TOPOLOGY_SCHEMA, title: 'eas-gateway lint topology (topology.yaml)' },
  'timeouts-catalog': { schema: CATALOG_SCHEMA, title: 'eas-gateway vendor timeout catalog' }
}

/**
 * Converts a declarative schema to JSON Schema for editors (yaml-language-server) and CI. What
 * JSON Schema cannot say (a duration's minimum, a catalog value's grammar) stays with the loader,
 * whose diagnostics remain the authority; the JSON Schema never refuses what the loader accepts.
 */
export function toJsonSchema (name: string, schema: Schema, title: string): JsonSchema {
  // The document itself must be a mapping: an empty file is refused by the loader too.
  return { $schema: 'https://json-schema.org/draft/2020-12/schema', $id: `${name}.schema.json`, title, ...convert(schema), ...(schema.type === 'object' ? { type: 'object' } : {}) }
}

function convert (s: Schema): JsonSchema {
  const doc = s.doc !== undefined ? { description: s.doc } : {}
  switch (s.type) {
    case 'duration':
      return { ...doc, type: 'string', pattern: DURATION_PATTERN, ...(s.default !== undefined ? { default: formatDuration(s.default) } : {}) }
    case 'integer':
    case 'number':
      return { ...doc, type: s.type, ...bound('minimum', s.min), ...bound('maximum', s.max), ...(s.default !== undefined ? { default: s.default } : {}) }
    case 'string':
      return { ...doc, type: 'string', minLength: 1, ...(s.enum !== undefined ? { enum: [...s.enum] } : {}), ...(s.default !== undefined ? { default: s.default } : {}) }
    case 'boolean':
      return { ...doc, type: 'boolean', ...(s.default !== undefined ? { default: s.default } : {}) }
    case 'url':
      return { ...doc, type: 'string', format: 'uri', pattern: `^(${s.protocols.join('|')})://` }
    case 'array':
      return { ...doc, type: 'array', items: convert(s.items), ...(s.minItems !== undefined ? { minItems: s.minItems } : {}) }
    case 'any':
      return { ...doc }
    case 'object': {
      const properties = Object.fromEntries(Object.entries(s.fields).map(([k, v]) => [k, convert(v)]))
      return {
        ...doc,
        // A key written with no value (`tls:`) is absent to the loader.
        type: ['object', 'null'],
        ...(Object.keys(properties).length > 0 ? { properties } : {}),
        ...(s.required !== undefined && s.required.length > 0 ? { required: [...s.required] } : {}),
        additionalProperties: s.additional !== undefined ? convert(s.additional) : false
      }
    }
  }
}

function bound (key: string, v: number | undefined): JsonSchema {
  return v === undefined ? {} : { [key]: v }
}
