# shellcheck shell=bash
# Shared by peers-install.sh and sogo-up.sh (sourced, never run): find which Debian packages are
# missing and install them with apt, without letting any package start its service. The caller
# defines die().

# pkg_ok NAME: the package (or, for nginx-light, any nginx flavour) is installed.
pkg_ok() {
  case $1 in
  nginx-light) command -v nginx >/dev/null 2>&1 && return 0 ;; # any nginx flavour will do
  esac
  [ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null || true)" = installed ]
}

# missing_packages NAME...: prints the names that are not installed, one per line.
missing_packages() {
  local p
  for p in "$@"; do pkg_ok "$p" || printf '%s\n' "$p"; done
}

# apt_install LOG WHO NAME...: apt-get update + install NAME... (output appended to LOG). A
# policy-rc.d keeps maintainer scripts from starting services; it is removed afterwards only if
# this created it (Docker images ship their own). Dies with the log's tail on failure.
apt_install() {
  local log=$1 who=$2
  shift 2
  created_policy=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\n# created by %s: keep package scripts from starting services\nexit 101\n' "$who" >/usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    created_policy=1
  fi
  remove_policy() { if [ "$created_policy" = 1 ]; then rm -f /usr/sbin/policy-rc.d; created_policy=0; fi; }
  trap remove_policy EXIT
  local opts=(-q -y -o DPkg::Lock::Timeout=300 -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold
    -o Dpkg::Options::=--force-unsafe-io) # a test machine: skip dpkg's fsyncs
  local ok=1
  { DEBIAN_FRONTEND=noninteractive apt-get "${opts[@]}" update &&
    DEBIAN_FRONTEND=noninteractive apt-get "${opts[@]}" install --no-install-recommends "$@"; } >>"$log" 2>&1 || ok=0
  remove_policy
  trap - EXIT
  if [ "$ok" = 0 ]; then
    tail -n 25 "$log" >&2 || true
    die "apt-get install $* failed (log: $log)"
  fi
}
