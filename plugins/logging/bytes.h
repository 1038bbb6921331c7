/*
 * bytes.h - what a byte can be part of, for the loops that look at every
 * byte of every event (scrubbing, normalising): one load from a table
 * where ctype's calls and strchr over a set cost a call each.  ASCII
 * only, as ctype's classes are in the "C" locale the agent runs in.
 */
#ifndef LOGGING_BYTES_H
#define LOGGING_BYTES_H

#include <stdint.h>

enum {
	LG_B_ALNUM = 0x0001,
	LG_B_DIGIT = 0x0002,
	LG_B_HEX = 0x0004,
	LG_B_SPACE = 0x0008,      /* space \t \n \v \f \r */
	LG_B_WORD = 0x0010,       /* a word's: alnum _ */
	LG_B_KEY = 0x0020,        /* a key's: alnum _ - */
	LG_B_TOKEN = 0x0040,      /* a token's: alnum - . _ ~ + / = */
	LG_B_VALUE_END = 0x0080,  /* ends an unquoted value: space , ; & ) } ] " ' */
	LG_B_USER_END = 0x0100,   /* ends a URL's user part: / @ space \t \r \n " ' */
	LG_B_LOCAL = 0x0200,      /* an e-mail's local part: alnum . _ % + - */
	LG_B_PATH_AFTER = 0x0400, /* a path may start after it: space \t = ( : [ , */
	LG_B_PATH_END = 0x0800,   /* ends a path: space " ' ` ) , ; ] : */
};

/* The classes of each byte: read only, filled when the code is loaded
 * (a constructor: no check on the hot path). */
extern uint16_t lg_byte_class[256];

/* Whether c is of any of the classes in what. */
static inline int lg_byte_is(char c, unsigned what)
{
	return (lg_byte_class[(unsigned char)c] & what) != 0;
}

#endif
