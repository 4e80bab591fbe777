#!/usr/bin/env bash
# horde-up.sh — bring up a real Horde Groupware 5.2 ActiveSync server (Horde_ActiveSync 2.41,
# EAS 2.5-16.0) on 127.0.0.1 for the integration tests (Debian 12, root, no systemd needed).
#
# Installs (apt, only what is missing, no service started by the packages) and starts,
# idempotently:
#   Dovecot IMAP                   127.0.0.1:$HORDE_IMAP_PORT  (10144; own instance "horde-test")
#   Apache 2.4 prefork + mod_php   127.0.0.1:$HORDE_PORT       (18180; /Microsoft-Server-ActiveSync
#                                  and /autodiscover/autodiscover.xml -> Horde's rpc.php, all else 403)
# Horde stores everything (its EAS state included) in SQLite; it authenticates through IMP,
# which logs in to this Dovecot with the EAS user's own credentials.
# Last line on stdout: HORDE_EAS_URL=<URL of the EAS endpoint>.
# Progress and errors go to stderr. State: /var/lib/horde-test, logs: /var/log/horde-test.
# Facts behind every setting: shared/notes/horde.md.
#
# Environment (defaults in brackets):
#   HORDE_HB_MIN [5] HORDE_HB_MAX [600] HORDE_HB_DEFAULT [480] (Horde's own: 60 / 2700 / 480)
#   HORDE_WAIT_INTERVAL [5] (Horde: 15; seconds between a held Ping's checks)
#   HORDE_HB_FORCED [0] (n > 0: deviceping=false, every Ping lasts n s whatever the device asks)
#   HORDE_PROVISIONING [none] (none | loose | force, for every device)
#   HORDE_PROVISIONING_PREFIX [prov] (devices whose DeviceId starts with it, any case, always
#     get "force": the provisioning tests share the server with the others; "" = off)
#   HORDE_WORKERS [16] (Apache workers = concurrent EAS requests, a held Ping included)
#   HORDE_IMAP_MAX_USERIP [1000] (Dovecot's per-user connection cap; its own default 10 turns
#     an 11th concurrent request of one user into a 401) HORDE_AUTH_FAILURE_DELAY [0] (Dovecot: 2)
#   HORDE_EAS_LOG [0] (1 = Horde's per-device WBXML log in $HORDE_LOG_DIR/eas)
#   HORDE_TEST_USERS ["alice:secret bob:secret"] HORDE_MAIL_DOMAIN [example.test]
#   HORDE_RESET [0] (1 = stop, wipe DB and mail, start fresh) HORDE_READY_TIMEOUT [60]
#   HORDE_STOP_GRACE [3] HORDE_PORT HORDE_IMAP_PORT (see above)
#   HORDE_STATE_DIR HORDE_LOG_DIR HORDE_ETC_DIR HORDE_RUN_DIR (must match for horde-down.sh)
set -Eeuo pipefail
export LC_ALL=C

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
T0=$(date +%s%N)

: "${HORDE_PORT:=18180}" "${HORDE_IMAP_PORT:=10144}" "${HORDE_WORKERS:=16}"
: "${HORDE_HB_MIN:=5}" "${HORDE_HB_MAX:=600}" "${HORDE_HB_DEFAULT:=480}" "${HORDE_WAIT_INTERVAL:=5}"
: "${HORDE_HB_FORCED:=0}" "${HORDE_PROVISIONING:=none}" "${HORDE_PROVISIONING_PREFIX=prov}"
: "${HORDE_IMAP_MAX_USERIP:=1000}" "${HORDE_AUTH_FAILURE_DELAY:=0}" "${HORDE_EAS_LOG:=0}"
: "${HORDE_TEST_USERS:=alice:secret bob:secret}" "${HORDE_MAIL_DOMAIN:=example.test}"
: "${HORDE_RESET:=0}" "${HORDE_READY_TIMEOUT:=60}" "${HORDE_STOP_GRACE:=3}"
: "${HORDE_STATE_DIR:=/var/lib/horde-test}" "${HORDE_LOG_DIR:=/var/log/horde-test}"
: "${HORDE_ETC_DIR:=/etc/horde-test}" "${HORDE_RUN_DIR:=/run/horde-test}"
export HORDE_PORT HORDE_IMAP_PORT HORDE_STOP_GRACE HORDE_STATE_DIR HORDE_LOG_DIR HORDE_ETC_DIR HORDE_RUN_DIR

