export { createMetrics, metricNames, DURATION_BUCKETS, type Metrics } from './create-metrics.js'
