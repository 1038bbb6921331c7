#!/bin/sh
# The shipped files: every command in hinge(1) and the completion, every
# setting in hinge.conf(5); `make install` puts everything in place; the
# installed sample passes `config check`; systemd accepts the unit and
# rates its exposure at 2.0 or lower.
. "$HINGE_SRCDIR/tests/lib/tap.sh"
. "$HINGE_SRCDIR/tests/lib/hinge.sh"
hinge_tmp
TAP_LOG=$T/log
man1=$HINGE_SRCDIR/config/hinge.1
comp=$HINGE_SRCDIR/config/hinge.bash-completion
man5=$HINGE_BUILDDIR/config/hinge.conf.5

for cmd in $("$HINGE" --help | sed -n 's/^  \([a-z][a-z-]*\).*/\1/p'); do
	ok "hinge(1) documents $cmd" grep -q "^\.BI\{0,1\} \"\{0,1\}$cmd" "$man1"
	ok "the completion knows $cmd" grep -q "commands=\".*\\b$cmd\\b" "$comp"
done
for key in $(sed -n 's/^	{ "\([a-z_]*\)", HINGE_T_.*/\1/p' "$HINGE_SRCDIR/agent/config_agent.c"); do
	ok "hinge.conf(5) documents agent.$key" grep -qx "\.B $key" "$man5"
done
# Every plugin built in this tree, with every key of its settings table.
plugin_dirs=""
for so in "$HINGE_BUILDDIR"/plugins/*/.libs/*.so; do
	[ -e "$so" ] || continue
	name=$(basename "$so" .so)
	plugin_dirs="$plugin_dirs \"$(dirname "$so")\","
	ok "hinge.conf(5) has a section for plugin $name" grep -qx "\.SH PLUGIN $name" "$man5"
done

ok "make install" make -C "$HINGE_BUILDDIR" DESTDIR="$T/root" install
prefix=$(sed -n 's/^prefix = //p' "$HINGE_BUILDDIR/Makefile")
sysconf=$(sed -n 's/^sysconfdir = //p' "$HINGE_BUILDDIR/Makefile" | sed "s|\${prefix}|$prefix|")
root=$T/root$prefix
for f in "$root/bin/hinge" "$root/include/hinge/plugin.h" "$root/lib/pkgconfig/hinge.pc" \
	"$root/share/man/man1/hinge.1" "$root/share/man/man5/hinge.conf.5" \
	"$root/share/bash-completion/completions/hinge" "$root/lib/systemd/system/hinge.service" \
	"$T/root$sysconf/hinge/hinge.conf"; do
	ok "installed: ${f#"$T"/root}" test -s "$f"
done
# The sample, pointed at the staged tree instead of the real prefix.
sed -e "s|\"$prefix|\"$T/root$prefix|g" -e "s|state_db = \".*\"|state_db = \"$T/state.db\"|" \
	"$T/root$sysconf/hinge/hinge.conf" >"$T/sample.conf"
expect_exit "the installed sample passes config check" 0 "$root/bin/hinge" -c "$T/sample.conf" config check

unit=$T/hinge.service
sed "s|ExecStart=$prefix/bin/hinge|ExecStart=$root/bin/hinge|" "$root/lib/systemd/system/hinge.service" >"$unit"
ok "systemd-analyze verify accepts the unit" systemd-analyze verify --man=no "$unit"
exposure=$(systemd-analyze security --offline=yes "$unit" 2>/dev/null | sed -n 's/.*Overall exposure level for hinge.service: \([0-9.]*\).*/\1/p')
ok "systemd-analyze security rates the unit at 2.0 or lower (got ${exposure:-nothing})" \
	awk -v e="${exposure:-99}" 'BEGIN { exit !(e <= 2.0) }'
done_testing
