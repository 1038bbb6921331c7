#!/bin/sh
# A third party builds a plugin from the installed header and hinge.pc
# alone, and the agent loads it and calls it.
. "$HINGE_SRCDIR/tests/lib/tap.sh"
. "$HINGE_SRCDIR/tests/lib/hinge.sh"
hinge_tmp
TAP_LOG=$T/log
ok "install the header and hinge.pc" make -C "$HINGE_BUILDDIR" DESTDIR="$T/root" \
	install-pkgincludeHEADERS install-pkgconfigDATA
pc=$(dirname "$(find "$T/root" -name hinge.pc)")
mkdir "$T/src" "$T/plugins"
cat >"$T/src/thirdparty.c" <<'C'
#include <stdio.h>
#include <hinge/plugin.h>

static const struct hinge_host *host;

static int read_seven(void *data, const struct hinge_mquery *q, double *out)
{
	(void)data; (void)q;
	*out = 7;
	return 0;
}

static int greet(void *data, struct hinge_command *c, int argc, char **argv)
{
	(void)data; (void)c; (void)argc; (void)argv;
	printf("third party says hi\n");
	return 0;
}

static int init(struct hinge_plugin *p, const struct hinge_host *h)
{
	static const struct hinge_metric m = { .name = "seven", .read = read_seven };
	static const struct hinge_cmd c = { .name = "greet", .usage = "greet", .run = greet };

	host = h;
	if (h->register_metric(p, &m) != 0)
		return -1;
	return h->register_command(p, &c);
}

static const struct hinge_abi abi = {
	HINGE_ABI_INIT, .name = "thirdparty", .version = "0.1", .init = init,
};

const struct hinge_abi *hinge_plugin_entry(void) { return &abi; }
C
cflags=$(PKG_CONFIG_PATH=$pc PKG_CONFIG_SYSROOT_DIR=$T/root pkg-config --cflags hinge)
ok "pkg-config gives the include folder" test -f "$(echo "$cflags" | sed 's/^-I//; s/ *$//')/hinge/plugin.h"
# shellcheck disable=SC2086
ok "the plugin builds with nothing but the installed files" \
	cc -Wall -Wextra -Werror -shared -fPIC $cflags -o "$T/plugins/thirdparty.so" "$T/src/thirdparty.c"
hinge_conf "$T/hinge.conf" 'plugins: { thirdparty: { enabled = true; }; };'
sed -i "s|\"$TEST_PLUGINS\"|\"$T/plugins\"|" "$T/hinge.conf"
is "its command runs" "$(H greet)" "third party says hi"
is "its metric reads" "$(H --json metrics | python3 -c 'import json,sys; print(json.load(sys.stdin)["metrics"][0]["value"])')" "7.0"
done_testing
