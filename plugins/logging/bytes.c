/*
 * bytes.c - the byte classes (see bytes.h).
 */
#include <ctype.h>

#include "bytes.h"

uint16_t lg_byte_class[256];

static void mark(const char *set, uint16_t what)
{
	for (; *set; set++)
		lg_byte_class[(unsigned char)*set] |= what;
}

__attribute__((constructor)) static void fill(void)
{
	for (int c = 0; c < 128; c++) {
		if (isalnum(c))
			lg_byte_class[c] |= LG_B_ALNUM | LG_B_WORD | LG_B_KEY | LG_B_TOKEN | LG_B_LOCAL;
		if (isdigit(c))
			lg_byte_class[c] |= LG_B_DIGIT;
		if (isxdigit(c))
			lg_byte_class[c] |= LG_B_HEX;
		if (isspace(c))
			lg_byte_class[c] |= LG_B_SPACE | LG_B_VALUE_END | LG_B_PATH_END;
	}
	mark("_", LG_B_WORD);
	mark("_-", LG_B_KEY);
	mark("-._~+/=", LG_B_TOKEN);
	mark(",;&)}]\"'", LG_B_VALUE_END);
	mark("/@ \t\r\n\"'", LG_B_USER_END);
	mark("._%+-", LG_B_LOCAL);
	mark(" \t=(:[,", LG_B_PATH_AFTER);
	mark("\"'`),;]:", LG_B_PATH_END);
}
