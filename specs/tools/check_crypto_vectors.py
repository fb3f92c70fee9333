#!/usr/bin/env python3
"""Independent checker of the project's crypto test vectors.

Written from specs/crypto.md alone, in pure Python 3 (standard library
only): ristretto255 (RFC 9496 section 4, extended Edwards coordinates over
2^255 - 19), the modp4096 group, items, transcripts, the group hash, and
every construction and verification equation of the specification. It
reads specs/vectors/crypto-*.json, recomputes every derived value from the
inputs and verifies every proof. It also reads specs/vectors/ed25519.json
(section 10.4): with its own Ed25519 (RFC 8032 section 5.1) it rebuilds
every vector and checks every verdict with its own code of the
verification rule (10.2), of the key validity rule (10.3) and of RFC 8032's
cofactored check.

Usage: check_crypto_vectors.py [VECTOR_DIR]   (default: specs/vectors next to
this script). Prints "N passed, M failed" and exits 1 if anything failed.
"""

import hashlib
import json
import os
import sys

GENERATED = "by tests/tools/gen_crypto_vectors.c; do not edit"
SPECIFICATION = "specs/crypto.md"

TAG_GROUP = b"vybar/v1/group"
TAG_SCHNORR = b"vybar/v1/schnorr"
TAG_CP = b"vybar/v1/chaum-pedersen"
TAG_RANGE = b"vybar/v1/range"
TAG_SUM = b"vybar/v1/sum-range"

MAX_BRANCHES = 1024


class DecodeError(Exception):
    """A decoding failure, named as in specs/crypto.md section 7."""


# ---------------------------------------------------------------- section 1


def u32be(n):
    return n.to_bytes(4, "big")


def u64be(n):
    return n.to_bytes(8, "big")


def item(b):
    return u32be(len(b)) + b


# --------------------------------------------------------- section 2.1: ristretto255

FP = 2**255 - 19


def finv(x):
    return pow(x, FP - 2, FP)


def is_negative(x):
    return (x % FP) & 1


def fabs(x):
    x %= FP
    return FP - x if is_negative(x) else x


