export { RecencyMap } from './recency-map.js'
