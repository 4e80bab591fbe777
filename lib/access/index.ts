/**
 * Device access control at run time: the I/O around the pure decisions of lib/policy. Bearer
 * verification (jose, JWKS), compliance lists polled over HTTP(S) with a disk cache, and the
 * reloadable access controller with its file watcher.
 */
export { createBearerVerifier, bearerToken, type BearerVerifier, type BearerVerifierOptions, type BearerResult, type BearerRefusal } from './verify-bearer.js'
export { createComplianceList, sharedListTtl, MAX_LIST_BYTES, type ComplianceList, type ComplianceListOptions, type ListState, type ListStatus, type SharedListMeta, type SharedListStore, type Timers } from './compliance-list.js'
export { parseDeviceList, MAX_LIST_ENTRIES } from './parse-device-list.js'
export { createAccessController, SLOT_SYNC_INTERVAL, type AccessController, type AccessControllerOptions, type AccessFleet, type AccessStatus, type ReloadResult, type SharedSlotStore } from './create-access-controller.js'
export { watchPolicyFile, type WatchPolicyFileOptions } from './watch-policy-file.js'
export { admitRequest, basicUser, credentialDigest, type Admission, type AdmitDeps, type AdmitInput } from './admit-request.js'
