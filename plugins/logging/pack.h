/*
 * pack.h - a chunk's bodies compressed for the spool, as one LZ4 frame.
 *
 * A tail round's bodies are a megabyte of JSON lines that repeat their
 * keys and shared values; packed they are a fifth of that, and the
 * spool's writes, checkpoints, reads and deletes all go by bytes.  The
 * frame holds the text's length and a checksum per block of 64 KiB,
 * each block packed on its own, so that a block damaged on disk is found
 * and the blocks before it still read (the reading stops there).
 */
#ifndef LOGGING_PACK_H
#define LOGGING_PACK_H

#include <stddef.h>

/* Bodies shorter than this are stored as text: small chunks (an agent
 * event, a few task rows) gain little, and stay readable with sqlite3. */
#define LG_PACK_MIN 65536

/*
 * text (len bytes, at least one: an empty text's frame reads as damaged)
 * as one frame into *out, malloc'ed, of *out_len bytes.  Returns 0, or
 * HINGE_ENOMEM.
 */
int lg_pack(const char *text, size_t len, void **out, size_t *out_len);

/*
 * The text of a frame that lg_pack made, malloc'ed and NUL-terminated
 * into *text, its length (without the NUL) in *len.  Returns 0; 1 when
 * the frame is damaged (*text then holds what its whole blocks before
 * the damage gave, possibly nothing); or HINGE_ENOMEM.
 */
int lg_unpack(const void *frame, size_t frame_len, char **text, size_t *len);

#endif
