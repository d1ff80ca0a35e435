#!/bin/bash
# Builds the .deb with CPack, installs it on this machine with dpkg -i, checks
# what an admin sees after installing (binary, valid placeholder config,
# service user, state directory, units present but disabled, conffiles), then
# purges it and checks that nothing is left.
# Needs root and dpkg (CI runs as root); exits 77 (skipped) otherwise.
# Usage: deb_install.sh BUILD_DIR WORK_DIR
set -euo pipefail

build_dir=$1
work_dir=$2

if [[ $(id -u) -ne 0 ]]; then echo "SKIP: needs root to install a package"; exit 77; fi
for tool in dpkg dpkg-deb cpack flock; do
    command -v "$tool" >/dev/null || { echo "SKIP: $tool is missing"; exit 77; }
done

# One package install at a time on this machine (two build trees testing at once).
exec 9>/run/lock/ewstrigd-deb-install-test.lock
flock -w 300 9

# A run killed before its cleanup (a ctest timeout) left its package behind:
# this marker says the installation is ours to purge.
marker=/var/tmp/ewstrigd-deb-install-test.installed
if [[ -e $marker ]]; then
    echo "purging the package a previous run of this test left installed"
    dpkg --purge ewstrigd >/dev/null 2>&1 || true
    rm -f "$marker"
fi

# Never touch a real installation or a user that was there before.
if dpkg-query -W -f='${Status}' ewstrigd 2>/dev/null | grep -q 'installed\|config-files'; then
    echo "SKIP: an ewstrigd package is already installed here; not touching it"
    exit 77
fi
if getent passwd ewstrigd >/dev/null || getent group ewstrigd >/dev/null || [[ -e /var/lib/ewstrigd ]] || [[ -e /etc/ewstrigd ]]; then
    echo "SKIP: ewstrigd user, group, /var/lib/ewstrigd or /etc/ewstrigd exists already; not touching it"
    exit 77
fi

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
cleanup() {
    if [[ -e $marker ]]; then
        dpkg --purge ewstrigd >/dev/null 2>&1 || true
        rm -f "$marker"
    fi
}
trap cleanup EXIT
trap "exit 1" INT TERM HUP  # so that EXIT runs the cleanup

rm -rf "$work_dir" && mkdir -p "$work_dir"
(cd "$work_dir" && cpack -G DEB --config "$build_dir/CPackConfig.cmake" -B "$work_dir" >cpack.log 2>&1) || {
    cat "$work_dir/cpack.log"; echo "FAIL: cpack"; exit 1; }
deb=$(ls "$work_dir"/ewstrigd_*.deb)
echo "built $(basename "$deb") ($(du -k "$deb" | cut -f1) KiB)"

depends=$(dpkg-deb -f "$deb" Depends)
echo "Depends: $depends"
[[ $depends == *libc6* ]] || fail "Depends has no shared library dependencies (dpkg-shlibdeps): $depends"
[[ $(dpkg-deb -f "$deb" Package) == ewstrigd ]] || fail "package name"

touch "$marker"
dpkg -i "$deb" >"$work_dir/install.log" 2>&1 || { cat "$work_dir/install.log"; fail "dpkg -i"; exit 1; }
grep -q "not enabled or started" "$work_dir/install.log" || fail "postinst does not say the service is left disabled"

/usr/bin/ewstrigd --version | grep -q '^ewstrigd [0-9]' || fail "ewstrigd --version"
/usr/bin/ewstrigd check -c /etc/ewstrigd/ewstrigd.yaml || fail "the shipped config does not pass ewstrigd check"

getent passwd ewstrigd >/dev/null || fail "no user ewstrigd"
getent group ewstrigd >/dev/null || fail "no group ewstrigd"
shell=$(getent passwd ewstrigd | cut -d: -f7)
[[ $shell == */nologin || $shell == /bin/false ]] || fail "user ewstrigd has a login shell: $shell"
(( $(id -u ewstrigd) < 1000 )) || fail "ewstrigd is not a system user"
[[ $(stat -c '%a %U %G' /var/lib/ewstrigd) == "700 ewstrigd ewstrigd" ]] ||
    fail "/var/lib/ewstrigd is $(stat -c '%a %U %G' /var/lib/ewstrigd), wanted 700 ewstrigd ewstrigd"
