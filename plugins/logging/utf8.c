/*
 * utf8.c - repairing text that is not valid UTF-8.
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "utf8.h"

/*
 * The length of the valid sequence at s, 0 when s[0] starts none (the
 * table of RFC 3629, section 4).  The NUL at the end fails every test
 * for a continuation byte, so nothing past it is read.
 */
static size_t seq_len(const unsigned char *s)
{
	unsigned c = s[0], lo, hi;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		return (s[1] & 0xc0) == 0x80 ? 2 : 0;
	if (c >= 0xe0 && c <= 0xef) {
		lo = c == 0xe0 ? 0xa0 : 0x80;
		hi = c == 0xed ? 0x9f : 0xbf;
		return s[1] >= lo && s[1] <= hi && (s[2] & 0xc0) == 0x80 ? 3 : 0;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		lo = c == 0xf0 ? 0x90 : 0x80;
		hi = c == 0xf4 ? 0x8f : 0xbf;
		return s[1] >= lo && s[1] <= hi && (s[2] & 0xc0) == 0x80 &&
		       (s[3] & 0xc0) == 0x80 ? 4 : 0;
	}
	return 0;
}

int lg_utf8_valid(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n;

	for (; *p; p += n) {
		/* ASCII runs are the common case */
		while (*p && *p < 0x80)
			p++;
		if (!*p)
			break;
		if ((n = seq_len(p)) == 0)
			return 0;
	}
	return 1;
}

char *lg_utf8_repair(char *s)
{
	static const char replacement[] = "\xef\xbf\xbd"; /* U+FFFD */
	struct lg_buf b = { 0 };
	const unsigned char *p = (const unsigned char *)s;
	size_t n;

	if (!s || lg_utf8_valid(s))
		return s;
	while (*p) {
		if ((n = seq_len(p)) == 0) {
			lg_buf_adds(&b, replacement);
			p++;
		} else {
			lg_buf_add(&b, (const char *)p, n);
			p += n;
		}
	}
	free(s);
	return lg_buf_take(&b);
}
