# Shell helpers shared by the fixture start scripts (sogo-up.sh, horde-up.sh): process checks by
# /proc, port probes, bounded polling, idempotent file writes and configuration fingerprints.
# Sourced, never run; callers define APPLIED (the directory of applied fingerprints).

# alive PID: the process exists and is not a zombie (PID 1 here reaps slowly).
alive() {
  local st
  [ -n "${1:-}" ] || return 1
  { read -r st <"/proc/$1/stat"; } 2>/dev/null || return 1
  st=${st##*) }
  case ${st%% *} in Z | X | x) return 1 ;; esac
}
comm_of() { local c=; { read -r c <"/proc/$1/comm"; } 2>/dev/null || true; printf '%s' "$c"; }
# pid_from FILE COMM: the live PID recorded in FILE whose command name is COMM, or nothing.
pid_from() {
  local pid=
  { read -r pid <"$1" || [ -n "$pid" ]; } 2>/dev/null || return 0
  pid=${pid//[^0-9]/}
  if [ -n "$pid" ] && alive "$pid" && [ "$(comm_of "$pid")" = "$2" ]; then echo "$pid"; fi
}
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
# wait_until SECONDS CMD...: poll CMD every 50 ms until it succeeds or the deadline passes.
wait_until() {
  local secs=$1 end
  shift
  end=$(($(date +%s%N) + secs * 1000000000))
  until "$@"; do
    [ "$(date +%s%N)" -lt "$end" ] || return 1
    sleep 0.05
  done
}
# write_file PATH MODE OWNER CONTENT: write only when the content differs.
write_file() {
  local path=$1 mode=$2 owner=$3 content=$4
  if [ ! -f "$path" ] || [ "$(cat "$path")" != "$content" ]; then
    printf '%s\n' "$content" >"$path.tmp.$$"
    chmod "$mode" "$path.tmp.$$"
    chown "$owner" "$path.tmp.$$"
    mv -f "$path.tmp.$$" "$path"
  fi
}
fingerprint() { printf '%s' "$*" | sha256sum | cut -c1-16; }
# needs_restart NAME FP: the running daemon was started with a different configuration.
needs_restart() { [ "$(cat "$APPLIED/$1" 2>/dev/null || true)" != "$2" ]; }
mark_applied() { printf '%s\n' "$2" >"$APPLIED/$1"; }
secs_since() { # start-ns -> seconds with one decimal, without bc
  local d=$(($(date +%s%N) - $1))
  printf '%d.%d' $((d / 1000000000)) $((d / 100000000 % 10))
}