ED_D = (-121665 * finv(121666)) % FP
SQRT_M1 = pow(2, (FP - 1) // 4, FP)


def sqrt_ratio_m1(u, v):
    """RFC 9496 section 4.2: (was_square, r) with r non-negative."""
    u %= FP
    v %= FP
    r = (u * pow(v, 3, FP)) * pow(u * pow(v, 7, FP), (FP - 5) // 8, FP) % FP
    check = v * r * r % FP
    correct = check == u
    flipped = check == (-u) % FP
    flipped_i = check == (-u) * SQRT_M1 % FP
    if flipped or flipped_i:
        r = r * SQRT_M1 % FP
    return (correct or flipped), fabs(r)


INVSQRT_A_MINUS_D = sqrt_ratio_m1(1, (-1 - ED_D) % FP)[1]


class Ristretto255:
    """The ristretto255 group; elements are extended coordinates (X, Y, Z, T)."""

    name = "ristretto255"
    elem_bytes = 32
    q = 2**252 + 27742317777372353535851937790883648493
    p = FP
    gen_enc = bytes.fromhex("e2f2ae0a6abc4e71a884a961c500515f58e30b6aa582dd8db6a65945e08d2d76")

    def __init__(self):
        self.g = self.dec(self.gen_enc)

    def identity(self):
        return (0, 1, 1, 0)

    def dec(self, b):
        if len(b) != 32:
            raise DecodeError("VY_ERR_LENGTH")
        s = int.from_bytes(b, "little")
        if s >= FP or is_negative(s):
            raise DecodeError("VY_ERR_NONCANONICAL")
        ss = s * s % FP
        u1 = (1 - ss) % FP
        u2 = (1 + ss) % FP
        u2_sqr = u2 * u2 % FP
        v = (-(ED_D * u1 * u1) - u2_sqr) % FP
        was_square, invsqrt = sqrt_ratio_m1(1, v * u2_sqr)
        den_x = invsqrt * u2 % FP
        den_y = invsqrt * den_x * v % FP
        x = fabs(2 * s * den_x)
        y = u1 * den_y % FP
        t = x * y % FP
        if not was_square or is_negative(t) or y == 0:
            raise DecodeError("VY_ERR_NOT_IN_GROUP")
        return (x, y, 1, t)

    def enc(self, e):
        x0, y0, z0, t0 = e
        u1 = (z0 + y0) * (z0 - y0) % FP
        u2 = x0 * y0 % FP
        _, invsqrt = sqrt_ratio_m1(1, u1 * u2 * u2)
        den1 = invsqrt * u1 % FP
        den2 = invsqrt * u2 % FP
        z_inv = den1 * den2 * t0 % FP
        ix0 = x0 * SQRT_M1 % FP
        iy0 = y0 * SQRT_M1 % FP
        enchanted = den1 * INVSQRT_A_MINUS_D % FP
        rotate = is_negative(t0 * z_inv)
        if rotate:
            x, y, den_inv = iy0, ix0, enchanted
        else:
            x, y, den_inv = x0, y0, den2
        if is_negative(x * z_inv):
            y = (-y) % FP
        s = fabs(den_inv * (z0 - y))
        return s.to_bytes(32, "little")

    def mul(self, a, b):
        """Complete addition on the twisted Edwards curve with a = -1."""
        x1, y1, z1, t1 = a
        x2, y2, z2, t2 = b
        aa = (y1 - x1) * (y2 - x2) % FP
        bb = (y1 + x1) * (y2 + x2) % FP
        cc = t1 * 2 * ED_D * t2 % FP
        dd = z1 * 2 * z2 % FP
        e, f, g, h = bb - aa, dd - cc, dd + cc, bb + aa
        return (e * f % FP, g * h % FP, f * g % FP, e * h % FP)

    def inv(self, a):
        x, y, z, t = a
        return ((-x) % FP, y, z, (-t) % FP)

    def exp(self, a, k):
        k %= self.q
        r = self.identity()
        for bit in bin(k)[2:]:
            r = self.mul(r, r)
            if bit == "1":
                r = self.mul(r, a)
        return r

    def senc(self, s):
        return (s % self.q).to_bytes(32, "little")

    def sdec(self, b):
        if len(b) != 32:
            raise DecodeError("VY_ERR_LENGTH")
        s = int.from_bytes(b, "little")
        if s >= self.q:
            raise DecodeError("VY_ERR_SCALAR_RANGE")
        return s

    def p_bytes(self):
        return FP.to_bytes(32, "big")


# ------------------------------------------------- sections 2.2, 2.3: integer groups

MODP4096_P = int(
    "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
    "b17217f7d1cf79abc9e3b39803f2f6af40f343267298b62d8a0d175b8baafa2b"
    "e7b876206debac98559552fb4afa1b10ed2eae35c138214427573b291169b825"
    "3e96ca16224ae8c51acbda11317c387eb9ea9bc3b136603b256fa0ec7657f74b"
    "72ce87b19d6548caf5dfa6bd38303248655fa1872f20e3a2da2d97c50f3fd5c6"
    "07f4ca11fb5bfb90610d30f88fe551a2ee569d6dfc1efa157d2e23de1400b396"
    "17460775db8990e5c943e732b479cd33cccc4e659393514c4c1a1e0bd1d6095d"
    "25669b333564a3376a9c7f8a5e148e82074db6015cfe7aa30c480a5417350d2c"
    "955d5179b1e17b9dae313cdb6c606cb1078f735d1b2db31b5f50b5185064c18b"
    "4d162db3b365853d7598a1951ae273ee5570b6c68f96983496d4e6d330af889b"
    "44a02554731cdc8ea17293d1228a4ef98d6f5177fbcf0755268a5c1f9538b982"
    "61affd446b1ca3cf5e9222b88c66d3c5422183edc99421090bbb16faf3d949f2"
    "36e02b20cee886b905c128d53d0bd2f9621363196af503020060e49908391a0c"
    "57339ba2beba7d052ac5b61cc4e9207cef2f0ce2d7373958d762265890445744"
    "fb5f2da4b751005892d356890defe9cad9b9d4b713e06162a2d8fdd0df2fd608"
    "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
    16,
)
MODP4096_Q = 2**256 - 189
MODP4096_R = int(
    "100000000000000000000000000000000000000000000000000000000000000b"
    "cb17217f7d1cf79abc9e3b39803f2f6af40f343267298b62d8a0d175b8bab857"
    "ae8f428165418806c62b0ea36355a3a73e0c741985bf6a0e3130179bf2f0b43e"
    "33ad862923861b8c9f768c4169519600bad06093f964b27e02d86831231a9160"
    "de48f4da53d8ab5e69e386b694bec1ae722d47579249d5424767c5c33b9151e0"
    "7c5c11d106ac446d330b47db59d352e47a53157de04461900f6fe360db897df5"
    "316d87c94ae71dad0be84b647c4bcf818c23a2d4ebb53c702a5c8062d19f5e9b"
    "5033a94f7ff732f54129712869d97b8c96c412921a9d8679770f499a041c297c"
    "ff79d4c9149eb6caf67b9ea3dc563d965f3aad1377ff22de9c3e62068dd0ed61"
    "51c37b4f74634c2bd09da912fd599f4333a8d2cc005627dca37bad43e64a3963"
    "119c0bfe34810a21ee7cfc421d53398cbc7a95b3bf585e5a04b790e2fe1fe9bc"
    "264fda8109f6454a082f5efb2f37ea237aa29df320d6ea860c41a9054ccd2487"
    "6c6253f667bfb0139b5531ff30189961202fd2b0d55a75272c7fd73343f7899b"
    "ca0b36a4c470a64a009244c84e77cebc92417d5bb13bf18167d8033eb6c4dd78"
    "79fd4a7f529fd4a7f529fd4a7f529fd4a7f529fd4a7f529fd4a7f529fd4a7f52"
    "a",
    16,
)
MODP4096_G = int(
    "36036fed214f3b50dc566d3a312fe4131fee1c2bce6d02ea39b477ac05f7f885"
    "f38cfe77a7e45acf4029114c4d7a9bfe058bf2f995d2479d3dda618ffd910d3c"
    "4236ab2cfdd783a5016f7465cf59bbf45d24a22f130f2d04fe93b2d58bb9c1d1"
    "d27fc9a17d2af49a779f3ffbdca22900c14202ee6c99616034be35cbcdd3e7bb"
    "7996adfe534b63cca41e21ff5dc778ebb1b86c53bfbe99987d7aea0756237fb4"
    "0922139f90a62f2aa8d9ad34dff799e33c857a6468d001acf3b681db87dc4242"
    "755e2ac5a5027db81984f033c4d178371f273dbb4fcea1e628c23e52759bc776"
    "5728035cea26b44c49a65666889820a45c33dd37ea4a1d00cb62305cd541be1e"
    "8a92685a07012b1a20a746c3591a2db3815000d2aaccfe43dc49e828c1ed7387"
    "466afd8e4bf1935593b2a442eec271c50ad39f733797a1ea11802a2557916534"
    "662a6b7e9a9e449a24c8cff809e79a4d806eb681119330e6c57985e39b200b48"
    "93639fdfdea49f76ad1acd997eba13657541e79ec57437e504eda9dd01106151"
    "6c643fb30d6d58afccd28b73feda29ec12b01a5eb86399a593a9d5f450de39cb"
    "92962c5ec6925348db54d128fd99c14b457f883ec20112a75a6a0581d3d80a3b"
    "4ef09ec86f9552ffda1653f133aa2534983a6f31b0ee4697935a6b1ea2f75b85"
    "e7eba151ba486094d68722b054633fec51ca3f29b31e77e317b178b6b9d8ae0f",
    16,
)


class IntegerGroup:
    """The order-q subgroup of Z_p^*; elements are Python integers."""

    def __init__(self, name, p, q, g):
        self.name = name
        self.p = p
        self.q = q
        self.g = g
        self.elem_bytes = (p.bit_length() + 7) // 8

    def identity(self):
        return 1

    def dec(self, b):
        if len(b) != self.elem_bytes:
            raise DecodeError("VY_ERR_LENGTH")
        x = int.from_bytes(b, "big")
        if x == 0 or x >= self.p:
            raise DecodeError("VY_ERR_NONCANONICAL")
        if pow(x, self.q, self.p) != 1:
            raise DecodeError("VY_ERR_NOT_IN_GROUP")
        return x

    def enc(self, e):
        return e.to_bytes(self.elem_bytes, "big")

    def mul(self, a, b):
        return a * b % self.p

    def inv(self, a):
        return pow(a, -1, self.p)

    def exp(self, a, k):
        return pow(a, k % self.q, self.p)

    def senc(self, s):
        return (s % self.q).to_bytes(32, "big")

    def sdec(self, b):
        if len(b) != 32:
            raise DecodeError("VY_ERR_LENGTH")
        s = int.from_bytes(b, "big")
        if s >= self.q:
            raise DecodeError("VY_ERR_SCALAR_RANGE")
        return s

    def p_bytes(self):
        return self.p.to_bytes(self.elem_bytes, "big")


def make_group(name):
    if name == "ristretto255":
        return Ristretto255()
    if name == "modp4096":
        return IntegerGroup("modp4096", MODP4096_P, MODP4096_Q, MODP4096_G)
    raise ValueError("unknown group " + name)


# ------------------------------------------------------------ generic helpers


def div(G, a, b):
    return G.mul(a, G.inv(b))


def eq(G, a, b):
    return G.enc(a) == G.enc(b)


def exp2(G, a, k1, b, k2):
    return G.mul(G.exp(a, k1), G.exp(b, k2))


def group_hash(G):
    """Section 2.4."""
    data = (
        item(TAG_GROUP)
        + item(G.name.encode())
        + item(G.p_bytes())
        + item(G.q.to_bytes(32, "big"))
        + item(G.enc(G.g))
    )
    return hashlib.sha256(data).digest()


def from_wide(G, w):
    assert len(w) == 64
    return int.from_bytes(w, "big") % G.q


class Transcript:
    """Section 3.1: the strong Fiat-Shamir challenge."""

    def __init__(self, G, tag, base_hash, ctx):
        self.G = G
        self.data = item(tag) + item(group_hash(G)) + item(base_hash) + item(ctx)

    def bytes(self, b):
        self.data += item(b)

    def elem(self, e):
        self.bytes(self.G.enc(e))

    def u64(self, n):
        self.bytes(u64be(n))

    def digest(self):
        return hashlib.sha512(self.data).digest()

    def challenge(self):
        return from_wide(self.G, self.digest())


# ------------------------------------------------------------ section 5 proofs


def schnorr_prove(G, pc, x, u):
    X = G.exp(G.g, x)
    h = G.exp(G.g, u)
    t = Transcript(G, TAG_SCHNORR, *pc)
    t.elem(X)
    t.elem(h)
    c = t.challenge()
    return h, c, (u - c * x) % G.q


def schnorr_verify(G, pc, c, v, X):
    h = exp2(G, G.g, v, X, c)
    t = Transcript(G, TAG_SCHNORR, *pc)
    t.elem(X)
    t.elem(h)
    return c == t.challenge()


def cp_challenge(G, pc, g1, h1, g2, h2, a, b):
    t = Transcript(G, TAG_CP, *pc)
    for e in (g1, h1, g2, h2, a, b):
        t.elem(e)
    return t.challenge()


def cp_verify(G, pc, c, v, g1, h1, g2, h2):
    a = exp2(G, g1, v, h1, c)
    b = exp2(G, g2, v, h2, c)
    return c == cp_challenge(G, pc, g1, h1, g2, h2, a, b)


def branch_commit(G, pk, alpha, beta, j, c, v):
    """Section 5.3: a_j = g^v alpha^c, b_j = pk^v (beta / g^j)^c."""
    a = exp2(G, G.g, v, alpha, c)
    b = exp2(G, pk, v, div(G, beta, G.exp(G.g, j)), c)
    return a, b


def range_requirements(G, lo, hi, n):
    return hi >= lo and hi - lo + 1 <= MAX_BRANCHES and hi < G.q and n == hi - lo + 1


def range_transcript(G, pc, pk, alpha, beta, lo, hi):
    t = Transcript(G, TAG_RANGE, *pc)
    t.elem(pk)
    t.elem(alpha)
    t.elem(beta)
    t.u64(lo)
    t.u64(hi)
    return t


def sum_transcript(G, pc, pk, cts, A, B, lo, hi):
    t = Transcript(G, TAG_SUM, *pc)
    t.elem(pk)
    t.u64(len(cts))
    for alpha, beta in cts:
        t.elem(alpha)
        t.elem(beta)
    t.elem(A)
    t.elem(B)
    t.u64(lo)
    t.u64(hi)
    return t


def disjunctive_prove(G, t, pk, alpha, beta, lo, hi, m, r, u, sim_c, sim_v):
    """Section 5.3 prover on the transcript t (statement already absorbed)."""
    n = hi - lo + 1
    commits = []
    for idx in range(n):
        j = lo + idx
        if j == m:
            commits.append((G.exp(G.g, u), G.exp(pk, u)))
        else:
            commits.append(branch_commit(G, pk, alpha, beta, j, sim_c[idx], sim_v[idx]))
    for a, b in commits:
        t.elem(a)
        t.elem(b)
    c = t.challenge()
    cs = [0 if lo + idx == m else sim_c[idx] for idx in range(n)]
    vs = [0 if lo + idx == m else sim_v[idx] for idx in range(n)]
    c_m = (c - sum(cs)) % G.q
    cs[m - lo] = c_m
    vs[m - lo] = (u - c_m * r) % G.q
    return commits, c, cs, vs


def disjunctive_verify(G, t, pk, alpha, beta, lo, hi, cs, vs):
    if not range_requirements(G, lo, hi, len(cs)) or len(vs) != len(cs):
        return False
    for idx in range(len(cs)):
        a, b = branch_commit(G, pk, alpha, beta, lo + idx, cs[idx], vs[idx])
        t.elem(a)
        t.elem(b)
    return sum(cs) % G.q == t.challenge()


def product(G, cts):
    A, B = G.identity(), G.identity()
    for alpha, beta in cts:
        A = G.mul(A, alpha)
        B = G.mul(B, beta)
    return A, B


# ------------------------------------------------------------ the checks


class Checker:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, name, ok, detail=""):
        if ok:
            self.passed += 1
        else:
            self.failed += 1
            print("FAIL %s%s" % (name, (": " + detail) if detail else ""))

    def equal(self, name, got, want):
        self.check(name, got == want, "expected %s, vector has %s" % (want, got))


def derive(G, label):
    """Section 8.2: D(label)."""
    return from_wide(G, hashlib.sha512(b"vybar test vector " + label.encode()).digest())


class VectorFile:
    """One crypto-<group>.json file and the checks on it."""

    def __init__(self, ck, path):
        self.ck = ck
        self.path = path
        self.where = os.path.basename(path)
        with open(path, "rb") as f:
            self.raw = f.read()
        self.v = json.loads(self.raw.decode("utf-8"))
        self.G = make_group(self.v["group"]["name"])

    def name(self, *parts):
        return self.where + ": " + "/".join(str(p) for p in parts)

    def elem(self, hexstr, nonidentity=False):
        e = self.G.dec(bytes.fromhex(hexstr))
        if nonidentity and eq(self.G, e, self.G.identity()):
            raise DecodeError("VY_ERR_IDENTITY")
        return e

    def scalar(self, hexstr):
        return self.G.sdec(bytes.fromhex(hexstr))

    def ehex(self, e):
        return self.G.enc(e).hex()

    def shex(self, s):
        return self.G.senc(s).hex()

    def derived(self, label, hexstr, where):
        self.ck.equal(self.name(where, "derived " + label), hexstr, self.shex(derive(self.G, label)))
        return self.scalar(hexstr)

    def run(self):
        ck, G, v = self.ck, self.G, self.v
        ck.check(self.name("format"), self.raw == (json.dumps(v, indent=2) + "\n").encode(),
                 "not in the canonical layout of specs/crypto.md section 8.3")
        ck.equal(self.name("generated"), v["generated"], GENERATED)
        ck.equal(self.name("specification"), v["specification"], SPECIFICATION)
        steps = [
            self.check_group, self.check_context, self.check_derived, self.check_multiples,
            self.check_from_wide, self.check_arith, self.check_hash_to_scalar,
            self.check_elgamal, self.check_schnorr, self.check_cp, self.check_ranges,
            self.check_sums, self.check_feldman, self.check_lagrange,
        ]
        for step in steps:
            try:
                step()
            except (KeyError, TypeError, ValueError, AssertionError, DecodeError) as e:
                ck.check(self.name(step.__name__), False, "exception %s: %s" % (type(e).__name__, e))

    def check_group(self):
        G, gv = self.G, self.v["group"]
        self.ck.equal(self.name("group/p"), gv["p"], G.p_bytes().hex())
        self.ck.equal(self.name("group/q"), gv["q"], G.q.to_bytes(32, "big").hex())
        self.ck.equal(self.name("group/generator"), gv["generator"], self.ehex(G.g))
        self.ck.equal(self.name("group/group_hash"), gv["group_hash"], group_hash(G).hex())
        if isinstance(G, IntegerGroup):
            # Section 2.2: p - 1 = q r, g = 2^r mod p, g^q = 1.
            self.ck.check(self.name("group/constants"),
                          G.p - 1 == G.q * MODP4096_R and pow(2, MODP4096_R, G.p) == G.g
                          and pow(G.g, G.q, G.p) == 1 and G.p.bit_length() == 4096)

    def check_context(self):
        v = self.v
        self.ck.equal(self.name("base_hash"), v["base_hash"],
                      hashlib.sha256(b"vybar test vector base hash").hexdigest())
        self.ck.equal(self.name("ctx"), v["ctx"], b"vybar test vector context".hex())
        self.pc = (bytes.fromhex(v["base_hash"]), bytes.fromhex(v["ctx"]))

    def check_derived(self):
        self.labels = {}
        for d in self.v["derived_scalars"]:
            self.derived(d["label"], d["scalar"], "derived_scalars")
            self.labels[d["label"]] = d["scalar"]
        self.ck.check(self.name("derived_scalars/unique"), len(self.labels) == len(self.v["derived_scalars"]))

    def listed(self, label, hexstr, where):
        """A derived input: equal to D(label) and listed in derived_scalars."""
        self.ck.check(self.name(where, "listed " + label), self.labels.get(label) == hexstr)
        return self.derived(label, hexstr, where)

    def check_multiples(self):
        G = self.G
        for i, m in enumerate(self.v["generator_multiples"]):
            k = self.scalar(m["k"])
            self.ck.equal(self.name("generator_multiples", i), m["element"], self.ehex(G.exp(G.g, k)))
            e = self.elem(m["element"])
            self.ck.equal(self.name("generator_multiples", i, "roundtrip"), self.ehex(e), m["element"])

    def check_from_wide(self):
        for i, w in enumerate(self.v["from_wide"]):
            self.ck.equal(self.name("from_wide", i), w["scalar"],
                          self.shex(from_wide(self.G, bytes.fromhex(w["input"]))))

    def check_arith(self):
        q = self.G.q
        for i, s in enumerate(self.v["scalar_arithmetic"]):
            a, b = self.scalar(s["a"]), self.scalar(s["b"])
            want = {
                "sum": (a + b) % q, "difference": (a - b) % q, "product": a * b % q,
                "negation": (-a) % q, "inverse": pow(a, -1, q),
            }
            for key, val in want.items():
                self.ck.equal(self.name("scalar_arithmetic", i, key), s[key], self.shex(val))

    def check_hash_to_scalar(self):
        for i, h in enumerate(self.v["hash_to_scalar"]):
            t = Transcript(self.G, h["tag"].encode(), bytes.fromhex(h["base_hash"]), bytes.fromhex(h["ctx"]))
            for x in h["items"]:
                t.bytes(bytes.fromhex(x))
            self.ck.equal(self.name("hash_to_scalar", i, "digest"), h["digest"], t.digest().hex())
            self.ck.equal(self.name("hash_to_scalar", i, "challenge"), h["challenge"], self.shex(t.challenge()))

    def check_elgamal(self):
        G, eg = self.G, self.v["elgamal"]
        sk = self.listed("elgamal/sk", eg["sk"], "elgamal")
        self.ck.check(self.name("elgamal/sk nonzero"), sk != 0)
        self.ck.equal(self.name("elgamal/pk"), eg["pk"], self.ehex(G.exp(G.g, sk)))
        pk = self.elem(eg["pk"], nonidentity=True)
        self.pk = pk
        cts = []
        for i, c in enumerate(eg["ciphertexts"]):
            r = self.listed("elgamal/r/%d" % i, c["r"], "elgamal")
            m = c["m"]
            self.ck.equal(self.name("elgamal", i, "alpha"), c["alpha"], self.ehex(G.exp(G.g, r)))
            self.ck.equal(self.name("elgamal", i, "beta"), c["beta"],
                          self.ehex(G.mul(G.exp(G.g, m), G.exp(pk, r))))
            ct = (self.elem(c["alpha"]), self.elem(c["beta"]))
            gm = div(G, ct[1], G.exp(ct[0], sk))
            self.ck.equal(self.name("elgamal", i, "decryption"), c["decryption"], self.ehex(gm))
            self.ck.equal(self.name("elgamal", i, "decryption is g^m"), c["decryption"], self.ehex(G.exp(G.g, m)))
            cts.append((ct, m))
        A, B = product(G, [ct for ct, _ in cts])
        s = eg["sum"]
        self.ck.equal(self.name("elgamal/sum/alpha"), s["alpha"], self.ehex(A))
        self.ck.equal(self.name("elgamal/sum/beta"), s["beta"], self.ehex(B))
        self.ck.equal(self.name("elgamal/sum/decryption"), s["decryption"],
                      self.ehex(G.exp(G.g, sum(m for _, m in cts))))
        self.ck.equal(self.name("elgamal/sum/decrypts"), s["decryption"], self.ehex(div(G, B, G.exp(A, sk))))

    def check_schnorr(self):
        G, s = self.G, self.v["schnorr"]
        x = self.listed("schnorr/x", s["x"], "schnorr")
        u = self.listed("schnorr/u", s["u"], "schnorr")
        self.ck.equal(self.name("schnorr/X"), s["X"], self.ehex(G.exp(G.g, x)))
        h, c, v = schnorr_prove(G, self.pc, x, u)
        self.ck.equal(self.name("schnorr/h"), s["h"], self.ehex(h))
        self.ck.equal(self.name("schnorr/c"), s["c"], self.shex(c))
        self.ck.equal(self.name("schnorr/v"), s["v"], self.shex(v))
        X = self.elem(s["X"], nonidentity=True)
        pc_, pv = self.scalar(s["c"]), self.scalar(s["v"])
        self.ck.check(self.name("schnorr/verifies"), schnorr_verify(G, self.pc, pc_, pv, X))
        self.ck.check(self.name("schnorr/altered fails"),
                      not schnorr_verify(G, self.pc, pc_, (pv + 1) % G.q, X))
        self.ck.check(self.name("schnorr/other ctx fails"),
                      not schnorr_verify(G, (self.pc[0], b""), pc_, pv, X))

    def check_cp(self):
        G, s = self.G, self.v["chaum_pedersen"]
        x = self.listed("cp/x", s["x"], "chaum_pedersen")
        w = self.listed("cp/w", s["w"], "chaum_pedersen")
        u = self.listed("cp/u", s["u"], "chaum_pedersen")
        g1, g2 = G.g, G.exp(G.g, w)
        h1, h2 = G.exp(g1, x), G.exp(g2, x)
        for key, e in (("g1", g1), ("h1", h1), ("g2", g2), ("h2", h2)):
            self.ck.equal(self.name("chaum_pedersen", key), s[key], self.ehex(e))
        a, b = G.exp(g1, u), G.exp(g2, u)
        c = cp_challenge(G, self.pc, g1, h1, g2, h2, a, b)
        self.ck.equal(self.name("chaum_pedersen/a"), s["a"], self.ehex(a))
        self.ck.equal(self.name("chaum_pedersen/b"), s["b"], self.ehex(b))
        self.ck.equal(self.name("chaum_pedersen/c"), s["c"], self.shex(c))
        self.ck.equal(self.name("chaum_pedersen/v"), s["v"], self.shex((u - c * x) % G.q))
        st = (self.elem(s["g1"], True), self.elem(s["h1"]), self.elem(s["g2"], True), self.elem(s["h2"]))
        pc_, pv = self.scalar(s["c"]), self.scalar(s["v"])
        self.ck.check(self.name("chaum_pedersen/verifies"), cp_verify(G, self.pc, pc_, pv, *st))
        wrong = (st[0], st[1], st[2], G.mul(st[3], G.g))
        self.ck.check(self.name("chaum_pedersen/other statement fails"), not cp_verify(G, self.pc, pc_, pv, *wrong))

    def sim_inputs(self, r, prefix, lo, hi, m, where):
        """The simulated values of section 8.2 (null at the true branch)."""
        n = hi - lo + 1
        self.ck.equal(self.name(where, "simulated lengths"),
                      (len(r["simulated_c"]), len(r["simulated_v"])), (n, n))
        sim_c, sim_v = [], []
        for idx in range(n):
            j = lo + idx
            hc, hv = r["simulated_c"][idx], r["simulated_v"][idx]
            if j == m:
                self.ck.check(self.name(where, "null at the true branch"), hc is None and hv is None)
                sim_c.append(None)
                sim_v.append(None)
            else:
                sim_c.append(self.listed("%s/c/%d" % (prefix, j), hc, where))
                sim_v.append(self.listed("%s/v/%d" % (prefix, j), hv, where))
        return sim_c, sim_v

    def check_outputs(self, r, where, commits, c, cs, vs):
        ck = self.ck
        ck.equal(self.name(where, "commitments"), r["commitments"],
                 [{"a": self.ehex(a), "b": self.ehex(b)} for a, b in commits])
        ck.equal(self.name(where, "challenge"), r["challenge"], self.shex(c))
        ck.equal(self.name(where, "c"), r["c"], [self.shex(x) for x in cs])
        ck.equal(self.name(where, "v"), r["v"], [self.shex(x) for x in vs])

    def check_ranges(self):
        G = self.G
        for r in self.v["range"]:
            where = "range " + r["name"]
            lo, hi, m = r["lo"], r["hi"], r["m"]
            self.ck.check(self.name(where, "requirements"),
                          range_requirements(G, lo, hi, len(r["c"])) and lo <= m <= hi)
            self.ck.equal(self.name(where, "pk"), r["pk"], self.ehex(self.pk))
            rr = self.listed(r["name"] + "/r", r["r"], where)
            u = self.listed(r["name"] + "/u", r["u"], where)
            alpha, beta = G.exp(G.g, rr), G.mul(G.exp(G.g, m), G.exp(self.pk, rr))
            self.ck.equal(self.name(where, "alpha"), r["alpha"], self.ehex(alpha))
            self.ck.equal(self.name(where, "beta"), r["beta"], self.ehex(beta))
            sim_c, sim_v = self.sim_inputs(r, r["name"], lo, hi, m, where)
            t = range_transcript(G, self.pc, self.pk, alpha, beta, lo, hi)
            out = disjunctive_prove(G, t, self.pk, alpha, beta, lo, hi, m, rr, u, sim_c, sim_v)
            self.check_outputs(r, where, *out)
            # Verify what the file holds, decoded as a verifier would.
            pk = self.elem(r["pk"], nonidentity=True)
            a_, b_ = self.elem(r["alpha"]), self.elem(r["beta"])
            cs = [self.scalar(x) for x in r["c"]]
            vs = [self.scalar(x) for x in r["v"]]

            def verify(cs_, vs_, lo_=lo, hi_=hi, pc=self.pc):
                t_ = range_transcript(G, pc, pk, a_, b_, lo_, hi_)
                return disjunctive_verify(G, t_, pk, a_, b_, lo_, hi_, cs_, vs_)

            self.ck.check(self.name(where, "verifies"), verify(cs, vs))
            bad = list(cs)
            bad[0] = (bad[0] + 1) % G.q
            self.ck.check(self.name(where, "altered c fails"), not verify(bad, vs))
            self.ck.check(self.name(where, "other ctx fails"), not verify(cs, vs, pc=(self.pc[0], b"x")))
            if hi + 1 < G.q:
                self.ck.check(self.name(where, "shifted bounds fail"), not verify(cs, vs, lo + 1, hi + 1))

    def check_sums(self):
        G = self.G
        for s in self.v["sum"]:
            where = "sum " + s["name"]
            lo, hi = s["lo"], s["hi"]
            self.ck.equal(self.name(where, "pk"), s["pk"], self.ehex(self.pk))
            cts, m_sum, r_sum = [], 0, 0
            for i, c in enumerate(s["ciphertexts"]):
                r = self.listed("%s/r/%d" % (s["name"], i), c["r"], where)
                alpha, beta = G.exp(G.g, r), G.mul(G.exp(G.g, c["m"]), G.exp(self.pk, r))
                self.ck.equal(self.name(where, i, "alpha"), c["alpha"], self.ehex(alpha))
                self.ck.equal(self.name(where, i, "beta"), c["beta"], self.ehex(beta))
                cts.append((alpha, beta))
                m_sum += c["m"]
                r_sum = (r_sum + r) % G.q
            self.ck.check(self.name(where, "requirements"),
                          len(cts) >= 1 and range_requirements(G, lo, hi, len(s["c"])) and lo <= m_sum <= hi)
            self.ck.equal(self.name(where, "m_sum"), s["m_sum"], m_sum)
            self.ck.equal(self.name(where, "r_sum"), s["r_sum"], self.shex(r_sum))
            A, B = product(G, cts)
            self.ck.equal(self.name(where, "A"), s["A"], self.ehex(A))
            self.ck.equal(self.name(where, "B"), s["B"], self.ehex(B))
            u = self.listed(s["name"] + "/u", s["u"], where)
            sim_c, sim_v = self.sim_inputs(s, s["name"], lo, hi, m_sum, where)
            t = sum_transcript(G, self.pc, self.pk, cts, A, B, lo, hi)
            out = disjunctive_prove(G, t, self.pk, A, B, lo, hi, m_sum, r_sum, u, sim_c, sim_v)
            self.check_outputs(s, where, *out)
            pk = self.elem(s["pk"], nonidentity=True)
            dcts = [(self.elem(c["alpha"]), self.elem(c["beta"])) for c in s["ciphertexts"]]
            cs = [self.scalar(x) for x in s["c"]]
            vs = [self.scalar(x) for x in s["v"]]

            def verify(cts_, cs_, vs_):
                A_, B_ = product(G, cts_)
                t_ = sum_transcript(G, self.pc, pk, cts_, A_, B_, lo, hi)
                return disjunctive_verify(G, t_, pk, A_, B_, lo, hi, cs_, vs_)

            self.ck.check(self.name(where, "verifies"), verify(dcts, cs, vs))
            bad = list(vs)
            bad[-1] = (bad[-1] + 1) % G.q
            self.ck.check(self.name(where, "altered v fails"), not verify(dcts, cs, bad))
            if len(dcts) >= 2:
                # Same product, different statement: strong Fiat-Shamir must notice.
                swapped = [dcts[1], dcts[0]] + dcts[2:]
                self.ck.check(self.name(where, "reordered ciphertexts fail"),
                              dcts[0] == dcts[1] or not verify(swapped, cs, vs))

    def check_feldman(self):
        G, f = self.G, self.v["feldman"]
        t = f["t"]
        self.ck.equal(self.name("feldman/t"), len(f["coefficients"]), t)
        coeffs = [self.listed("feldman/a/%d" % j, f["coefficients"][j], "feldman") for j in range(t)]
        commits = [G.exp(G.g, a) for a in coeffs]
        self.ck.equal(self.name("feldman/commitments"), f["commitments"], [self.ehex(A) for A in commits])
        dcommits = [self.elem(x) for x in f["commitments"]]
        self.shares = {}
        for k, s in enumerate(f["shares"]):
            i = s["i"]
            self.ck.equal(self.name("feldman/shares", k, "i"), i, k + 1)
            share = sum(a * pow(i, j, G.q) for j, a in enumerate(coeffs)) % G.q
            self.ck.equal(self.name("feldman/shares", k, "share"), s["share"], self.shex(share))
            key = G.identity()
            for j, A in enumerate(dcommits):
                key = G.mul(key, G.exp(A, pow(i, j, G.q)))
            self.ck.equal(self.name("feldman/shares", k, "verification_key"), s["verification_key"], self.ehex(key))
            sv = self.scalar(s["share"])
            self.ck.check(self.name("feldman/shares", k, "share check"), eq(G, G.exp(G.g, sv), key))
            self.ck.check(self.name("feldman/shares", k, "wrong share fails"),
                          not eq(G, G.exp(G.g, (sv + 1) % G.q), key))
            self.shares[i] = sv
        self.secret = coeffs[0]

    def check_lagrange(self):
        G, lg = self.G, self.v["lagrange"]
        S = lg["set"]
        self.ck.check(self.name("lagrange/set"), all(i % G.q != 0 for i in S) and len({i % G.q for i in S}) == len(S))
        self.ck.equal(self.name("lagrange/indices"), [c["i"] for c in lg["coefficients"]], S)
        total = 0
        for c in lg["coefficients"]:
            i = c["i"]
            lam = 1
            for j in S:
                if j != i:
                    lam = lam * j * pow(j - i, -1, G.q) % G.q
            self.ck.equal(self.name("lagrange", i), c["lambda"], self.shex(lam))
            total += self.scalar(c["lambda"]) * self.shares[i]
        self.ck.equal(self.name("lagrange/secret"), lg["secret"], self.shex(total % G.q))
        self.ck.equal(self.name("lagrange/secret is a_0"), lg["secret"], self.shex(self.secret))


# ------------------------------------------------------- section 10: Ed25519

ED_L = 2**252 + 27742317777372353535851937790883648493
ED_Y8 = 0x7A03AC9277FDC74EC6CC392CFA53202A0F67100D760B3CBA4FD84D3D706A17C7
ED_SMALL_Y = (0, 1, FP - 1, ED_Y8, FP - ED_Y8)  # 10.1: y of the 8 small-order points
ED_IDENTITY = (0, 1, 1, 0)
ED_LABEL_PREFIX = b"vybar test vector "
ED_MESSAGE = "vybar ed25519 vector"
ED_TORSION_MESSAGE = "vybar ed25519 torsion %d"


def ed_y(b):
    """10.1: y(X), the 255 low bits of X little-endian, not reduced mod p."""
    return int.from_bytes(b, "little") & ((1 << 255) - 1)


def ed_small_order_encoding(b):
    """10.1: y(X) mod p is the y of a point of order dividing 8."""
    return ed_y(b) % FP in ED_SMALL_Y


def ed_recover_x(y, sign):
    """RFC 8032 5.1.3 steps 2-4 for y < p: x, or None if x^2 has no root.
    Returns x = 0 whatever the sign (the callers decide about it)."""
    u = (y * y - 1) % FP
    v = (ED_D * y * y + 1) % FP
    x = u * pow(v, 3, FP) * pow(u * pow(v, 7, FP), (FP - 5) // 8, FP) % FP
    if v * x * x % FP == (-u) % FP:
        x = x * SQRT_M1 % FP
    elif v * x * x % FP != u:
        return None
    if x != 0 and (x & 1) != sign:
        x = FP - x
    return x


def ed_add(a, b):
    """RFC 8032 5.1.4: addition on the twisted Edwards curve (a = -1)."""
    x1, y1, z1, t1 = a
    x2, y2, z2, t2 = b
    aa = (y1 - x1) * (y2 - x2) % FP
    bb = (y1 + x1) * (y2 + x2) % FP
    cc = t1 * 2 * ED_D * t2 % FP
    dd = z1 * 2 * z2 % FP
    e, f, g, h = bb - aa, dd - cc, dd + cc, bb + aa
    return (e * f % FP, g * h % FP, f * g % FP, e * h % FP)


def ed_neg(a):
    x, y, z, t = a
    return ((-x) % FP, y, z, (-t) % FP)


def ed_mul(k, a):
    """[k]a for any k >= 0 (not reduced: points need not have order L)."""
    r = ED_IDENTITY
    while k > 0:
        if k & 1:
            r = ed_add(r, a)
        a = ed_add(a, a)
        k >>= 1
    return r


def ed_enc(a):
    """RFC 8032 5.1.2: the canonical encoding."""
    zi = finv(a[2])
    x, y = a[0] * zi % FP, a[1] * zi % FP
    return (y | ((x & 1) << 255)).to_bytes(32, "little")


def ed_is_identity(a):
    return a[0] % FP == 0 and (a[1] - a[2]) % FP == 0


def ed_decode_lenient(b):
    """10.2 step 5: the point of y(b) and the top bit, or None."""
    y = ed_y(b) % FP
    x = ed_recover_x(y, b[31] >> 7)
    return None if x is None else (x, y, 1, x * y % FP)


def ed_decode_rfc8032(b):
    """RFC 8032 5.1.3 exactly: y < p, a root exists, not x = 0 with sign 1."""
    y, sign = ed_y(b), b[31] >> 7
    if y >= FP:
        return None
    x = ed_recover_x(y, sign)
    if x is None or (x == 0 and sign == 1):
        return None
    return (x, y, 1, x * y % FP)


ED_BY = 4 * finv(5) % FP
ED_B = (ed_recover_x(ED_BY, 0), ED_BY, 1, ed_recover_x(ED_BY, 0) * ED_BY % FP)


def ed_challenge(R, A, msg):
    """10.2 step 6: k = int_le(SHA-512(R || A || M)) mod L."""
    return int.from_bytes(hashlib.sha512(R + A + msg).digest(), "little") % ED_L


def ed_verify(A, msg, sig):
    """10.2: Vybar's rule. True = accept."""
    if len(A) != 32 or len(sig) != 64:
        return False
    R, S = sig[:32], int.from_bytes(sig[32:], "little")
    if S >= ED_L:                              # step 1
        return False
    if ed_small_order_encoding(R):             # step 2
        return False
    if ed_y(A) >= FP:                          # step 3
        return False
    if ed_small_order_encoding(A):             # step 4
        return False
    P = ed_decode_lenient(A)                   # step 5
    if P is None:
        return False
    k = ed_challenge(R, A, msg)                # step 6
    return ed_enc(ed_add(ed_mul(S, ED_B), ed_neg(ed_mul(k, P)))) == R   # step 7


def ed_key_valid(A):
    """10.3: canonical, not small order, decodes, [L]P = identity."""
    if len(A) != 32 or ed_y(A) >= FP or ed_small_order_encoding(A):
        return False
    P = ed_decode_lenient(A)
    return P is not None and ed_is_identity(ed_mul(ED_L, P))


def ed_verify_rfc8032(A, msg, sig):
    """RFC 8032 5.1.7 with the cofactored equation [8][S]B = [8]R + [8][k]A."""
    Ap, Rp = ed_decode_rfc8032(A), ed_decode_rfc8032(sig[:32])
    S = int.from_bytes(sig[32:], "little")
    if Ap is None or Rp is None or S >= ED_L:
        return False
    k = ed_challenge(sig[:32], A, msg)
    lhs = ed_mul(8, ed_mul(S, ED_B))
    rhs = ed_mul(8, ed_add(Rp, ed_mul(k, Ap)))
    return ed_is_identity(ed_add(lhs, ed_neg(rhs)))


def ed_secret(seed):
    """RFC 8032 5.1.5: the clamped secret scalar and the prefix."""
    h = hashlib.sha512(seed).digest()
    a = int.from_bytes(h[:32], "little")
    a &= (1 << 254) - 8
    a |= 1 << 254
    return a, h[32:]


def ed_sign(seed, msg):
    """RFC 8032 5.1.6."""
    a, prefix = ed_secret(seed)
    A = ed_enc(ed_mul(a, ED_B))
    r = int.from_bytes(hashlib.sha512(prefix + msg).digest(), "little") % ED_L
    R = ed_enc(ed_mul(r, ED_B))
    k = ed_challenge(R, A, msg)
    return R + ((r + k * a) % ED_L).to_bytes(32, "little")


def le32(n):
    return n.to_bytes(32, "little")


class Ed25519File:
    """specs/vectors/ed25519.json (section 10.4) and the checks on it."""

    NAMES = ["valid", "s-plus-l", "small-order-r", "identity-key-and-r", "identity-key",
             "identity-key-sign-bit", "torsion-key-k-multiple-of-8", "torsion-key-k-not-multiple-of-8"]

    def __init__(self, ck, path):
        self.ck = ck
        with open(path, "rb") as f:
            self.raw = f.read()
        self.v = json.loads(self.raw.decode("utf-8"))

    def name(self, *parts):
        return "ed25519.json: " + "/".join(str(p) for p in parts)

    def run(self):
        ck, v = self.ck, self.v
        ck.check(self.name("format"), self.raw == (json.dumps(v, indent=2) + "\n").encode())
        ck.equal(self.name("generated"), v["generated"], GENERATED)
        ck.equal(self.name("specification"), v["specification"], SPECIFICATION)
        seed = hashlib.sha512(ED_LABEL_PREFIX + v["seed_label"].encode()).digest()[:32]
        ck.equal(self.name("seed"), v["seed"], seed.hex())
        a, _ = ed_secret(seed)
        A = ed_enc(ed_mul(a, ED_B))
        ck.equal(self.name("public_key"), v["public_key"], A.hex())
        ck.equal(self.name("secret_scalar"), v["secret_scalar"], le32(a % ED_L).hex())
        r = int.from_bytes(hashlib.sha512(ED_LABEL_PREFIX + v["r_label"].encode()).digest(), "little") % ED_L
        ck.equal(self.name("r"), v["r"], le32(r).hex())
        R = ed_enc(ed_mul(r, ED_B))
        ck.equal(self.name("R"), v["R"], R.hex())
        T = bytes.fromhex(v["torsion_point"])
        Tp = ed_decode_rfc8032(T)
        ck.check(self.name("torsion_point has order 8 and y8"),
                 Tp is not None and ed_y(T) == ED_Y8 and ed_is_identity(ed_mul(8, Tp))
                 and not ed_is_identity(ed_mul(4, Tp)))
        self.ctx = {"seed": seed, "a": a, "A": A, "r": r, "R": R, "T": Tp}
        vectors = v["vectors"]
        ck.equal(self.name("vector names"), [e["name"] for e in vectors], self.NAMES)
        for e in vectors:
            try:
                self.check_vector(e)
            except (KeyError, TypeError, ValueError) as x:
                ck.check(self.name(e.get("name", "?")), False, "exception %s: %s" % (type(x).__name__, x))

    def expected_inputs(self, e):
        """The public key, message and signature the vector's name prescribes."""
        c, name = self.ctx, e["name"]
        ident = le32(1)
        ident_neg = ident[:31] + bytes([0x80])
        msg = ED_MESSAGE.encode()
        if name == "valid":
            return c["A"], msg, ed_sign(c["seed"], msg)
        if name == "s-plus-l":
            sig = ed_sign(c["seed"], msg)
            return c["A"], msg, sig[:32] + le32(int.from_bytes(sig[32:], "little") + ED_L)
        if name == "small-order-r":
            k = ed_challenge(ident, c["A"], msg)
            return c["A"], msg, ident + le32(k * c["a"] % ED_L)
        if name == "identity-key-and-r":
            return ident, msg, ident + le32(0)
        if name in ("identity-key", "identity-key-sign-bit"):
            return (ident if name == "identity-key" else ident_neg), msg, c["R"] + le32(c["r"])
        # the two torsion vectors: A + T, the least n whose k is (not) a multiple of 8
        want8 = name == "torsion-key-k-multiple-of-8"
        pk = ed_enc(ed_add(ed_decode_rfc8032(c["A"]), c["T"]))
        for n in range(256):
            m = (ED_TORSION_MESSAGE % n).encode()
            k = ed_challenge(c["R"], pk, m)
            if (k % 8 == 0) == want8:
                return pk, m, c["R"] + le32((c["r"] + k * c["a"]) % ED_L)
        raise ValueError("no message found")

    def check_vector(self, e):
        ck, name = self.ck, e["name"]
        pk, msg, sig = bytes.fromhex(e["public_key"]), e["message"].encode("ascii"), bytes.fromhex(e["signature"])
        want_pk, want_msg, want_sig = self.expected_inputs(e)
        ck.equal(self.name(name, "public_key"), e["public_key"], want_pk.hex())
        ck.equal(self.name(name, "message"), e["message"], want_msg.decode("ascii"))
        ck.equal(self.name(name, "signature"), e["signature"], want_sig.hex())
        ck.equal(self.name(name, "k"), e["k"], le32(ed_challenge(sig[:32], pk, msg)).hex())
        ck.equal(self.name(name, "verify (10.2)"), e["verify"], "accept" if ed_verify(pk, msg, sig) else "refuse")
        ck.equal(self.name(name, "key_valid (10.3)"), e["key_valid"], ed_key_valid(pk))
        ck.equal(self.name(name, "rfc8032 (cofactored)"), e["rfc8032"],
                 "accept" if ed_verify_rfc8032(pk, msg, sig) else "refuse")


# RFC 8032 section 7.1, TEST 1 (empty message): checks this file's Ed25519.
RFC8032_TEST1 = {
    "secret": "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
    "public": "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
    "signature": "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555f"
                 "b8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
}


def self_test(ck, vector_dir):
    """Checks this file's Ed25519 against RFC 8032 section 7.1 TEST 1, and its
    ristretto255 against RFC 9496 Appendix A.1 and A.2, when
    specs/vectors/rfc9496-ristretto255.json is present."""
    t = RFC8032_TEST1
    seed, pk, sig = bytes.fromhex(t["secret"]), bytes.fromhex(t["public"]), bytes.fromhex(t["signature"])
    ck.equal("RFC 8032 TEST 1 public key", ed_enc(ed_mul(ed_secret(seed)[0], ED_B)).hex(), t["public"])
    ck.equal("RFC 8032 TEST 1 signature", ed_sign(seed, b"").hex(), t["signature"])
    ck.check("RFC 8032 TEST 1 verifies (10.2)", ed_verify(pk, b"", sig) and ed_key_valid(pk))
    ck.check("RFC 8032 TEST 1 other message fails", not ed_verify(pk, b"x", sig))
    path = os.path.join(vector_dir, "rfc9496-ristretto255.json")
    if not os.path.exists(path):
        return
    with open(path) as f:
        rfc = json.load(f)
    G = Ristretto255()
    for m in rfc.get("multiples_of_generator", []):
        ck.equal("rfc9496 A.1 k=%d" % m["k"], G.enc(G.exp(G.g, m["k"])).hex(), m["encoding"])
    for i, bad in enumerate(rfc.get("invalid_encodings", [])):
        try:
            G.dec(bytes.fromhex(bad["encoding"]))
            ck.check("rfc9496 A.2 #%d rejected" % i, False)
        except DecodeError:
            ck.check("rfc9496 A.2 #%d rejected" % i, True)


def main(argv):
    here = os.path.dirname(os.path.abspath(__file__))
    vector_dir = argv[1] if len(argv) > 1 else os.path.join(here, "..", "vectors")
    ck = Checker()
    self_test(ck, vector_dir)
    files = sorted(f for f in os.listdir(vector_dir) if f.startswith("crypto-") and f.endswith(".json"))
    ck.check("vector files present", set(files) >= {"crypto-ristretto255.json", "crypto-modp4096.json"},
             "found %s" % files)
    for f in files:
        try:
            VectorFile(ck, os.path.join(vector_dir, f)).run()
        except (KeyError, TypeError, ValueError, DecodeError) as e:
            ck.check(f, False, "cannot read: %s: %s" % (type(e).__name__, e))
    try:
        Ed25519File(ck, os.path.join(vector_dir, "ed25519.json")).run()
    except (OSError, KeyError, TypeError, ValueError) as e:
        ck.check("ed25519.json", False, "cannot read: %s: %s" % (type(e).__name__, e))
    print("%d passed, %d failed" % (ck.passed, ck.failed))
    return 1 if ck.failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
