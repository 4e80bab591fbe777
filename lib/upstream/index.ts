export { createUpstreams, type Upstream, type UpstreamSet, type UpstreamSpec } from './create-upstreams.js'