STATE=$HORDE_STATE_DIR LOGS=$HORDE_LOG_DIR ETC=$HORDE_ETC_DIR RUN=$HORDE_RUN_DIR
APPLIED=$STATE/applied
DB=$STATE/db/horde.sqlite
HORDE_ETC=/etc/horde
HORDE_APPS=(imp kronolith turba nag mnemo trean gollem)
PKGS=(php-horde-groupware php-horde-activesync php-horde-imp php-cli php-sqlite3 sqlite3 dovecot-imapd libwbxml2-utils curl)

say() { printf 'horde-up: %s\n' "$*" >&2; }
show_log() { # file [lines]
  [ -s "$1" ] || return 0
  printf -- '---- last lines of %s ----\n' "$1" >&2
  tail -n "${2:-25}" "$1" >&2 || true
}
die() {
  trap - ERR
  printf 'horde-up: ERROR: %s\n' "$*" >&2
  printf 'horde-up: logs are in %s; stop with: bash %s/horde-down.sh\n' "$LOGS" "$SCRIPT_DIR" >&2
  exit 1
}
trap 'die "command failed (line $LINENO, exit $?): $BASH_COMMAND"' ERR

[ "$(id -u)" = 0 ] || die "must run as root (installs packages and starts daemons)"
[ -r /etc/debian_version ] || die "needs Debian 12 (apt, dpkg)"

# One horde-up.sh / horde-down.sh at a time on this machine (several sessions share the fixture).
# fd 9 holds the lock; every daemon is started with 9>&- so none of them inherits it.
install -d -m 755 "$RUN"
exec 9>>"$RUN/.lock"
flock -w 300 9 || die "another horde-up.sh/horde-down.sh has held $RUN/.lock for 300 s"
export HORDE_LOCK_HELD=1

for v in HORDE_PORT HORDE_IMAP_PORT HORDE_WORKERS HORDE_HB_MIN HORDE_HB_MAX HORDE_HB_DEFAULT HORDE_WAIT_INTERVAL \
  HORDE_HB_FORCED HORDE_IMAP_MAX_USERIP HORDE_AUTH_FAILURE_DELAY HORDE_READY_TIMEOUT; do
  [[ ${!v} =~ ^[0-9]+$ ]] || die "$v must be a non-negative integer, got '${!v}'"
done
[ "$HORDE_WORKERS" -ge 1 ] || die "HORDE_WORKERS must be >= 1"
[ "$HORDE_HB_MIN" -ge 1 ] && [ "$HORDE_HB_MIN" -le "$HORDE_HB_MAX" ] || die "want 1 <= HORDE_HB_MIN <= HORDE_HB_MAX"
[ "$HORDE_HB_MAX" -le 3540 ] || say "warning: HORDE_HB_MAX=$HORDE_HB_MAX is above 3540, the largest value Horde documents"
[ "$HORDE_WAIT_INTERVAL" -ge 1 ] || die "HORDE_WAIT_INTERVAL must be >= 1"
case $HORDE_PROVISIONING in none | loose | force) ;; *) die "HORDE_PROVISIONING must be none, loose or force" ;; esac
[[ $HORDE_PROVISIONING_PREFIX =~ ^[A-Za-z0-9]*$ ]] || die "HORDE_PROVISIONING_PREFIX must be alphanumeric"
case $HORDE_EAS_LOG in 0 | 1) ;; *) die "HORDE_EAS_LOG must be 0 or 1" ;; esac

