const position = {
  file: { type: 'string' },
  line: { type: 'integer', minimum: 1 },
  col: { type: 'integer', minimum: 1 }
} as const

/** JSON Schema (2020-12) of `gateway lint --format json`; the README documents the same shape. */
export const LINT_JSON_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'gateway lint --format json, version 1',
  type: 'object',
  additionalProperties: false,
  required: ['version', 'tool', 'file', 'findings', 'heartbeat', 'summary', 'exitCode'],
  properties: {
    version: { const: 1 },
    tool: {
      type: 'object',
      additionalProperties: false,
      required: ['name', 'version'],
      properties: { name: { const: 'gateway-lint' }, version: { type: 'string' } }
    },
    file: { type: 'string' },
    findings: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['ruleId', 'ruleName', 'level', 'message', 'hint', 'file', 'line', 'col', 'path'],
        properties: {
          ruleId: { type: 'string', pattern: '^GW[0-9]{4}$' },
          ruleName: { type: 'string', pattern: '^[a-z0-9]+(-[a-z0-9]+)*$' },
          level: { enum: ['error', 'warning', 'info'] },
          message: { type: 'string' },
          hint: { type: ['string', 'null'] },
          ...position,
          path: { type: 'array', items: { type: ['string', 'integer'] } }
        }
      }
    },
    heartbeat: {
      oneOf: [
        { type: 'null' },
        {
          type: 'object',
          additionalProperties: false,
          required: ['effective', 'largestSafe'],
          properties: {
            effective: {
              type: 'object',
              additionalProperties: false,
              required: ['seconds', 'source', 'file', 'line', 'col'],
              properties: { seconds: { type: 'number' }, source: { type: 'string' }, ...position }
            },
            largestSafe: {
              oneOf: [
                { type: 'null' },
                {
                  type: 'object',
                  additionalProperties: false,
                  required: ['seconds', 'hop', 'setting', 'valueSeconds', 'marginSeconds', 'file', 'line', 'col'],
                  properties: {
                    seconds: { type: 'number', minimum: 0 },
                    hop: { type: 'string' },
                    setting: { type: 'string' },
                    valueSeconds: { type: 'number' },
                    marginSeconds: { type: 'number' },
                    ...position
                  }
                }
              ]
            }
          }
        }
      ]
    },
    summary: {
      type: 'object',
      additionalProperties: false,
      required: ['errors', 'warnings', 'infos', 'suppressed'],
      properties: {
        errors: { type: 'integer', minimum: 0 },
        warnings: { type: 'integer', minimum: 0 },
        infos: { type: 'integer', minimum: 0 },
        suppressed: { type: 'integer', minimum: 0 }
      }
    },
    exitCode: { enum: [0, 1] }
  }
} as const
