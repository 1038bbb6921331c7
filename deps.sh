#!/bin/sh
# deps.sh - install the Debian packages Hinge needs to build, test and run
# its demo.  Does nothing when they are all there; needs root otherwise.
set -eu
PKGS="jq python3-sklearn python3-statsmodels chromium build-essential autoconf automake libtool pkg-config
libconfig-dev libsqlite3-dev sqlite3 libpq-dev libcurl4-openssl-dev
libjansson-dev libssl-dev libpcre2-dev liblz4-dev libmicrohttpd-dev libcmocka-dev
postgresql postgresql-contrib postgresql-15-hypopg python3 valgrind util-linux systemd bash-completion
prometheus"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
	echo "deps.sh: missing packages:$missing; run as root or install them" >&2
	exit 5
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
# Debian starts a main cluster on install; Hinge uses private ones only.
if command -v pg_lsclusters >/dev/null; then
	pg_lsclusters -h 2>/dev/null | while read -r v c _; do
		pg_ctlcluster "$v" "$c" stop 2>/dev/null || true
	done
fi
