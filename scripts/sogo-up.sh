#!/usr/bin/env bash
# sogo-up.sh — bring up a real SOGo 5.8 ActiveSync server on 127.0.0.1 for the
# integration tests (Debian 12, root, no systemd needed).
#
# Installs (apt, only what is missing, no service started by the packages) and
# starts, idempotently:
#   PostgreSQL (own cluster)  127.0.0.1:$SOGO_PG_PORT         (55432)
#   memcached                 127.0.0.1:$SOGO_MEMCACHED_PORT  (21211)
#   Dovecot IMAP              127.0.0.1:$SOGO_IMAP_PORT       (10143)
#   sogod                     127.0.0.1:$SOGO_PORT            (20000)
#   nginx                     127.0.0.1:$SOGO_HTTP_PORT       (18080, SOGO_WITH_NGINX=0 to skip)
# Last line on stdout: SOGO_EAS_URL=<base URL of the EAS endpoint>.
# Progress and errors go to stderr. State: /var/lib/sogo-test, logs: /var/log/sogo-test.
#
# Environment (defaults in brackets):
#   SOGO_MAX_PING [600]  SOGO_MAX_SYNC [600]  SOGO_INTERNAL_SYNC [5]  SOGO_WATCHDOG_MIN [15]
#   SOGO_WORKERS [8]  SOGO_EAS_DEBUG [NO]  SOGO_TEST_USERS ["alice:secret bob:secret"]
#   SOGO_MAIL_DOMAIN [example.test]  SOGO_EXTRA_CONF [""] (raw sogo.conf lines)
#   SOGO_RESET [0] (1 = stop, wipe DB and mail, start fresh)  SOGO_WITH_NGINX [1]
#   SOGO_READY_TIMEOUT [60] (seconds to wait for EAS OPTIONS)  SOGO_STOP_GRACE [3]
#   SOGO_PG_PORT SOGO_MEMCACHED_PORT SOGO_IMAP_PORT SOGO_PORT SOGO_HTTP_PORT (see above)
#   SOGO_STATE_DIR SOGO_LOG_DIR SOGO_ETC_DIR SOGO_RUN_DIR (must match for sogo-down.sh)
set -Eeuo pipefail
export LC_ALL=C

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
T0=$(date +%s%N)

: "${SOGO_PG_PORT:=55432}" "${SOGO_MEMCACHED_PORT:=21211}" "${SOGO_IMAP_PORT:=10143}"
: "${SOGO_PORT:=20000}" "${SOGO_HTTP_PORT:=18080}" "${SOGO_WITH_NGINX:=1}"
: "${SOGO_MAX_PING:=600}" "${SOGO_MAX_SYNC:=600}" "${SOGO_INTERNAL_SYNC:=5}"
: "${SOGO_WATCHDOG_MIN:=15}" "${SOGO_WORKERS:=8}" "${SOGO_EAS_DEBUG:=NO}"
: "${SOGO_TEST_USERS:=alice:secret bob:secret}" "${SOGO_MAIL_DOMAIN:=example.test}"
: "${SOGO_EXTRA_CONF:=}" "${SOGO_RESET:=0}" "${SOGO_READY_TIMEOUT:=60}" "${SOGO_STOP_GRACE:=3}"
: "${SOGO_STATE_DIR:=/var/lib/sogo-test}" "${SOGO_LOG_DIR:=/var/log/sogo-test}"
: "${SOGO_ETC_DIR:=/etc/sogo-test}" "${SOGO_RUN_DIR:=/run/sogo-test}"
export SOGO_PG_PORT SOGO_MEMCACHED_PORT SOGO_IMAP_PORT SOGO_PORT SOGO_HTTP_PORT SOGO_STOP_GRACE \
  SOGO_STATE_DIR SOGO_LOG_DIR SOGO_ETC_DIR SOGO_RUN_DIR

