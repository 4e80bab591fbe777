/**
 * How many workers `serve` starts without --workers: the host's cores (node:os
 * availableParallelism, which follows CPU affinity), capped by the cgroup v2 CPU quota when there
 * is one (`/sys/fs/cgroup/cpu.max`, "200000 100000" = 2 CPUs): a container limited to 2 CPUs on a
 * 64-core host gets 2 workers, not 64 processes fighting over 2 CPUs. At least 1.
 */
export function defaultWorkers (cores: number, cpuMax: string | undefined): number {
  const [quota, period] = (cpuMax ?? '').trim().split(/\s+/)
  const q = Number(quota)
  const p = Number(period)
  const limit = quota !== 'max' && q > 0 && p > 0 ? Math.ceil(q / p) : Infinity
  return Math.max(1, Math.min(cores, limit))
}