# ---------------------------------------------------------------- helpers --
# shellcheck source=scripts/fixture-lib.sh
. "$SCRIPT_DIR/fixture-lib.sh"
stop_component() { bash "$SCRIPT_DIR/horde-down.sh" "$@" >&2 || die "could not stop $*"; }
php_str() { local s=${1//\\/\\\\}; printf "'%s'" "${s//\'/\\\'}"; } # a PHP single-quoted literal

# --------------------------------------------------------------- packages --
# shellcheck source=scripts/apt-install.sh
. "$SCRIPT_DIR/apt-install.sh"
mapfile -t missing < <(missing_packages "${PKGS[@]}")
if [ ${#missing[@]} -gt 0 ]; then
  tn=$(date +%s%N)
  install -d -m 755 "$LOGS"
  say "installing: ${missing[*]} (apt log: $LOGS/apt.log)"
  apt_install "$LOGS/apt.log" horde-up.sh "${missing[@]}"
  say "installed in $(secs_since "$tn") s"
fi
for p in "${PKGS[@]}"; do pkg_ok "$p" || die "package $p is still not installed"; done
# php8.2 depends on "libapache2-mod-php8.2 | php8.2-fpm | ...": apt picks mod_php and apache2-bin.
APACHE=/usr/sbin/apache2
MODS=/usr/lib/apache2/modules
MODPHP=$(ls "$MODS"/libphp8*.so 2>/dev/null | sort -V | tail -n1 || true)
[ -x "$APACHE" ] && [ -n "$MODPHP" ] || die "apache2-bin / libapache2-mod-php missing (expected with php-horde)"
[ -r /usr/share/horde/rpc.php ] && [ -r "$HORDE_ETC/horde/conf.xml" ] || die "Horde is not where Debian puts it (/usr/share/horde, /etc/horde)"
getent passwd vmail >/dev/null || useradd --system --user-group --no-create-home \
  --home-dir "$STATE/mail" --shell /usr/sbin/nologin vmail
VMAIL_UID=$(id -u vmail)
VMAIL_GID=$(id -g vmail)

# ------------------------------------------------------------------ reset --
if [ "$HORDE_RESET" = 1 ]; then
  say "HORDE_RESET=1: stopping everything and wiping $STATE"
  stop_component
  rm -rf "$STATE/db" "$STATE/mail" "$STATE/dovecot" "$STATE/cache" "$STATE/tmp" "$STATE/sessions" "$APPLIED"
fi

# ------------------------------------------------------------ directories --
install -d -m 755 "$STATE" "$LOGS" "$ETC" "$RUN" "$APPLIED" "$STATE/dovecot" "$RUN/dovecot" "$RUN/apache2" "$STATE/www"
install -d -m 750 -o vmail -g vmail "$STATE/mail"
install -d -m 750 -o www-data -g www-data "$STATE/db" "$STATE/cache" "$STATE/tmp" "$STATE/sessions"
install -d -m 755 -o www-data -g www-data "$LOGS/eas"
for f in horde.log php.log; do touch "$LOGS/$f"; chown www-data:www-data "$LOGS/$f"; done

# ------------------------------------------------------------- users list --
USERS=()
PASSWORDS=()
for entry in $HORDE_TEST_USERS; do
  u=${entry%%:*} pw=${entry#*:}
  [[ $entry == *:* && $u =~ ^[a-z0-9][a-z0-9._-]*$ && -n $pw && $pw != *:* && $pw != *\'* ]] ||
    die "bad HORDE_TEST_USERS entry '$entry' (want user:password, lowercase user, no ':' or quote in password)"
  USERS+=("$u")
  PASSWORDS+=("$pw")
done
[ ${#USERS[@]} -gt 0 ] || die "HORDE_TEST_USERS is empty"

started=()

# ---------------------------------------------------------------- Dovecot --
passwd=""
for i in "${!USERS[@]}"; do passwd+="${USERS[$i]}:{PLAIN}${PASSWORDS[$i]}::::::"$'\n'; done
write_file "$ETC/dovecot.passwd" 640 "root:dovecot" "${passwd%$'\n'}"
dv_conf="# generated by scripts/horde-up.sh — standalone; /etc/dovecot is not used
base_dir = $RUN/dovecot
state_dir = $STATE/dovecot
instance_name = horde-test
listen = 127.0.0.1
protocols = imap
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = ${HORDE_AUTH_FAILURE_DELAY}s
log_path = $LOGS/dovecot.log
mail_location = maildir:$STATE/mail/%u/Maildir
mail_uid = $VMAIL_UID
mail_gid = $VMAIL_GID
first_valid_uid = $VMAIL_UID
last_valid_uid = $VMAIL_UID
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
    port = $HORDE_IMAP_PORT
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
  # Horde holds one IMAP connection per in-flight EAS request (a held Ping included).
  mail_max_userip_connections = $HORDE_IMAP_MAX_USERIP
}
protocol lda {
  postmaster_address = postmaster@$HORDE_MAIL_DOMAIN
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
}"
write_file "$ETC/dovecot.conf" 644 root:root "$dv_conf"
dv_fp=$(fingerprint "$dv_conf")
dv_pid=$(pid_from "$RUN/dovecot/master.pid" dovecot)
if [ -n "$dv_pid" ] && needs_restart dovecot "$dv_fp"; then
  stop_component dovecot
  dv_pid=
fi
if [ -z "$dv_pid" ]; then
  port_open "$HORDE_IMAP_PORT" && die "port $HORDE_IMAP_PORT is in use by another process (set HORDE_IMAP_PORT)"
  dovecot -c "$ETC/dovecot.conf" </dev/null >>"$LOGS/dovecot.log" 2>&1 9>&- || { show_log "$LOGS/dovecot.log"; die "Dovecot did not start"; }
  wait_until 10 port_open "$HORDE_IMAP_PORT" || { show_log "$LOGS/dovecot.log"; die "Dovecot is not listening on $HORDE_IMAP_PORT"; }
  mark_applied dovecot "$dv_fp"
  started+=(dovecot)
fi
# Create every user's mailboxes now (auto = subscribe), so FolderSync lists them from the start.
for u in "${USERS[@]}"; do
  doveadm -c "$ETC/dovecot.conf" mailbox status -u "$u" messages INBOX >/dev/null 2>>"$LOGS/dovecot.log" ||
    { show_log "$LOGS/dovecot.log"; die "Dovecot cannot open $u's INBOX"; }
done

# --------------------------------------------------------- Horde settings --
# Net_DNS2's file cache dies at PHP shutdown when its file is empty (fread length 0, PHP 8):
# seed it with one entry that never expires, before Horde runs (horde.md, configuration step 7).
write_file "$ETC/prepend.php" 644 root:root "<?php
// generated by scripts/horde-up.sh: keeps Net_DNS2's cache file non-empty (see horde.md)
(static function () {
    \$f = $(php_str "$STATE/tmp/horde_dns.cache") . gethostname();
    clearstatcache(true, \$f);
    if (!is_file(\$f) || filesize(\$f) === 0) {
        @file_put_contents(\$f, serialize(['horde-test-seed' => ['cache_date' => time(), 'ttl' => 2000000000, 'object' => serialize(null)]]), LOCK_EX);
    }
})();"
PHP_CLI=(php -d "sys_temp_dir=$STATE/tmp" -d "session.save_path=$STATE/sessions" -d "auto_prepend_file=$ETC/prepend.php"
  -d display_errors=stderr -d error_reporting=6143)

# 1. conf.php, generated from conf.xml the way Horde's admin UI would (Horde_Config_Form itself is
#    fatal on PHP 8.2). Only when the inputs change: each run makes a new secret_key.
gen_php="<?php
// generated by scripts/horde-up.sh: Horde's conf.php files from their conf.xml
require_once '/usr/share/horde/lib/Application.php';
Horde_Registry::appInit('horde', array('authentication' => 'none', 'cli' => true));
\$vars = new Horde_Variables(array(
    'sql__phptype' => 'sqlite',
    'sql__database' => $(php_str "$DB"),
    'auth__driver' => 'application',
    'auth__params__app' => 'imp',
    'activesync__enabled' => 'true',
    'activesync__storage' => 'Sql',
    'log__enabled' => 'true',
    'log__type' => 'file',
    'log__name' => $(php_str "$LOGS/horde.log"),
    'tmpdir' => $(php_str "$STATE/tmp"),
));
foreach (array_merge(array('horde'), array_slice(\$argv, 1)) as \$app) {
    \$config = new Horde_Config(\$app);
    \$php = \$config->generatePHPConfig(\$app === 'horde' ? \$vars : new Horde_Variables(array()));
    if (file_put_contents('$HORDE_ETC/' . \$app . '/conf.php', \$php) === false) {
        fwrite(STDERR, \"cannot write conf.php of \$app\\n\");
        exit(1);
    }
}"
write_file "$ETC/generate-conf.php" 644 root:root "$gen_php"
horde_version=$(dpkg-query -W -f='${Version}' php-horde 2>/dev/null || true)
conf_fp=$(fingerprint "$gen_php" "$horde_version")
if needs_restart horde-conf "$conf_fp" || [ ! -s "$HORDE_ETC/horde/conf.php" ]; then
  say "generating Horde's conf.php files"
  [ -s "$HORDE_ETC/horde/conf.php" ] || cp "$HORDE_ETC/horde/conf.php.dist" "$HORDE_ETC/horde/conf.php"
  # The apps' own conf.php would be loaded (Gollem's dies) while the horde one is rewritten.
  for a in "${HORDE_APPS[@]}"; do rm -f "$HORDE_ETC/$a/conf.php"; done
  "${PHP_CLI[@]}" "$ETC/generate-conf.php" "${HORDE_APPS[@]}" </dev/null >>"$LOGS/setup.log" 2>&1 ||
    { show_log "$LOGS/setup.log"; die "generating Horde's conf.php failed"; }
  chown -R www-data:www-data "$STATE/db" "$STATE/cache" "$STATE/tmp" "$STATE/sessions" # appInit ran as root
  mark_applied horde-conf "$conf_fp"
fi

# 2. conf.local.php: read after conf.php on every request (no restart needed to change it).
eas_logging="\$conf['activesync']['logging']['type'] = false;"
[ "$HORDE_EAS_LOG" = 1 ] && eas_logging="\$conf['activesync']['logging']['type'] = 'perdevice';
\$conf['activesync']['logging']['path'] = $(php_str "$LOGS/eas");
\$conf['activesync']['logging']['level'] = 1;"
if [ "$HORDE_HB_FORCED" -gt 0 ]; then
  ping_conf="\$conf['activesync']['ping']['deviceping'] = false;
\$conf['activesync']['ping']['forcedheartbeat'] = $HORDE_HB_FORCED;"
else
  ping_conf="\$conf['activesync']['ping']['deviceping'] = true;"
fi
write_file "$HORDE_ETC/horde/conf.local.php" 644 root:root "<?php
// generated by scripts/horde-up.sh (the integration tier's Horde fixture)
\$conf['activesync']['enabled'] = true;
\$conf['activesync']['version'] = '16.0';
\$conf['activesync']['emailsync'] = true;
\$conf['activesync']['auth']['type'] = 'basic';
$ping_conf
\$conf['activesync']['ping']['heartbeatmin'] = $HORDE_HB_MIN;
\$conf['activesync']['ping']['heartbeatmax'] = $HORDE_HB_MAX;
\$conf['activesync']['ping']['heartbeatdefault'] = $HORDE_HB_DEFAULT;
\$conf['activesync']['ping']['waitinterval'] = $HORDE_WAIT_INTERVAL;
$eas_logging
\$conf['use_ssl'] = 0;
\$conf['server']['name'] = '127.0.0.1';
\$conf['server']['port'] = $HORDE_PORT;
\$conf['cookie']['domain'] = '';
\$conf['cookie']['path'] = '/';
\$conf['tmpdir'] = $(php_str "$STATE/tmp");
\$conf['cache']['driver'] = 'File';
\$conf['cache']['params']['dir'] = $(php_str "$STATE/cache");
\$conf['cache']['params']['sub'] = 0;
\$conf['session']['name'] = 'Horde';
\$conf['session']['use_only_cookies'] = true;
\$conf['session']['cache_limiter'] = 'nocache';
\$conf['session']['timeout'] = 0;
\$conf['debug_level'] = E_ERROR;
\$conf['max_exec_time'] = 0;
\$conf['log']['priority'] = 'WARN';"

# 3. Provisioning: the hook decides per device (horde.md, configuration step 3).
write_file "$HORDE_ETC/horde/hooks.php" 644 root:root "<?php
// generated by scripts/horde-up.sh
class Horde_Hooks
{
    /** false = no provisioning, 'loose' = optional, true = forced (449 until provisioned). */
    public function activesync_provisioning_check(\$device, \$user)
    {
        \$prefix = $(php_str "$HORDE_PROVISIONING_PREFIX");
        if (\$prefix !== '' && stripos((string)\$device->id, \$prefix) === 0) {
            return true;
        }
        switch ($(php_str "$HORDE_PROVISIONING")) {
        case 'force': return true;
        case 'loose': return 'loose';
        default: return false;
        }
    }
}"

# 4. IMP's IMAP backend: this fixture's Dovecot, no TLS.
write_file "$HORDE_ETC/imp/backends.local.php" 644 root:root "<?php
// generated by scripts/horde-up.sh
\$servers['imap']['hostspec'] = '127.0.0.1';
\$servers['imap']['port'] = $HORDE_IMAP_PORT;
\$servers['imap']['secure'] = false;
\$servers['imap']['name'] = 'horde-test Dovecot';"

# 5. Schema: Horde_Content's tables first (the other apps' upgrades need them). A failed
#    migration still exits 0, so the output is searched for SQLSTATE.
schema_fp=$(fingerprint "$horde_version" "$DB")
if needs_restart schema "$schema_fp" || [ ! -s "$DB" ]; then
  say "creating Horde's database schema"
  for target in content ""; do
    out=$(runuser -u www-data -- "${PHP_CLI[@]}" /usr/bin/horde-db-migrate $target </dev/null 2>&1) || {
      printf '%s\n' "$out" >>"$LOGS/setup.log"
      show_log "$LOGS/setup.log"
      die "horde-db-migrate $target failed"
    }
    printf '%s\n' "$out" >>"$LOGS/setup.log"
    if grep -q SQLSTATE <<<"$out"; then show_log "$LOGS/setup.log"; die "horde-db-migrate $target: SQL errors"; fi
  done
  mark_applied schema "$schema_fp"
fi

# ----------------------------------------------------------------- Apache --
# A held Ping sends nothing until its end: Apache's Timeout must outlast the longest one.
longest=$((HORDE_HB_MAX > HORDE_HB_FORCED ? HORDE_HB_MAX : HORDE_HB_FORCED))
ap_conf="# generated by scripts/horde-up.sh — standalone; /etc/apache2 is not used
ServerRoot $ETC
Listen 127.0.0.1:$HORDE_PORT
ServerName 127.0.0.1
PidFile $RUN/apache2.pid
DefaultRuntimeDir $RUN/apache2
Mutex file:$RUN/apache2 default
User www-data
Group www-data
LoadModule mpm_prefork_module $MODS/mod_mpm_prefork.so
LoadModule authz_core_module $MODS/mod_authz_core.so
LoadModule alias_module $MODS/mod_alias.so
LoadModule php_module $MODPHP
# Every worker pre-spawned: the fixture's concurrency is exactly HORDE_WORKERS.
StartServers $HORDE_WORKERS
MinSpareServers $HORDE_WORKERS
MaxSpareServers $HORDE_WORKERS
ServerLimit $HORDE_WORKERS
MaxRequestWorkers $HORDE_WORKERS
MaxConnectionsPerChild 0
Timeout $((longest + 300))
KeepAlive On
KeepAliveTimeout 5
ErrorLog $LOGS/apache-error.log
LogLevel warn
LogFormat \"%h %l %u %t \\\"%r\\\" %>s %b %D\" horde
CustomLog $LOGS/apache-access.log horde
DocumentRoot $STATE/www
<Directory />
  AllowOverride None
  Require all denied
</Directory>
Alias /Microsoft-Server-ActiveSync /usr/share/horde/rpc.php
Alias /autodiscover/autodiscover.xml /usr/share/horde/rpc.php
<Directory /usr/share/horde>
  <Files rpc.php>
    Require all granted
    SetHandler application/x-httpd-php
  </Files>
</Directory>
php_admin_flag display_errors off
php_admin_flag log_errors on
php_admin_value error_log $LOGS/php.log
php_admin_value error_reporting 6143
php_admin_value max_execution_time 0
php_admin_value session.save_path $STATE/sessions
php_admin_value sys_temp_dir $STATE/tmp
php_admin_value upload_tmp_dir $STATE/tmp
php_admin_value auto_prepend_file $ETC/prepend.php"
write_file "$ETC/apache2.conf" 644 root:root "$ap_conf"
ap_fp=$(fingerprint "$ap_conf" "$MODPHP")
ap_pid=$(pid_from "$RUN/apache2.pid" apache2)
if [ -n "$ap_pid" ] && needs_restart apache "$ap_fp"; then
  say "Apache configuration changed: restarting it"
  stop_component apache
  ap_pid=
fi
if [ -z "$ap_pid" ]; then
  port_open "$HORDE_PORT" && die "port $HORDE_PORT is in use by another process (set HORDE_PORT)"
  rm -f "$RUN/apache2.pid"
  env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C "$APACHE" -f "$ETC/apache2.conf" -k start \
    </dev/null >>"$LOGS/apache-error.log" 2>&1 9>&- || { show_log "$LOGS/apache-error.log"; die "Apache did not start"; }
  apache_up() { [ -n "$(pid_from "$RUN/apache2.pid" apache2)" ] && port_open "$HORDE_PORT"; }
  wait_until 15 apache_up || { show_log "$LOGS/apache-error.log"; die "Apache is not listening on 127.0.0.1:$HORDE_PORT"; }
  mark_applied apache "$ap_fp"
  started+=(apache)
fi

# -------------------------------------------------------------- readiness --
EAS_URL="http://127.0.0.1:$HORDE_PORT/Microsoft-Server-ActiveSync"
eas_ready() {
  local code
  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 20 -X OPTIONS \
    -u "${USERS[0]}:${PASSWORDS[0]}" -H 'MS-ASProtocolVersion: 14.1' "$EAS_URL" 2>/dev/null) || true
  [ "$code" = 200 ]
}
if ! wait_until "$HORDE_READY_TIMEOUT" eas_ready; then
  show_log "$LOGS/apache-error.log"
  show_log "$LOGS/php.log"
  show_log "$LOGS/horde.log" 10
  die "EAS OPTIONS $EAS_URL did not answer 200 within ${HORDE_READY_TIMEOUT}s"
fi

# For the test helpers: where things are (parsed by test/integration/helpers/horde.ts).
write_file "$STATE/fixture.env" 644 root:root "HORDE_EAS_URL=$EAS_URL
HORDE_TEST_USERS=$HORDE_TEST_USERS
HORDE_MAIL_DOMAIN=$HORDE_MAIL_DOMAIN
HORDE_IMAP_PORT=$HORDE_IMAP_PORT
HORDE_DOVECOT_CONF=$ETC/dovecot.conf
HORDE_ACCESS_LOG=$LOGS/apache-access.log
HORDE_HB_MIN=$HORDE_HB_MIN
HORDE_HB_MAX=$HORDE_HB_MAX
HORDE_HB_DEFAULT=$HORDE_HB_DEFAULT
HORDE_HB_FORCED=$HORDE_HB_FORCED
HORDE_WAIT_INTERVAL=$HORDE_WAIT_INTERVAL
HORDE_PROVISIONING=$HORDE_PROVISIONING
HORDE_PROVISIONING_PREFIX=$HORDE_PROVISIONING_PREFIX
HORDE_WORKERS=$HORDE_WORKERS
HORDE_IMAP_MAX_USERIP=$HORDE_IMAP_MAX_USERIP"

if [ ${#started[@]} -gt 0 ]; then
  say "started: ${started[*]} ($(secs_since "$T0") s)"
else
  say "already running ($(secs_since "$T0") s)"
fi
echo "HORDE_EAS_URL=$EAS_URL"
