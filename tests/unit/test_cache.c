/* test_cache.c - the content hash a site's cache keeps (XXH64). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cache.h"
#include "tap.h"

int main(void)
{
    const char *s = "Nobody inspects the spammish repetition";
    unsigned char seq[100];

    plan(6);
    for (size_t i = 0; i < sizeof(seq); i++)
        seq[i] = (unsigned char)i;
    /* The published XXH64 check values (seed 0). */
    ok(cache_hash("", 0, 0) == 0xEF46DB3751D8E999ULL, "XXH64 of nothing");
    ok(cache_hash("abc", 3, 0) == 0x44BC2CF5AD770999ULL, "XXH64 of \"abc\"");
    ok(cache_hash(s, strlen(s), 0) == 0xFBCEA83C8A378BF1ULL,
       "XXH64 of 39 bytes (the 32-byte stripes)");
    ok(cache_hash(seq, sizeof(seq), 0) != cache_hash(seq, sizeof(seq), 1),
       "the seed counts");
    {
        /* A file is hashed a piece at a time: the same hash. */
        size_t n = 3 * (1 << 20) + 11;
        char *big = malloc(n), path[] = "/tmp/test_cache.XXXXXX";
        int fd = mkstemp(path);
        uint64_t h = 0;

        for (size_t i = 0; i < n; i++)
            big[i] = (char)(i * 7 + i / 1000);
        ok(fd >= 0 && write(fd, big, n) == (ssize_t)n && !close(fd) &&
               !cache_hash_path(path, &h) && h == cache_hash(big, n, 0),
           "a file hashed in pieces: the same hash");
        unlink(path);
        free(big);
    }
    seq[77] ^= 1;
    ok(cache_hash(seq, sizeof(seq), 0) != 0x6AC1E58032166597ULL,
       "one bit changed, another hash");
    return done();
}
