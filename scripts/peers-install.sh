#!/usr/bin/env bash
# peers-install.sh — install the peer programs the integration tests start themselves
# (haproxy, nginx, prometheus, wrk, libwbxml CLI, xxd, redis-server; openssl makes the TLS tests'
# throwaway certificates). Debian 12, root.
#
# Installs with apt only what is missing, never lets the packages start their
# services (policy-rc.d; removed afterwards only if this script created it), and
# stops any distro instance that is running anyway (prometheus,
# prometheus-node-exporter, haproxy, nginx or redis-server started from /etc). The tests run
# their own instances on 127.0.0.1 with generated configs
# (test/integration/helpers/peers.ts). Idempotent and quiet: one line on success.
set -Eeuo pipefail
export LC_ALL=C

PKGS=(haproxy nginx-light prometheus wrk libwbxml2-utils xxd redis-server openssl)
: "${PEERS_LOG:=/var/log/sogo-test/peers-apt.log}"

say() { printf 'peers-install: %s\n' "$*" >&2; }
die() { trap - ERR; printf 'peers-install: ERROR: %s\n' "$*" >&2; exit 1; }
trap 'die "command failed (line $LINENO, exit $?): $BASH_COMMAND"' ERR
[ "$(id -u)" = 0 ] || die "must run as root"

# shellcheck source=scripts/apt-install.sh
. "$(dirname "${BASH_SOURCE[0]}")/apt-install.sh"

mapfile -t missing < <(missing_packages "${PKGS[@]}")
if [ ${#missing[@]} -gt 0 ]; then
  mkdir -p "$(dirname "$PEERS_LOG")"
  apt_install "$PEERS_LOG" peers-install.sh "${missing[@]}"
fi
for p in "${PKGS[@]}"; do pkg_ok "$p" || die "package $p is still not installed"; done

# ---- stop distro instances (ours run from temp dirs and are never touched) --
alive() {
  local st
  { read -r st <"/proc/$1/stat"; } 2>/dev/null || return 1
  st=${st##*) }
  case ${st%% *} in Z | X | x) return 1 ;; esac
}
exe_of() { readlink "/proc/$1/exe" 2>/dev/null || true; }
cmdline_of() { local a=(); { mapfile -d '' a <"/proc/$1/cmdline"; } 2>/dev/null; printf '%s ' "${a[@]}"; }
owner_of() { local u; u=$(stat -c %U "/proc/$1" 2>/dev/null) || return 0; printf '%s' "$u"; }
# Is PID a distro-started instance of one of our peers?
distro_instance() {
  local pid=$1 exe cmd
  exe=$(exe_of "$pid")
  case $exe in
  /usr/bin/prometheus | /usr/bin/prometheus-node-exporter | /usr/bin/prometheus-*-exporter)
    # The Debian init scripts run them as user prometheus; the tests run them as themselves.
    [ "$(owner_of "$pid")" = prometheus ] ;;
  /usr/sbin/haproxy)
    cmd=$(cmdline_of "$pid")
    [[ $cmd == *" /etc/haproxy/"* || $cmd == *"-f /etc/haproxy"* ]] ;;
  /usr/bin/redis-server)
    # Debian's service runs as user redis from /etc/redis/redis.conf; the tests start their own.
    [ "$(owner_of "$pid")" = redis ] ;;
  /usr/sbin/nginx)
    # Distro nginx has no -c (or -c under /etc/nginx); the SOGo fixture and the tests always pass -c.
    cmd=$(cmdline_of "$pid")
    [[ $cmd != *" -c "* || $cmd == *" -c /etc/nginx/"* ]] && [[ $cmd == *"master process"* || $(owner_of "$pid") == root ]] ;;
  *) return 1 ;;
  esac
}
victims=()
for d in /proc/[0-9]*; do
  pid=${d#/proc/}
  alive "$pid" && distro_instance "$pid" && victims+=("$pid")
done
if [ ${#victims[@]} -gt 0 ]; then
  say "stopping distro service instances: $(for p in "${victims[@]}"; do printf '%s(%s) ' "$(basename "$(exe_of "$p")")" "$p"; done)"
  kill -TERM "${victims[@]}" 2>/dev/null || true
  for _ in $(seq 1 100); do
    left=()
    for p in "${victims[@]}"; do alive "$p" && left+=("$p"); done
    [ ${#left[@]} -gt 0 ] || break
    sleep 0.05
  done
  for p in "${victims[@]}"; do alive "$p" && kill -KILL "$p" 2>/dev/null || true; done
fi

if [ ${#missing[@]} -gt 0 ]; then
  say "installed ${missing[*]}; peers ready: ${PKGS[*]}"
else
  say "peers ready: ${PKGS[*]}"
fi
