export { createMetrics, metricNames, DURATION_BUCKETS, HEARTBEAT_BUCKETS, type Metrics, type MetricSources } from './create-metrics.js'
