export { createDemoUpstream, DEMO_USER, DEMO_PASSWORD } from './demo-upstream.js'
