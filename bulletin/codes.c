/* Lookup by prefix (codes.h). */
#include <string.h>

#include "bulletin/codes.h"
#include "protocol/vy_api.h"

#define CROCKFORD "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
#define CROCKFORD_BITS 5u

vyb_prefix_error vyb_prefix_parse(const char *s, size_t *len)
{
	size_t n = 0;

	*len = 0;
	/* Never read past the longest prefix plus one (the string may be long). */
	while (n <= VY_CODE_PREFIX_MAX && s[n] != '\0')
		n++;
	if (n == 0 || n > VY_CODE_PREFIX_MAX)
		return VYB_PREFIX_LENGTH;
	for (size_t i = 0; i < n; i++) {
		if (strchr(CROCKFORD, s[i]) == NULL)
			return VYB_PREFIX_CHARS;
	}
	*len = n;
	return VYB_PREFIX_OK;
}

unsigned vyb_lookup_prefix_len(uint64_t codes)
{
	unsigned p = 1;

	/* codes / 32^(p+1) >= MIN_SET, without division: codes >> 5(p+1) keeps
	 * the integer part, and the comparison with an integer is the same. */
	while (p < VY_CODE_PREFIX_MAX && (codes >> (CROCKFORD_BITS * (p + 1))) >= VY_LOOKUP_MIN_SET)
		p++;
	return p;
}
