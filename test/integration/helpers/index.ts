/**
 * Integration-test helpers: import from here.
 *
 * - {@link requirePeer}: skip (locally) or fail (CI) when SOGo / a peer binary is missing.
 * - {@link easRequest} and the EAS flow helpers (FolderSync, Sync until empty, Ping).
 * - {@link toWbxml} / {@link fromWbxml}: the one place XML <-> WBXML conversion happens.
 * - {@link deliverMail}: mail into the SOGo (or, with `dovecotConf`, the Horde) fixture's Dovecot.
 * - {@link easServers}, {@link sogoServer}, {@link hordeServer}: the real servers, described alike
 *   for the suites that run against each ({@link hordeFixture}: the Horde fixture's settings).
 * - {@link startNginx}, {@link startHaproxy}, {@link startPrometheus}: throw-away peers.
 * - {@link startGateway}: the gateway itself as a child process.
 * - {@link metricsView}, {@link readDevices}, {@link waitUntilHeld}: its `/metrics` and `/devices`.
 * - {@link startPath}, {@link deviceOnPath}: a topology fixture's path (hop -> gateway -> SOGo), started.
 * - {@link loadGatewayFixture}, {@link loadTopology}, {@link lintTopology}, {@link readmePromql}:
 *   the files in test/integration/fixtures/, `gateway lint` on them, the README's PromQL.
 */
export * from './proc.js'
export * from './wbxml.js'
export * from './eas.js'
export * from './sogo.js'
export * from './horde.js'
export * from './servers.js'
export * from './require-peer.js'
export * from './peers.js'
export * from './gateway.js'
export * from './gateway-admin.js'
export * from './fixtures.js'
export * from './paths.js'
