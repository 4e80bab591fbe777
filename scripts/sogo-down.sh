#!/usr/bin/env bash
# PID lists are passed around as space-separated words on purpose:
# shellcheck disable=SC2046,SC2086,SC2206
# sogo-down.sh — stop the SOGo ActiveSync test fixture started by scripts/sogo-up.sh.
#
#   bash scripts/sogo-down.sh                  # everything: nginx sogod dovecot memcached postgres
#   bash scripts/sogo-down.sh sogod nginx      # only these components
#
# Every process is stopped by PID (pid files, plus a /proc scan for strays that
# match this fixture's own config paths/ports): TERM (INT for PostgreSQL = fast
# shutdown), then KILL after SOGO_STOP_GRACE seconds (default 3; sogod workers
# take ~30 s to honour TERM after they served EAS, and all their state is in
# PostgreSQL). Zombies count as dead (/proc/<pid>/stat state Z), because PID 1
# in this container reaps orphans only every few seconds. procps is not needed.
# Exits 0 when nothing of the fixture runs any more; state and logs are kept.
set -Euo pipefail
export LC_ALL=C

: "${SOGO_PG_PORT:=55432}" "${SOGO_MEMCACHED_PORT:=21211}" "${SOGO_IMAP_PORT:=10143}"
: "${SOGO_PORT:=20000}" "${SOGO_HTTP_PORT:=18080}" "${SOGO_STOP_GRACE:=3}"
: "${SOGO_STATE_DIR:=/var/lib/sogo-test}" "${SOGO_LOG_DIR:=/var/log/sogo-test}"
: "${SOGO_ETC_DIR:=/etc/sogo-test}" "${SOGO_RUN_DIR:=/run/sogo-test}"
STATE=$SOGO_STATE_DIR ETC=$SOGO_ETC_DIR RUN=$SOGO_RUN_DIR
PGDATA=$STATE/pgdata

say() { printf 'sogo-down: %s\n' "$*" >&2; }
[[ $SOGO_STOP_GRACE =~ ^[0-9]+(\.[0-9]+)?$ ]] || { say "SOGO_STOP_GRACE must be a number of seconds"; exit 2; }

# Serialise with sogo-up.sh (which sets SOGO_LOCK_HELD when it calls this script).
if [ -z "${SOGO_LOCK_HELD:-}" ] && [ -d "$RUN" ]; then
  exec 9>>"$RUN/.lock"
  flock -w 300 9 || { say "another sogo-up.sh/sogo-down.sh has held $RUN/.lock for 300 s"; exit 1; }
fi