STATE=$SOGO_STATE_DIR LOGS=$SOGO_LOG_DIR ETC=$SOGO_ETC_DIR RUN=$SOGO_RUN_DIR
PGDATA=$STATE/pgdata
APPLIED=$STATE/applied
PKGS=(sogo sogo-activesync postgresql dovecot-imapd memcached nginx-light libwbxml2-utils curl)

say() { printf 'sogo-up: %s\n' "$*" >&2; }
show_log() { # file [lines]
  [ -s "$1" ] || return 0
  printf -- '---- last lines of %s ----\n' "$1" >&2
  tail -n "${2:-25}" "$1" >&2 || true
}
die() {
  trap - ERR
  printf 'sogo-up: ERROR: %s\n' "$*" >&2
  printf 'sogo-up: logs are in %s; stop with: bash %s/sogo-down.sh\n' "$LOGS" "$SCRIPT_DIR" >&2
  exit 1
}
trap 'die "command failed (line $LINENO, exit $?): $BASH_COMMAND"' ERR

[ "$(id -u)" = 0 ] || die "must run as root (installs packages and starts daemons)"
[ -r /etc/debian_version ] || die "needs Debian 12 (apt, dpkg)"

# One sogo-up.sh / sogo-down.sh at a time on this machine (several sessions share the fixture).
# fd 9 holds the lock; every daemon is started with 9>&- so none of them inherits it.
install -d -m 755 "$RUN"
exec 9>>"$RUN/.lock"
flock -w 300 9 || die "another sogo-up.sh/sogo-down.sh has held $RUN/.lock for 300 s"
export SOGO_LOCK_HELD=1

for v in SOGO_PG_PORT SOGO_MEMCACHED_PORT SOGO_IMAP_PORT SOGO_PORT SOGO_HTTP_PORT SOGO_MAX_PING \
  SOGO_MAX_SYNC SOGO_INTERNAL_SYNC SOGO_WATCHDOG_MIN SOGO_WORKERS SOGO_READY_TIMEOUT; do
  [[ ${!v} =~ ^[0-9]+$ ]] || die "$v must be a non-negative integer, got '${!v}'"
done
[ "$SOGO_WORKERS" -ge 1 ] || die "SOGO_WORKERS must be >= 1"
if [ "$SOGO_INTERNAL_SYNC" -lt 5 ]; then
  say "warning: SOGO_INTERNAL_SYNC=$SOGO_INTERNAL_SYNC < 5 makes SOGo's Ping run longer than requested (H/I*5 s)"
fi

# ---------------------------------------------------------------- helpers --
# shellcheck source=scripts/fixture-lib.sh
. "$SCRIPT_DIR/fixture-lib.sh"
stop_component() { bash "$SCRIPT_DIR/sogo-down.sh" "$@" >&2 || die "could not stop $*"; }

