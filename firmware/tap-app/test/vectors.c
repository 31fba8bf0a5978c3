#define _POSIX_C_SOURCE 200809L
#include "vectors.h"

#include <stdarg.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

void vec_open(vec_file *v, const char *name) {
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", TAP_VECTORS, name);
    memset(v, 0, sizeof *v);
    v->name = name;
    v->f = fopen(path, "r");
    if (!v->f) fail_msg("cannot open %s (run scripts/export-firmware-vectors.ts)", path);
}

bool vec_next(vec_file *v) {
    for (;;) {
        ssize_t got = getline(&v->line, &v->cap, v->f);
        if (got < 0) return false;
        v->lineno++;
        if (got > 0 && v->line[got - 1] == '\n') v->line[got - 1] = 0;
        if (v->line[0] == 0 || v->line[0] == '#') continue;
        v->n = v->at = 0;
        for (char *save = NULL, *t = strtok_r(v->line, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
            if (v->n == VEC_MAX_TOKENS) fail_msg("%s: more than %d tokens", vec_where(v), VEC_MAX_TOKENS);
            v->tok[v->n++] = t;
        }
        return true;
    }
}

void vec_close(vec_file *v) {
    free(v->line);
    if (v->f) fclose(v->f);
}

const char *vec_where(const vec_file *v) {
    static char buf[256];
    snprintf(buf, sizeof buf, "%s:%u", v->name, v->lineno);
    return buf;
}

const char *vec_str(vec_file *v) {
    if (v->at >= v->n) fail_msg("%s: expected another token", vec_where(v));
    return v->tok[v->at++];
}

bool vec_is(vec_file *v, const char *word) {
    if (v->at < v->n && strcmp(v->tok[v->at], word) == 0) {
        v->at++;
        return true;
    }
    return false;
}

uint64_t vec_u64(vec_file *v) {
    const char *s = vec_str(v);
    char *end;
    unsigned long long x = strtoull(s, &end, 10);
    if (*end) fail_msg("%s: expected a decimal integer, got %s", vec_where(v), s);
    return x;
}

static int nibble(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static size_t decode(vec_file *v, const char *s, uint8_t *out, size_t cap) {
    if (strcmp(s, ".") == 0) return 0;
    size_t len = strlen(s);
    if (len % 2 || len / 2 > cap) fail_msg("%s: hex of %zu chars does not fit %zu bytes", vec_where(v), len, cap);
    for (size_t i = 0; i < len / 2; i++) {
        int hi = nibble(s[2 * i]), lo = nibble(s[2 * i + 1]);
        if (hi < 0 || lo < 0) fail_msg("%s: bad hex %s", vec_where(v), s);
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return len / 2;
}

size_t vec_hex(vec_file *v, uint8_t *out, size_t cap) {
    const char *s = vec_str(v);
    if (strcmp(s, "-") == 0) fail_msg("%s: expected bytes, got -", vec_where(v));
    return decode(v, s, out, cap);
}

void vec_hexn(vec_file *v, uint8_t *out, size_t n) {
    size_t got = vec_hex(v, out, n);
    if (got != n) fail_msg("%s: expected %zu bytes, got %zu", vec_where(v), n, got);
}

bool vec_opt_hex(vec_file *v, uint8_t *out, size_t cap, size_t *len) {
    if (vec_is(v, "-")) return false;
    *len = vec_hex(v, out, cap);
    return true;
}
