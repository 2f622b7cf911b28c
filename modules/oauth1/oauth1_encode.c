/* SPDX-License-Identifier: MIT */
/* RFC 5849 section 3.6 percent-encoding and form decoding. libcurl's
 * curl_easy_escape would do the encoding, but a module never links
 * libcurl (DESIGN.md), and the decoding must treat '+' as a space
 * (section 3.4.1.3.1), which curl_easy_unescape does not. */
#include "oauth1_encode.h"

static const char hex_upper[] = "0123456789ABCDEF";

/* RFC 3986 section 2.3 unreserved: the only octets left bare. A table,
 * because signing spends most of its time here. */
#define U1(c) [c] = 1
static const unsigned char unreserved[256] = {
    U1('-'), U1('.'), U1('_'), U1('~'), U1('0'), U1('1'), U1('2'), U1('3'),
    U1('4'), U1('5'), U1('6'), U1('7'), U1('8'), U1('9'), U1('A'), U1('B'),
    U1('C'), U1('D'), U1('E'), U1('F'), U1('G'), U1('H'), U1('I'), U1('J'),
    U1('K'), U1('L'), U1('M'), U1('N'), U1('O'), U1('P'), U1('Q'), U1('R'),
    U1('S'), U1('T'), U1('U'), U1('V'), U1('W'), U1('X'), U1('Y'), U1('Z'),
    U1('a'), U1('b'), U1('c'), U1('d'), U1('e'), U1('f'), U1('g'), U1('h'),
    U1('i'), U1('j'), U1('k'), U1('l'), U1('m'), U1('n'), U1('o'), U1('p'),
    U1('q'), U1('r'), U1('s'), U1('t'), U1('u'), U1('v'), U1('w'), U1('x'),
    U1('y'), U1('z'),
};
#undef U1

static int hex_value(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Octet at s[*i] of a form component, advancing *i past it. */
static unsigned char form_octet(const char *s, size_t n, size_t *i)
{
	unsigned char c = (unsigned char)s[*i];

	if (c == '+') {
		*i += 1;
		return ' ';
	}
	if (c == '%' && n - *i >= 3) {
		int hi = hex_value((unsigned char)s[*i + 1]);
		int lo = hex_value((unsigned char)s[*i + 2]);
		if (hi >= 0 && lo >= 0) {
			*i += 3;
			return (unsigned char)(hi << 4 | lo);
		}
	}
	*i += 1;
	return c;
}

/* Write one octet encoded; 1 when it was escaped. */
static inline size_t encode_octet(char **w, unsigned char c)
{
	char *p = *w;

	if (unreserved[c]) {
		*p = (char)c;
		*w = p + 1;
		return 0;
	}
	p[0] = '%';
	p[1] = hex_upper[c >> 4];
	p[2] = hex_upper[c & 15];
	*w = p + 3;
	return 1;
}

size_t oauth1_encode(struct oauth1_buf *b, const char *s, size_t n)
{
	size_t escaped = 0;
	char *w;

	/* At most three output bytes per input byte. */
	if (n > ((size_t)-1) / 4 || !oauth1_buf_room(b, 3 * n)) {
		b->failed = true;
		return 0;
	}
	w = b->data + b->len;
	/* A plain loop: the strings are short, a libc call per run costs
	 * more than it saves. */
	for (size_t i = 0; i < n; i++)
		escaped += encode_octet(&w, (unsigned char)s[i]);
	*w = '\0';
	b->len = (size_t)(w - b->data);
	return escaped;
}

size_t oauth1_encode_form(struct oauth1_buf *b, const char *s, size_t n)
{
	size_t escaped = 0, i = 0;
	char *w;

	if (n > ((size_t)-1) / 4 || !oauth1_buf_room(b, 3 * n)) {
		b->failed = true;
		return 0;
	}
	w = b->data + b->len;
	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		/* Unreserved octets stand for themselves in both forms. */
		if (unreserved[c]) {
			*w++ = (char)c;
			i++;
		} else {
			escaped += encode_octet(&w, form_octet(s, n, &i));
		}
	}
	*w = '\0';
	b->len = (size_t)(w - b->data);
	return escaped;
}

void oauth1_encode_encoded(struct oauth1_buf *b, const char *s, size_t n)
{
	char *w;

	if (n > ((size_t)-1) / 4 || !oauth1_buf_room(b, 3 * n)) {
		b->failed = true;
		return;
	}
	w = b->data + b->len;
	for (size_t i = 0; i < n; i++) {
		/* Only '%' is not unreserved in an encoded string. */
		*w++ = s[i];
		if (s[i] == '%') {
			*w++ = '2';
			*w++ = '5';
		}
	}
	*w = '\0';
	b->len = (size_t)(w - b->data);
}

void oauth1_decode_form(struct oauth1_buf *b, const char *s, size_t n)
{
	char *w;
	size_t i = 0;

	if (!oauth1_buf_room(b, n))
		return;
	w = b->data + b->len;
	while (i < n)
		*w++ = (char)form_octet(s, n, &i);
	*w = '\0';
	b->len = (size_t)(w - b->data);
}