# --------------------------------------------------------------- packages --
# shellcheck source=scripts/apt-install.sh
. "$SCRIPT_DIR/apt-install.sh"
mapfile -t missing < <(missing_packages "${PKGS[@]}")
if [ ${#missing[@]} -gt 0 ]; then
  tn=$(date +%s%N)
  install -d -m 755 "$LOGS"
  say "installing: ${missing[*]} (apt log: $LOGS/apt.log)"
  apt_install "$LOGS/apt.log" sogo-up.sh "${missing[@]}"
  say "installed in $(secs_since "$tn") s"
fi
for p in "${PKGS[@]}"; do pkg_ok "$p" || die "package $p is still not installed"; done

PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)
[ -x "$PGBIN/initdb" ] || die "PostgreSQL server binaries not found under /usr/lib/postgresql"
[ -x /usr/sbin/sogod ] || die "/usr/sbin/sogod missing"
getent passwd vmail >/dev/null || useradd --system --user-group --no-create-home \
  --home-dir "$STATE/mail" --shell /usr/sbin/nologin vmail
VMAIL_UID=$(id -u vmail)
VMAIL_GID=$(id -g vmail)

# ----------------------------------------------------------------- reset --
if [ "$SOGO_RESET" = 1 ]; then
  say "SOGO_RESET=1: stopping everything and wiping $STATE"
  stop_component
  rm -rf "$PGDATA" "$STATE/mail" "$STATE/dovecot" "$STATE/nginx" "$APPLIED"
fi

# ------------------------------------------------------------ directories --
install -d -m 755 "$STATE" "$LOGS" "$ETC" "$RUN" "$APPLIED"
install -d -m 700 -o postgres -g postgres "$PGDATA"
install -d -m 755 -o postgres -g postgres "$RUN/pg"
install -d -m 755 -o memcache "$RUN/memcached"
install -d -m 755 -o sogo -g sogo "$RUN/sogod"
install -d -m 750 -o vmail -g vmail "$STATE/mail"
install -d -m 755 "$STATE/dovecot" "$RUN/dovecot" "$STATE/nginx"
for f in postgresql.log sogo.log; do touch "$LOGS/$f"; done
chown postgres:postgres "$LOGS/postgresql.log"
chown sogo:sogo "$LOGS/sogo.log"

# ------------------------------------------------------------- users list --
USERS=()
PASSWORDS=()
for entry in $SOGO_TEST_USERS; do
  u=${entry%%:*} pw=${entry#*:}
  [[ $entry == *:* && $u =~ ^[a-z0-9][a-z0-9._-]*$ && -n $pw && $pw != *:* && $pw != *\'* ]] ||
    die "bad SOGO_TEST_USERS entry '$entry' (want user:password, lowercase user, no ':' or quote in password)"
  USERS+=("$u")
  PASSWORDS+=("$pw")
done
[ ${#USERS[@]} -gt 0 ] || die "SOGO_TEST_USERS is empty"

started=()

# ------------------------------------------------------------- PostgreSQL --
pg_conf="listen_addresses = '127.0.0.1'
port = $SOGO_PG_PORT
unix_socket_directories = '$RUN/pg'
max_connections = $((40 + 8 * SOGO_WORKERS))
shared_buffers = 16MB
fsync = off
synchronous_commit = off
full_page_writes = off
logging_collector = off
log_min_messages = warning"
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  say "initdb $PGDATA"
  runuser -u postgres -- "$PGBIN/initdb" -D "$PGDATA" -U postgres -A trust -E UTF8 --no-locale --no-sync \
    </dev/null >>"$LOGS/postgresql.log" 2>&1 || { show_log "$LOGS/postgresql.log"; die "initdb failed"; }
  echo "include_if_exists = 'sogo-test.conf'" >>"$PGDATA/postgresql.conf"
fi
write_file "$PGDATA/sogo-test.conf" 600 postgres:postgres "$pg_conf"
pg_fp=$(fingerprint "$pg_conf" "$PGBIN")
pg_pid=$(pid_from "$PGDATA/postmaster.pid" postgres)
if [ -n "$pg_pid" ] && needs_restart postgres "$pg_fp"; then
  say "PostgreSQL configuration changed: restarting it (and sogod)"
  stop_component sogod postgres
  pg_pid=
fi
if [ -z "$pg_pid" ]; then
  rm -f "$PGDATA/postmaster.pid" # stale (the process is gone or the PID was reused)
  port_open "$SOGO_PG_PORT" && die "port $SOGO_PG_PORT is in use by another process (set SOGO_PG_PORT)"
  runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDATA" -l "$LOGS/postgresql.log" -w -t 60 -s start \
    </dev/null >>"$LOGS/postgresql.log" 2>&1 9>&- || { show_log "$LOGS/postgresql.log"; die "PostgreSQL did not start"; }
  mark_applied postgres "$pg_fp"
  started+=(postgres)
  # sogod holds database connections: restart it so it reconnects to this server.
  [ -z "$(pid_from "$RUN/sogod/sogod.pid" sogod)" ] || stop_component sogod
fi
export PGOPTIONS='-c client_min_messages=warning'
PSQL=(runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$SOGO_PG_PORT" -U postgres)
if [ "$("${PSQL[@]}" -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'sogo'")" != 1 ]; then
  "${PSQL[@]}" -d postgres -c "DO \$\$ BEGIN
      IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'sogo') THEN CREATE ROLE sogo LOGIN PASSWORD 'sogo'; END IF;
    END \$\$;" -c "CREATE DATABASE sogo OWNER sogo" >/dev/null
fi
sql="CREATE TABLE IF NOT EXISTS sogo_users (c_uid varchar(64) PRIMARY KEY, c_name varchar(64) NOT NULL,
  c_password varchar(128) NOT NULL, c_cn varchar(128), mail varchar(128));"
for i in "${!USERS[@]}"; do
  u=${USERS[$i]} pw=${PASSWORDS[$i]}
  sql+="INSERT INTO sogo_users VALUES ('$u', '$u', '$pw', '${u^}', '$u@$SOGO_MAIL_DOMAIN')
    ON CONFLICT (c_uid) DO UPDATE SET c_password = EXCLUDED.c_password, c_cn = EXCLUDED.c_cn, mail = EXCLUDED.mail;"
done
runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$SOGO_PG_PORT" -U sogo -d sogo -c "$sql" >/dev/null

# -------------------------------------------------------------- memcached --
mc_args="-d -u memcache -l 127.0.0.1 -p $SOGO_MEMCACHED_PORT -U 0 -m 64 -c 1024 -P $RUN/memcached/memcached.pid"
mc_fp=$(fingerprint "$mc_args")
mc_pid=$(pid_from "$RUN/memcached/memcached.pid" memcached)
if [ -n "$mc_pid" ] && needs_restart memcached "$mc_fp"; then
  stop_component memcached
  mc_pid=
fi
if [ -z "$mc_pid" ]; then
  port_open "$SOGO_MEMCACHED_PORT" && die "port $SOGO_MEMCACHED_PORT is in use by another process (set SOGO_MEMCACHED_PORT)"
  # shellcheck disable=SC2086
  memcached $mc_args </dev/null >>"$LOGS/memcached.log" 2>&1 9>&- || { show_log "$LOGS/memcached.log"; die "memcached did not start"; }
  wait_until 10 port_open "$SOGO_MEMCACHED_PORT" || { show_log "$LOGS/memcached.log"; die "memcached is not listening on $SOGO_MEMCACHED_PORT"; }
  mark_applied memcached "$mc_fp"
  started+=(memcached)
fi

# ---------------------------------------------------------------- Dovecot --
dv_conf="# generated by scripts/sogo-up.sh — standalone; /etc/dovecot is not used
base_dir = $RUN/dovecot
state_dir = $STATE/dovecot
instance_name = sogo-test
listen = 127.0.0.1
protocols = imap
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
log_path = $LOGS/dovecot.log
mail_location = maildir:$STATE/mail/%u/Maildir
mail_uid = $VMAIL_UID
mail_gid = $VMAIL_GID
first_valid_uid = $VMAIL_UID
last_valid_uid = $VMAIL_UID
mail_plugins = acl
default_internal_user = dovecot
default_login_user = dovenull
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $ETC/dovecot.passwd
}
userdb {
  driver = static
  args = uid=$VMAIL_UID gid=$VMAIL_GID home=$STATE/mail/%u
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $SOGO_IMAP_PORT
  }
  inet_listener imaps {
    port = 0
  }
}
service auth {
  unix_listener auth-userdb {
    mode = 0600
    user = root
  }
}
protocol imap {
  mail_plugins = \$mail_plugins imap_acl
}
protocol lda {
  postmaster_address = postmaster@$SOGO_MAIL_DOMAIN
}
plugin {
  acl = vfile
}
namespace inbox {
  inbox = yes
  separator = /
  mailbox Drafts {
    auto = subscribe
    special_use = \\Drafts
  }
  mailbox Sent {
    auto = subscribe
    special_use = \\Sent
  }
  mailbox Trash {
    auto = subscribe
    special_use = \\Trash
  }
  mailbox Junk {
    auto = subscribe
    special_use = \\Junk
  }
  mailbox Templates {
    auto = subscribe
  }
}"
passwd=""
for i in "${!USERS[@]}"; do passwd+="${USERS[$i]}:{PLAIN}${PASSWORDS[$i]}::::::"$'\n'; done
write_file "$ETC/dovecot.passwd" 640 root:dovecot "${passwd%$'\n'}"
write_file "$ETC/dovecot.conf" 644 root:root "$dv_conf"
dv_fp=$(fingerprint "$dv_conf")
dv_pid=$(pid_from "$RUN/dovecot/master.pid" dovecot)
if [ -n "$dv_pid" ] && needs_restart dovecot "$dv_fp"; then
  stop_component dovecot
  dv_pid=
fi
if [ -z "$dv_pid" ]; then
  port_open "$SOGO_IMAP_PORT" && die "port $SOGO_IMAP_PORT is in use by another process (set SOGO_IMAP_PORT)"
  dovecot -c "$ETC/dovecot.conf" </dev/null >>"$LOGS/dovecot.log" 2>&1 9>&- || { show_log "$LOGS/dovecot.log"; die "dovecot did not start"; }
  wait_until 10 port_open "$SOGO_IMAP_PORT" || { show_log "$LOGS/dovecot.log"; die "dovecot is not listening on $SOGO_IMAP_PORT"; }
  mark_applied dovecot "$dv_fp"
  started+=(dovecot)
fi
# Gotcha 1: SOGo's mail sync only works once each mailbox has been opened with
# CONDSTORE/QRESYNC (then Dovecot reports HIGHESTMODSEQ on a plain SELECT).
# 'mailbox list' also creates the auto mailboxes.
for u in "${USERS[@]}"; do
  boxes=$(doveadm -c "$ETC/dovecot.conf" mailbox list -u "$u") || die "doveadm mailbox list -u $u failed (see $LOGS/dovecot.log)"
  script='a ENABLE QRESYNC\r\n'
  n=0
  while IFS= read -r box; do
    [ -n "$box" ] || continue
    n=$((n + 1))
    box=${box//\\/\\\\}
    script+="s$n SELECT \"${box//\"/\\\"}\"\\r\\n"
  done <<<"$boxes"
  script+='z LOGOUT\r\n'
  # shellcheck disable=SC2059
  out=$(printf "$script" | doveadm -c "$ETC/dovecot.conf" exec imap -u "$u" 2>&1) || die "CONDSTORE priming for $u failed: $out"
  [ "$(grep -c '^s[0-9]* OK' <<<"$out")" = "$n" ] || die "CONDSTORE priming for $u: not every SELECT succeeded: $out"
done

# ------------------------------------------------------------------ sogod --
if [ -e /etc/sogo/sogo.conf ] && [ ! -e /etc/sogo/sogo.conf.debian-dist ]; then
  cp -p /etc/sogo/sogo.conf /etc/sogo/sogo.conf.debian-dist
fi
db="postgresql://sogo:sogo@127.0.0.1:$SOGO_PG_PORT/sogo"
sogo_conf="/* generated by scripts/sogo-up.sh (Debian original: sogo.conf.debian-dist) */
{
  SOGoProfileURL = \"$db/sogo_user_profile\";
  OCSFolderInfoURL = \"$db/sogo_folder_info\";
  OCSSessionsFolderURL = \"$db/sogo_sessions_folder\";
  OCSStoreURL = \"$db/sogo_store\";
  OCSAclURL = \"$db/sogo_acl\";
  OCSCacheFolderURL = \"$db/sogo_cache_folder\";
  OCSEMailAlarmsFolderURL = \"$db/sogo_alarms_folder\";
  OCSAdminURL = \"$db/sogo_admin\";
  SOGoUserSources = (
    {
      type = sql;
      id = users;
      viewURL = \"$db/sogo_users\";
      canAuthenticate = YES;
      isAddressBook = NO;
      userPasswordAlgorithm = plain;
    }
  );
  SOGoIMAPServer = \"imap://127.0.0.1:$SOGO_IMAP_PORT\";
  NGImap4ConnectionStringSeparator = \"/\";
  SOGoMailingMechanism = smtp;
  SOGoSMTPServer = \"smtp://127.0.0.1:25\";
  SOGoMailDomain = \"$SOGO_MAIL_DOMAIN\";
  SOGoMemcachedHost = \"127.0.0.1:$SOGO_MEMCACHED_PORT\";
  SOGoTimeZone = UTC;
  SOGoLanguage = English;
  SOGoEnableEMailAlarms = NO;
  SOGoAppointmentSendEMailNotifications = NO;
  SOGoMaximumPingInterval = $SOGO_MAX_PING;
  SOGoMaximumSyncInterval = $SOGO_MAX_SYNC;
  SOGoInternalSyncInterval = $SOGO_INTERNAL_SYNC;
  SOGoEASDebugEnabled = $SOGO_EAS_DEBUG;
  WOWatchDogRequestTimeout = $SOGO_WATCHDOG_MIN;
  WOWorkersCount = $SOGO_WORKERS;
  WOPort = \"127.0.0.1:$SOGO_PORT\";
  WOLogFile = \"$LOGS/sogo.log\";
  WOPidFile = \"$RUN/sogod/sogod.pid\";
$SOGO_EXTRA_CONF
}"
write_file /etc/sogo/sogo.conf 640 root:sogo "$sogo_conf"
SOGOD_ARGS=(-WOWorkersCount "$SOGO_WORKERS" -WOPidFile "$RUN/sogod/sogod.pid" -WOLogFile "$LOGS/sogo.log"
  -WOPort "127.0.0.1:$SOGO_PORT")
sogo_fp=$(fingerprint "$sogo_conf" "${SOGOD_ARGS[*]}")
sogo_pid=$(pid_from "$RUN/sogod/sogod.pid" sogod)
if [ -n "$sogo_pid" ] && needs_restart sogod "$sogo_fp"; then
  say "sogod configuration changed: restarting sogod"
  stop_component sogod
  sogo_pid=
fi
if [ -z "$sogo_pid" ]; then
  port_open "$SOGO_PORT" && die "port $SOGO_PORT is in use by another process (set SOGO_PORT)"
  rm -f "$RUN/sogod/sogod.pid"
  setsid -f runuser -u sogo -- /usr/sbin/sogod "${SOGOD_ARGS[@]}" </dev/null >>"$LOGS/sogo.log" 2>&1 9>&-
  sogod_up() { [ -n "$(pid_from "$RUN/sogod/sogod.pid" sogod)" ] && port_open "$SOGO_PORT"; }
  wait_until 30 sogod_up || { show_log "$LOGS/sogo.log"; die "sogod did not come up on 127.0.0.1:$SOGO_PORT"; }
  mark_applied sogod "$sogo_fp"
  started+=(sogod)
fi

# ------------------------------------------------------------------ nginx --
DIRECT_URL="http://127.0.0.1:$SOGO_PORT/SOGo/Microsoft-Server-ActiveSync"
if [ "$SOGO_WITH_NGINX" = 1 ]; then
  read_timeout=$(((SOGO_MAX_PING > SOGO_MAX_SYNC ? SOGO_MAX_PING : SOGO_MAX_SYNC) + 300))
  install -d -m 755 "$STATE/nginx/body" "$STATE/nginx/proxy"
  chown www-data "$STATE/nginx/body" "$STATE/nginx/proxy"
  ngx_conf="# generated by scripts/sogo-up.sh
user www-data;
worker_processes 1;
pid $RUN/nginx.pid;
error_log $LOGS/nginx-error.log warn;
events { worker_connections 1024; }
http {
  access_log $LOGS/nginx-access.log;
  client_body_temp_path $STATE/nginx/body;
  proxy_temp_path $STATE/nginx/proxy;
  client_max_body_size 64m;
  server {
    listen 127.0.0.1:$SOGO_HTTP_PORT;
    server_name localhost;
    proxy_read_timeout ${read_timeout}s;
    proxy_send_timeout ${read_timeout}s;
    proxy_set_header Host \$http_host;
    proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
    proxy_set_header x-webobjects-server-protocol HTTP/1.0;
    proxy_set_header x-webobjects-server-name \$server_name;
    proxy_set_header x-webobjects-server-port \$server_port;
    proxy_set_header x-webobjects-server-url \$scheme://\$http_host;
    location /Microsoft-Server-ActiveSync {
      proxy_pass http://127.0.0.1:$SOGO_PORT/SOGo/Microsoft-Server-ActiveSync;
    }
    location /SOGo {
      proxy_pass http://127.0.0.1:$SOGO_PORT;
    }
  }
}"
  write_file "$ETC/nginx.conf" 644 root:root "$ngx_conf"
  ngx_fp=$(fingerprint "$ngx_conf")
  ngx_pid=$(pid_from "$RUN/nginx.pid" nginx)
  if [ -n "$ngx_pid" ] && needs_restart nginx "$ngx_fp"; then
    stop_component nginx
    ngx_pid=
  fi
  if [ -z "$ngx_pid" ]; then
    port_open "$SOGO_HTTP_PORT" && die "port $SOGO_HTTP_PORT is in use by another process (set SOGO_HTTP_PORT or SOGO_WITH_NGINX=0)"
    nginx -e "$LOGS/nginx-error.log" -c "$ETC/nginx.conf" </dev/null >>"$LOGS/nginx-error.log" 2>&1 9>&- ||
      { show_log "$LOGS/nginx-error.log"; die "nginx did not start"; }
    wait_until 10 port_open "$SOGO_HTTP_PORT" || { show_log "$LOGS/nginx-error.log"; die "nginx is not listening on $SOGO_HTTP_PORT"; }
    mark_applied nginx "$ngx_fp"
    started+=(nginx)
  fi
  EAS_URL="http://127.0.0.1:$SOGO_HTTP_PORT/Microsoft-Server-ActiveSync"
else
  [ -z "$(pid_from "$RUN/nginx.pid" nginx)" ] || stop_component nginx
  EAS_URL=$DIRECT_URL
fi

# -------------------------------------------------------------- readiness --
eas_ready() {
  local code
  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 -X OPTIONS \
    -u "${USERS[0]}:${PASSWORDS[0]}" -H 'MS-ASProtocolVersion: 14.1' "$EAS_URL" 2>/dev/null) || true
  [ "$code" = 200 ]
}
if ! wait_until "$SOGO_READY_TIMEOUT" eas_ready; then
  show_log "$LOGS/sogo.log"
  [ "$SOGO_WITH_NGINX" = 1 ] && show_log "$LOGS/nginx-error.log" 10
  die "EAS OPTIONS $EAS_URL did not answer 200 within ${SOGO_READY_TIMEOUT}s"
fi

# For the test helpers: where things are (parsed by test/integration/helpers/sogo.ts).
write_file "$STATE/fixture.env" 644 root:root "SOGO_EAS_URL=$EAS_URL
SOGO_DIRECT_URL=$DIRECT_URL
SOGO_TEST_USERS=$SOGO_TEST_USERS
SOGO_MAIL_DOMAIN=$SOGO_MAIL_DOMAIN
SOGO_IMAP_PORT=$SOGO_IMAP_PORT
SOGO_DOVECOT_CONF=$ETC/dovecot.conf
SOGO_MAX_PING=$SOGO_MAX_PING
SOGO_MAX_SYNC=$SOGO_MAX_SYNC
SOGO_INTERNAL_SYNC=$SOGO_INTERNAL_SYNC
SOGO_WORKERS=$SOGO_WORKERS"

if [ ${#started[@]} -gt 0 ]; then
  say "started: ${started[*]} ($(secs_since "$T0") s)"
else
  say "already running"
fi
echo "SOGO_EAS_URL=$EAS_URL"
