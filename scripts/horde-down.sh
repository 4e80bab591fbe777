#!/usr/bin/env bash
# PID lists are passed around as space-separated words on purpose:
# shellcheck disable=SC2046,SC2086,SC2206
# horde-down.sh — stop the Horde ActiveSync test fixture started by scripts/horde-up.sh.
#
#   bash scripts/horde-down.sh                  # everything: apache dovecot
#   bash scripts/horde-down.sh apache           # only these components
#   bash scripts/horde-down.sh --purge          # everything, then delete its state, logs, config
#                                               # and the files it wrote under /etc/horde
#
# Every process is stopped by PID: the pid files, plus a /proc scan for strays whose command line
# names this fixture's own config file, limited to processes that share this script's root
# directory (a fixture in a chroot uses the same paths and must not be touched). TERM, then KILL
# after HORDE_STOP_GRACE seconds (default 3). Apache's TERM takes its workers down at once, even
# mid-Ping. Zombies count as dead. Exits 0 when nothing of the fixture runs any more; state and
# logs are kept unless --purge. Installed packages always stay.
set -Euo pipefail
export LC_ALL=C

: "${HORDE_STOP_GRACE:=3}"
: "${HORDE_STATE_DIR:=/var/lib/horde-test}" "${HORDE_LOG_DIR:=/var/log/horde-test}"
: "${HORDE_ETC_DIR:=/etc/horde-test}" "${HORDE_RUN_DIR:=/run/horde-test}"
STATE=$HORDE_STATE_DIR LOGS=$HORDE_LOG_DIR ETC=$HORDE_ETC_DIR RUN=$HORDE_RUN_DIR

say() { printf 'horde-down: %s\n' "$*" >&2; }
[[ $HORDE_STOP_GRACE =~ ^[0-9]+(\.[0-9]+)?$ ]] || { say "HORDE_STOP_GRACE must be a number of seconds"; exit 2; }

purge=0
components=()
for a in "$@"; do
  case $a in
  --purge) purge=1 ;;
  apache | dovecot) components+=("$a") ;;
  *) say "unknown argument '$a' (want apache, dovecot or --purge)"; exit 2 ;;
  esac
