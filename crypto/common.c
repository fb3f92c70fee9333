/* Library initialisation, error strings and wiping. */
#include <sodium.h>

#include "crypto/group_impl.h"
#include "crypto/internal.h"
#include "crypto/vy_common.h"

static const char *const err_strings[VY_ERR__COUNT] = {
	[VY_OK] = "success",
	[VY_ERR_ARG] = "invalid argument (programming error)",
	[VY_ERR_NOMEM] = "out of memory",
	[VY_ERR_LIB] = "an underlying library failed",
	[VY_ERR_LENGTH] = "encoding has the wrong length",
	[VY_ERR_NONCANONICAL] = "encoding is not canonical",
	[VY_ERR_NOT_IN_GROUP] = "not an element of the prime-order group",
	[VY_ERR_IDENTITY] = "identity element not allowed here",
	[VY_ERR_SCALAR_RANGE] = "scalar is not less than the group order",
	[VY_ERR_SCALAR_ZERO] = "scalar is zero",
	[VY_ERR_PROOF] = "proof does not verify",
	[VY_ERR_SHARE] = "share does not match its commitments",
	[VY_ERR_DLOG_RANGE] = "discrete logarithm outside the searched range",
	[VY_ERR_VALUE_RANGE] = "value outside the allowed range",
	[VY_ERR_INDEX] = "share index is zero, repeated or out of range",
	[VY_ERR_SIGNATURE] = "signature does not verify",
};

const char *vy_err_str(vy_err e)
{
	if ((unsigned)e >= VY_ERR__COUNT || err_strings[e] == NULL)
		return "unknown error";
	return err_strings[e];
}

void vy_wipe(void *p, size_t n)
{
	sodium_memzero(p, n);
}

/* The built-in groups live here; vy_group_by_id hands out pointers to them. */
vy_group vy_builtin_ristretto255;
vy_group vy_builtin_modp4096;
static int initialised;

vy_err vy_init(void)
{
	vy_err err;

	if (initialised)
		return VY_OK;
	if (sodium_init() < 0)
		return VY_ERR_LIB;
	vy_gmp_use_wiping_allocator();
	err = vy_ristretto255_init(&vy_builtin_ristretto255);
	if (err != VY_OK)
		return err;
	err = vy_modp4096_init(&vy_builtin_modp4096);
	if (err != VY_OK)
		return err;
	initialised = 1;
	return VY_OK;
}
