/**
 * Integration-test helpers: import from here.
 *
 * - {@link requirePeer}: skip (locally) or fail (CI) when SOGo / a peer binary is missing.
 * - {@link easRequest} and the EAS flow helpers (FolderSync, Sync until empty, Ping).
 * - {@link toWbxml} / {@link fromWbxml}: the one place XML <-> WBXML conversion happens.
 * - {@link deliverMail}: mail into the SOGo fixture's Dovecot.
 * - {@link startNginx}, {@link startHaproxy}, {@link startPrometheus}: throw-away peers.
 * - {@link startGateway}: the gateway itself as a child process.
 */
export * from './proc.js';
export * from './wbxml.js';
export * from './eas.js';
export * from './sogo.js';
export * from './require-peer.js';
export * from './peers.js';
export * from './gateway.js';