done
[ ${#components[@]} -gt 0 ] || components=(apache dovecot)
if [ "$purge" = 1 ] && [ ${#components[@]} -ne 2 ]; then say "--purge stops everything: name no component"; exit 2; fi

# Serialise with horde-up.sh (which sets HORDE_LOCK_HELD when it calls this script).
if [ -z "${HORDE_LOCK_HELD:-}" ] && [ -d "$RUN" ]; then
  exec 9>>"$RUN/.lock"
  flock -w 300 9 || { say "another horde-up.sh/horde-down.sh has held $RUN/.lock for 300 s"; exit 1; }
fi

# Only bash builtins in the per-process work (no fork per process): a /proc pass stays fast.
alive() {
  local st
  { read -r st <"/proc/$1/stat"; } 2>/dev/null || return 1
  st=${st##*) }
  case ${st%% *} in Z | X | x) return 1 ;; esac
}
MY_ROOT=$(stat -L -c '%d:%i' /proc/self/root/ 2>/dev/null || echo unknown)
same_root() { [ "$(stat -L -c '%d:%i' "/proc/$1/root/" 2>/dev/null || echo other)" = "$MY_ROOT" ]; }
declare -A P_PPID=() P_COMM=()
# snapshot: record parent and command name of every live (non-zombie) process.
snapshot() {
  local d p st c f
  P_PPID=() P_COMM=()
  for d in /proc/[0-9]*; do
    p=${d#/proc/}
    { read -r st <"$d/stat"; } 2>/dev/null || continue
    c=${st#*(} c=${c%)*} st=${st##*) }
    f=($st)
    case ${f[0]} in Z | X | x) continue ;; esac
    P_PPID[$p]=${f[1]}
    P_COMM[$p]=$c
  done
}
cmdline_of() { local a=(); { mapfile -d '' a <"/proc/$1/cmdline"; } 2>/dev/null; printf '%s ' "${a[@]}"; }
pid_from() { # FILE COMM: the live PID in FILE if its command name is COMM and it shares our root
  local pid=
  { read -r pid <"$1" || [ -n "$pid" ]; } 2>/dev/null || return 0
  pid=${pid//[^0-9]/}
  if [ -n "$pid" ] && alive "$pid" && [ "${P_COMM[$pid]:-}" = "$2" ] && same_root "$pid"; then echo "$pid"; fi
}
children() { # PID...: live direct children (as of the last snapshot)
  local p want=" $* "
  [ $# -gt 0 ] || return 0
  for p in "${!P_PPID[@]}"; do
    [[ $want == *" ${P_PPID[$p]} "* ]] && alive "$p" && echo "$p"
  done
  return 0
}
# scan COMM PATTERN: live processes named COMM, with our root, whose command line contains PATTERN.
scan() {
  local p
  for p in "${!P_COMM[@]}"; do
    [ "${P_COMM[$p]}" = "$1" ] || continue
    [[ "$(cmdline_of "$p")" == *"$2"* ]] && alive "$p" && same_root "$p" && echo "$p"
  done
  return 0
}
any_alive() { local p; for p in "$@"; do alive "$p" && return 0; done; return 1; }
wait_dead() { # SECONDS PID...: poll until all are dead; non-zero if the deadline passed
  local secs=$1 frac=0 end
  shift
  [[ $secs == *.* ]] && frac=$(printf '%-9s' "${secs#*.}" | tr ' ' 0 | cut -c1-9)
  end=$(($(date +%s%N) + ${secs%.*} * 1000000000 + 10#$frac))
  while any_alive "$@"; do
    [ "$(date +%s%N)" -lt "$end" ] || return 1
    sleep 0.05
  done
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
# stop NAME "MASTER PIDS" "ALL PIDS": TERM the masters, wait HORDE_STOP_GRACE, KILL what is left.
stop() {
  local name=$1 p targets=() live=()
  for p in $2; do alive "$p" && targets+=("$p"); done
  for p in $(uniq_pids $2 $3); do alive "$p" && live+=("$p"); done
  [ ${#live[@]} -gt 0 ] || return 0
  say "stopping $name (pids ${live[*]})"
  [ ${#targets[@]} -eq 0 ] || kill -TERM "${targets[@]}" 2>/dev/null || true
  if ! wait_dead "$HORDE_STOP_GRACE" "${live[@]}"; then
    local rest=()
    snapshot
    for p in $(uniq_pids "${live[@]}" $(children "${live[@]}")); do alive "$p" && rest+=("$p"); done
    if [ ${#rest[@]} -gt 0 ]; then
      say "$name still running after ${HORDE_STOP_GRACE}s: KILL ${rest[*]}"
      kill -KILL "${rest[@]}" 2>/dev/null || true
      wait_dead 10 "${rest[@]}" || { say "ERROR: could not kill $name (${rest[*]})"; failed=1; }
    fi
  fi
  stopped+=("$name")
}

stop_apache() {
  local master pids
  master=$(uniq_pids "$(pid_from "$RUN/apache2.pid" apache2)" $(scan apache2 "$ETC/apache2.conf"))
  # The workers carry the parent's command line; collect them before the parent goes.
  pids=$(uniq_pids $master $(children $master) $(scan apache2 "$ETC/apache2.conf"))
  stop apache "$master" "$pids"
  rm -f "$RUN/apache2.pid"
}
stop_dovecot() {
  local master pids
  master=$(uniq_pids "$(pid_from "$RUN/dovecot/master.pid" dovecot)" $(scan dovecot "$ETC/dovecot.conf"))
  pids=$(uniq_pids $master $(children $master))
  stop dovecot "$master" "$pids"
}

failed=0
stopped=()
for c in "${components[@]}"; do snapshot && "stop_$c"; done
if [ "$failed" != 0 ]; then exit 1; fi
if [ ${#stopped[@]} -gt 0 ]; then say "stopped: ${stopped[*]}"; else say "nothing was running"; fi
if [ "$purge" = 1 ]; then
  rm -rf "$STATE" "$LOGS" "$ETC"
  rm -f /etc/horde/horde/conf.local.php /etc/horde/horde/hooks.php /etc/horde/imp/backends.local.php
  for a in horde imp kronolith turba nag mnemo trean gollem; do rm -f "/etc/horde/$a/conf.php"; done
  rm -rf "$RUN" # last: it holds the lock file (the lock itself goes with our fd)
  say "purged $STATE $LOGS $ETC $RUN and the files written under /etc/horde"
fi
exit 0