[[ $(stat -c '%a %U %G' /etc/ewstrigd) == "750 root ewstrigd" ]] ||
    fail "/etc/ewstrigd is $(stat -c '%a %U %G' /etc/ewstrigd), wanted 750 root ewstrigd"
# The service user must be able to read its config (ExecStartPre= runs check as it).
setpriv --reuid=ewstrigd --regid=ewstrigd --init-groups \
    /usr/bin/ewstrigd check -c /etc/ewstrigd/ewstrigd.yaml >/dev/null || fail "user ewstrigd cannot check the config"

unit_dir=$(pkg-config systemd --variable=systemdsystemunitdir 2>/dev/null || echo /lib/systemd/system)
for unit in ewstrigd.service ewstrigd@.service; do
    [[ -f $unit_dir/$unit ]] || fail "$unit not in $unit_dir"
done
state=$(systemctl is-enabled ewstrigd.service 2>&1 || true)
[[ $state == disabled ]] || fail "systemctl is-enabled ewstrigd says '$state', wanted disabled"
if compgen -G "/etc/systemd/system/*.wants/ewstrigd*" >/dev/null; then fail "an enablement symlink exists"; fi
if command -v systemd-analyze >/dev/null; then
    systemd-analyze verify "$unit_dir/ewstrigd.service" >"$work_dir/verify.log" 2>&1 ||
        { cat "$work_dir/verify.log"; fail "systemd-analyze verify of the installed unit"; }
fi

conffiles=$(dpkg-query --showformat='${Conffiles}\n' --show ewstrigd)
for f in /etc/ewstrigd/ewstrigd.yaml /etc/ewstrigd/triggers.d/example.yaml; do
    grep -q " $f " <<<"$conffiles" || fail "$f is not a conffile"
done
gzip -t /usr/share/man/man1/ewstrigd.1.gz 2>/dev/null || fail "no gzipped man page (Debian policy 12.3)"
[[ -f /usr/share/doc/ewstrigd/operations.md ]] || fail "no docs"
[[ -f /usr/share/ewstrigd/ewstrigd.schema.json ]] || fail "no schema"
[[ -f /usr/lib/sysusers.d/ewstrigd.conf && -f /usr/lib/tmpfiles.d/ewstrigd.conf ]] || fail "no sysusers.d/tmpfiles.d"

# A removal keeps state and user; the purge removes them.
touch /var/lib/ewstrigd/state.db
dpkg --remove ewstrigd >/dev/null || fail "dpkg --remove"
[[ -e /var/lib/ewstrigd/state.db ]] || fail "dpkg --remove deleted the state"
getent passwd ewstrigd >/dev/null || fail "dpkg --remove deleted the user"
[[ ! -e /usr/bin/ewstrigd ]] || fail "dpkg --remove left /usr/bin/ewstrigd"

dpkg --purge ewstrigd >/dev/null || fail "dpkg --purge"
for path in /usr/bin/ewstrigd /etc/ewstrigd /var/lib/ewstrigd "$unit_dir/ewstrigd.service" "$unit_dir/ewstrigd@.service" \
            /usr/share/doc/ewstrigd /usr/share/ewstrigd /usr/lib/sysusers.d/ewstrigd.conf; do
    [[ ! -e $path ]] || fail "$path is left after the purge"
done
! getent passwd ewstrigd >/dev/null || fail "user ewstrigd is left after the purge"
! getent group ewstrigd >/dev/null || fail "group ewstrigd is left after the purge"
! dpkg-query -W ewstrigd >/dev/null 2>&1 || fail "dpkg still knows the package after the purge"

if ((failures > 0)); then echo "$failures check(s) failed"; exit 1; fi
echo "OK: install, checks, remove and purge"