# Only bash builtins below (no fork per process): a full /proc pass stays fast.
alive() {
  local st
  { read -r st <"/proc/$1/stat"; } 2>/dev/null || return 1
  st=${st##*) }
  case ${st%% *} in Z | X | x) return 1 ;; esac
}
declare -A P_PPID=() P_COMM=()
# snapshot: record parent and command name of every live (non-zombie) process.
snapshot() {
  local d p st c f
  P_PPID=() P_COMM=()
  for d in /proc/[0-9]*; do
    p=${d#/proc/}
    { read -r st <"$d/stat"; } 2>/dev/null || continue
    c=${st#*(} c=${c%)*} st=${st##*) }
    f=($st) # numeric fields only (comm was cut off above), no glob characters
    case ${f[0]} in Z | X | x) continue ;; esac
    P_PPID[$p]=${f[1]}
    P_COMM[$p]=$c
  done
}
cmdline_of() { local a=(); { mapfile -d '' a <"/proc/$1/cmdline"; } 2>/dev/null; printf '%s ' "${a[@]}"; }
pid_from() { # FILE COMM: the live PID in FILE if its command name is COMM
  local pid=
  { read -r pid <"$1" || [ -n "$pid" ]; } 2>/dev/null || return 0
  pid=${pid//[^0-9]/}
  if [ -n "$pid" ] && alive "$pid" && [ "${P_COMM[$pid]:-}" = "$2" ]; then echo "$pid"; fi
}
# children PID...: live direct children of the given PIDs (as of the last snapshot).
children() {
  local p want=" $* "
  [ $# -gt 0 ] || return 0
  for p in "${!P_PPID[@]}"; do
    [[ $want == *" ${P_PPID[$p]} "* ]] && alive "$p" && echo "$p"
  done
  return 0
}
# scan COMM PATTERN: live processes named COMM whose command line contains PATTERN.
scan() {
  local p
  for p in "${!P_COMM[@]}"; do
    [ "${P_COMM[$p]}" = "$1" ] || continue
    [[ "$(cmdline_of "$p")" == *"$2"* ]] && alive "$p" && echo "$p"
  done
  return 0
}
any_alive() { local p; for p in "$@"; do alive "$p" && return 0; done; return 1; }
# wait_dead SECONDS PID...: poll until all are dead; non-zero if the deadline passed.
wait_dead() {
  local secs=$1 frac=0 end
  shift
  [[ $secs == *.* ]] && frac=$(printf '%-9s' "${secs#*.}" | tr ' ' 0 | cut -c1-9)
  end=$(($(date +%s%N) + ${secs%.*} * 1000000000 + 10#$frac))
  while any_alive "$@"; do
    [ "$(date +%s%N)" -lt "$end" ] || return 1
    sleep 0.05
  done
}
# stop NAME FIRST_SIGNAL "TARGET PIDS" "ALL PIDS": send FIRST_SIGNAL to the targets
# (masters handle their children), wait up to SOGO_STOP_GRACE for all of them,
# then KILL whatever is left (including children that appeared meanwhile).
stop() {
  local name=$1 sig=$2 p targets=() live=()
  for p in $3; do alive "$p" && targets+=("$p"); done
  for p in $(uniq_pids $3 $4); do alive "$p" && live+=("$p"); done
  [ ${#live[@]} -gt 0 ] || return 0
  say "stopping $name (pids ${live[*]})"
  [ ${#targets[@]} -eq 0 ] || kill "-$sig" "${targets[@]}" 2>/dev/null || true
  if ! wait_dead "$SOGO_STOP_GRACE" "${live[@]}"; then
    local rest=()
    snapshot
    for p in $(uniq_pids "${live[@]}" $(children "${live[@]}")); do alive "$p" && rest+=("$p"); done
    if [ ${#rest[@]} -gt 0 ]; then
      say "$name still running after ${SOGO_STOP_GRACE}s: KILL ${rest[*]}"
      kill -KILL "${rest[@]}" 2>/dev/null || true
      wait_dead 10 "${rest[@]}" || { say "ERROR: could not kill $name (${rest[*]})"; failed=1; }
    fi
  fi
  stopped+=("$name")
}
uniq_pids() { # PID... -> the distinct numeric ones, space-separated
  local -A seen=()
  local p out=()
  for p in "$@"; do
    [[ $p =~ ^[0-9]+$ && -z ${seen[$p]:-} ]] || continue
    seen[$p]=1
    out+=("$p")
  done
  echo "${out[*]}"
}

stop_nginx() {
  local master pids
  master=$(uniq_pids "$(pid_from "$RUN/nginx.pid" nginx)" $(scan nginx "$ETC/nginx.conf"))
  pids=$(uniq_pids $master $(children $master))
  stop nginx TERM "$master" "$pids"
  rm -f "$RUN/nginx.pid"
}
stop_sogod() {
  local parents pids
  # The watchdog parent and its workers all carry the parent's command line.
  parents=$(uniq_pids "$(pid_from "$RUN/sogod/sogod.pid" sogod)" $(scan sogod "127.0.0.1:$SOGO_PORT"))
  # Collect the workers before signalling: once the parent dies they are re-parented.
  pids=$(uniq_pids $parents $(children $parents))
  stop sogod TERM "$pids" ""
  rm -f "$RUN/sogod/sogod.pid"
}
stop_dovecot() {
  local master pids
  master=$(uniq_pids "$(pid_from "$RUN/dovecot/master.pid" dovecot)" $(scan dovecot "$ETC/dovecot.conf"))
  pids=$(uniq_pids $master $(children $master))
  stop dovecot TERM "$master" "$pids"
}
stop_memcached() {
  local pids
  pids=$(uniq_pids "$(pid_from "$RUN/memcached/memcached.pid" memcached)" $(scan memcached "-p $SOGO_MEMCACHED_PORT "))
  stop memcached TERM "$pids" ""
  rm -f "$RUN/memcached/memcached.pid"
}
stop_postgres() {
  local master pids
  master=$(uniq_pids "$(pid_from "$PGDATA/postmaster.pid" postgres)" $(scan postgres "-D $PGDATA"))
  pids=$(uniq_pids $master $(children $master))
  # SIGINT = PostgreSQL "fast" shutdown (SIGTERM would wait for clients).
  stop postgres INT "$master" "$pids"
}

failed=0
stopped=()
components=("$@")
[ ${#components[@]} -gt 0 ] || components=(nginx sogod dovecot memcached postgres)
for c in "${components[@]}"; do
  case $c in
  nginx | sogod | dovecot | memcached | postgres) snapshot && "stop_$c" ;;
  *) say "unknown component '$c' (want nginx sogod dovecot memcached postgres)"; exit 2 ;;
  esac
done
if [ "$failed" != 0 ]; then exit 1; fi
if [ ${#stopped[@]} -gt 0 ]; then say "stopped: ${stopped[*]}"; else say "nothing was running"; fi
exit 0
