/* Reading the vector files of test/vectors/firmware: one case a line, space-separated tokens, `#` comments. */
#ifndef TAP_TEST_VECTORS_H
#define TAP_TEST_VECTORS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define VEC_MAX_TOKENS 1024

typedef struct {
    FILE *f;
    char *line;
    size_t cap;
    unsigned lineno;
    char *tok[VEC_MAX_TOKENS];
    size_t n, at;
    const char *name;
} vec_file;

/* Opens TAP_VECTORS/name; fails the test when it is missing. */
void vec_open(vec_file *v, const char *name);
/* The next case (false at the end); its tokens are then read in order with the vec_ functions. */
bool vec_next(vec_file *v);
void vec_close(vec_file *v);

const char *vec_str(vec_file *v);
bool vec_is(vec_file *v, const char *word); /* the next token equals word (and is consumed if so) */
uint64_t vec_u64(vec_file *v);
/* Hex into out (at most cap bytes), returns its length; "." is empty. Fails the test on "-". */
size_t vec_hex(vec_file *v, uint8_t *out, size_t cap);
/* Exactly n bytes of hex. */
void vec_hexn(vec_file *v, uint8_t *out, size_t n);
/* "-" gives false and consumes it; otherwise reads like vec_hex. */
bool vec_opt_hex(vec_file *v, uint8_t *out, size_t cap, size_t *len);
/* Where a failing case is: "file:line". */
const char *vec_where(const vec_file *v);

#endif
