/**
 * The key of a device everywhere the gateway keeps per-device state (the device table, the rate
 * buckets): the user, case-insensitive as Exchange treats it, and the DeviceId, case-sensitive.
 */
export function deviceKey (user: string | undefined, deviceId: string | undefined): string {
  return `${(user ?? '').toLowerCase()}\u0000${deviceId ?? ''}`
}
