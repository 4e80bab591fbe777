export { createMetrics, metricNames, DURATION_BUCKETS, HEARTBEAT_BUCKETS, type Metrics, type MetricSources } from './create-metrics.js'
export { presetCounters } from './preset-counters.js'
export { registerDefaultMetrics } from './default-metrics.js'
export {
  UPSTREAM_ERROR_REASONS, CONNECT_FAILURES, RESPONSE_STATUSES, PING_ANSWER_STATUSES, PROXY_PROTOCOL_REJECTIONS, responseStatusLabel, pingStatusLabel, PROBE_FAILURES, LIMIT_NAMES, STATUS_CLASSES, REFUSED_STATUSES, CLAMP_BOUNDS, FD_SIDES, TLS_HANDSHAKE_FAILURES,
  type BoundedLabels
} from './label-values.js'
export { createClusterMetrics, clusterMetricNames, WORKER_RESTART_REASONS, WORKER_STATES, type ClusterMetrics } from './create-cluster-metrics.js'
export { counterSeries, gaugeSeries, histogramSeries } from './hot-series.js'
export { seriesByTwo } from './series-by-two.js'
