/* uuid.c - UUIDv7 and random hex, from libsodium's CSPRNG. */
#include "base/uuid.h"
#include "base/timeutil.h"

#include <sodium.h>
#include <stdint.h>
#include <stdio.h>

void uuid_v7(char out[UUID_STR_LEN])
{
    unsigned char b[16];
    uint64_t ms = (uint64_t)time_now_ms();
    randombytes_buf(b + 6, 10);
    for (int i = 0; i < 6; i++)
        b[i] = (unsigned char)(ms >> (40 - 8 * i));
    b[6] = (unsigned char)(0x70 | (b[6] & 0x0f));
    b[8] = (unsigned char)(0x80 | (b[8] & 0x3f));
    snprintf(out, UUID_STR_LEN,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
             b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
             b[15]);
}

void random_hex(char *out, unsigned n_bytes)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char b[64];
    if (n_bytes > sizeof b)
        n_bytes = sizeof b;
    randombytes_buf(b, n_bytes);
    for (unsigned i = 0; i < n_bytes; i++) {
        out[2 * i] = hex[b[i] >> 4];
        out[2 * i + 1] = hex[b[i] & 15];
    }
    out[2 * n_bytes] = '\0';
}
