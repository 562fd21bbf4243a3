/*
 * url.c - the one check for a site's address (base_url in hearth.yaml and
 * `hearth build --base-url`). Every page link, enclosure and the podcast
 * GUID are made from it, so it is read strictly as an http or https URL:
 * a host, an optional port and path, and nothing a feed or a page could
 * misread (credentials, spaces, quotes, a query, a fragment).
 */
#include "core.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Characters that never belong in an address we publish under. */
static bool bad_char(unsigned char c)
{
	return c <= 0x20 || c >= 0x7f || strchr("\"'<>\\`{}|^", c);
}

/* A DNS name: labels of letters, digits and '-', not starting or ending with '-'. */
static bool hostname_ok(const char *h, size_t n)
{
	size_t label = 0;
	if (n == 0 || n > 253)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)h[i];
		if (c == '.') {
			if (label == 0 || h[i - 1] == '-')
				return false;
			label = 0;
			continue;
		}
		if (!isalnum(c) && c != '-')
			return false;
		if (c == '-' && label == 0)
			return false;
		if (++label > 63)
			return false;
	}
	return label > 0 && h[n - 1] != '-';
}

static bool all_digits_and_dots(const char *h, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)h[i]) && h[i] != '.')
			return false;
	return true;
}

/* Checks host[0..n) (with its brackets for IPv6) into a message on failure. */
static int check_host(const char *host, size_t n, struct hearth_err *err)
{
	char addr[64];

	if (n == 0)
		return herr(err, HEARTH_EINVAL, "the address has no host name");
	if (host[0] == '[') {
		if (host[n - 1] != ']')
			return herr(err, HEARTH_EINVAL,
				    "the IPv6 address is not closed with ']'");
		struct in6_addr a6;
		if (n - 2 >= sizeof addr)
			return herr(err, HEARTH_EINVAL, "the IPv6 address is not valid");
		memcpy(addr, host + 1, n - 2);
		addr[n - 2] = '\0';
		if (inet_pton(AF_INET6, addr, &a6) != 1)
			return herr(err, HEARTH_EINVAL, "'%s' is not a valid IPv6 address",
				    addr);
		return 0;
	}
	if (all_digits_and_dots(host, n)) {
		struct in_addr a4;
		if (n >= sizeof addr)
			return herr(err, HEARTH_EINVAL, "the IPv4 address is not valid");
		memcpy(addr, host, n);
		addr[n] = '\0';
		if (inet_pton(AF_INET, addr, &a4) != 1)
			return herr(err, HEARTH_EINVAL, "'%s' is not a valid IPv4 address",
				    addr);
		return 0;
	}
	if (!hostname_ok(host, n))
		return herr(err, HEARTH_EINVAL,
			    "the host name must be letters, digits, '-' and dots");
	return 0;
}

static int check_port(const char *p, size_t n, struct hearth_err *err)
{
	long v = 0;
	if (n == 0 || n > 5)
		return herr(err, HEARTH_EINVAL, "the port must be a number from 1 to 65535");
	for (size_t i = 0; i < n; i++) {
		if (!isdigit((unsigned char)p[i]))
			return herr(err, HEARTH_EINVAL,
				    "the port must be a number from 1 to 65535");
		v = v * 10 + (p[i] - '0');
	}
	if (v < 1 || v > 65535)
		return herr(err, HEARTH_EINVAL, "the port must be a number from 1 to 65535");
	return 0;
}

static int check_path(const char *p, struct hearth_err *err)
{
	for (const char *c = p; *c; c++) {
		if (*c != '%')
			continue;
		if (!isxdigit((unsigned char)c[1]) || !isxdigit((unsigned char)c[2]))
			return herr(err, HEARTH_EINVAL,
				    "a '%%' in the path must start an escape like %%20");
		c += 2;
	}
	return 0;
}

int url_check(const char *url, struct hearth_err *err)
{
	const char *auth, *p;

	if (!url || !*url)
		return herr(err, HEARTH_EINVAL, "the address is empty");
	for (p = url; *p; p++)
		if (bad_char((unsigned char)*p))
			return herr(err, HEARTH_EINVAL,
				    "the address holds a space, a quote, an angle bracket, a "
				    "backslash, a control or a non-ASCII character; "
				    "percent-encode it");
	if (!strncasecmp(url, "https://", 8))
		auth = url + 8;
	else if (!strncasecmp(url, "http://", 7))
		auth = url + 7;
	else
		return herr(err, HEARTH_EINVAL, "the address must start with http:// or https://");
	if (strpbrk(url, "?#"))
		return herr(err, HEARTH_EINVAL,
			    "the address must not have a query ('?') or a fragment ('#')");

	size_t an = strcspn(auth, "/");
	const char *path = auth + an;
	if (memchr(auth, '@', an))
		return herr(err, HEARTH_EINVAL,
			    "the address must not hold a user name or password ('user:pass@')");

	/* the host ends at ':' (the port), except inside an IPv6 address's brackets */
	size_t hn = 0;
	if (an && auth[0] == '[') {
		const char *close = memchr(auth, ']', an);
		if (!close)
			return herr(err, HEARTH_EINVAL, "the IPv6 address is not closed with ']'");
		hn = (size_t)(close - auth) + 1;
		if (hn < an && auth[hn] != ':')
			return herr(err, HEARTH_EINVAL,
				    "only a port (':8080') may follow the IPv6 address");
	} else {
		const char *colon = memchr(auth, ':', an);
		hn = colon ? (size_t)(colon - auth) : an;
	}
	int rc = check_host(auth, hn, err);
	if (!rc && hn < an)
		rc = check_port(auth + hn + 1, an - hn - 1, err);
	if (!rc)
		rc = check_path(path, err);
	return rc;
}
