/* uuid.h - UUIDv7 (RFC 9562): 48-bit ms timestamp then random bits, so ids sort by
 * creation time. Thread-safe (randomness from libsodium). */
#ifndef TODO_BASE_UUID_H
#define TODO_BASE_UUID_H

#define UUID_STR_LEN 37 /* 36 characters and the NUL */

/* Writes a new UUIDv7 in canonical lower-case form. */
void uuid_v7(char out[UUID_STR_LEN]);
/* Writes n random bytes as 2n lower-case hex characters plus NUL into out. */
void random_hex(char *out, unsigned n_bytes);

#endif
