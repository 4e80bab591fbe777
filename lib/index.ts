/**
 * The package's public API (`import { ... } from 'eas-gateway'`): re-exports only. The CLI
 * (`gateway serve|check|lint`) is the main way in; these are for embedding and for tools.
 */
export { cli, EXIT, type CliIo } from './cli/index.js'
export {
  loadGatewayConfig, loadCatalog, parseTopology, resolveTopology, parseDuration, formatDuration, formatDiagnostic,
  toJsonSchema, JSON_SCHEMA_SOURCES, GATEWAY_SCHEMA, TOPOLOGY_SCHEMA, CATALOG_SCHEMA,
  type GatewayConfig, type UpstreamConfig, type Diagnostic, type Topology, type Catalog, type JsonSchema
} from './config/index.js'
export { lintTopology, lintGatewayConfig, ALL_RULES, type LintResult, type LintTopologyInput } from './lint/index.js'
export { createGateway, OUTCOMES, type Gateway, type GatewayDeps, type Outcome } from './proxy/index.js'
export { createUpstreams } from './upstream/index.js'
export { createMetrics, presetCounters, metricNames, type Metrics } from './metrics/index.js'
export { createLogger } from './log/index.js'
export { ERRORS, GatewayError, isGatewayError, type ErrorCode } from './errors.js'
export { packageRoot, packageVersion } from './package-root.js'
