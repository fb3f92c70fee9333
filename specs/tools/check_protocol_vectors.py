#!/usr/bin/env python3
"""Independent checker of the protocol test vectors (specs/vectors/protocol.json).

Written from specs/protocol.md and specs/crypto.md alone, in pure Python 3
(standard library only), with its own Ed25519 (RFC 8032 section 5.1, verified
with the rule of crypto.md section 10.2, keys checked with 10.3). From the
fields written in the file it recomputes: the base hash of the manifest
(protocol.md 3.5), the credential message (4.1), the ballot hash, the ciphertext
hash and tracking code (4.4), the audited ballot under its one-time key (6: no
registrar credential, its signature and 0/1 proofs under the one-time key, its
revealed values re-encrypting to its ciphertexts, none of the credential's bytes
in it), the proof contexts (4.3, 5.2), every entry hash and chain link (7.1,
7.2), the receipt hash (7.5); it verifies every Ed25519 signature (entries,
ballot, receipt) and the registrar's RSASSA-PSS signature (RFC 8017, 4.1),
and, since RFC 8032 signing is deterministic, re-derives the board's and the
voter's keys from their seeds and re-signs, byte for byte. The key ceremony's
coefficient proof is verified with the ristretto255 and transcript of
check_crypto_vectors.py (next to this file, also written from crypto.md).

Usage: check_protocol_vectors.py [VECTOR_DIR]   (default: specs/vectors next to
this script). Prints "N passed, M failed" and exits 1 if anything failed.
"""

import hashlib
import json
import os
import sys

FILE_NAME = "protocol.json"
GENERATED = "by tests/tools/gen_protocol_vectors.c; do not edit"
SPECIFICATION = "specs/protocol.md"

# protocol.md section 2
TAG_MANIFEST = b"vybar/v1/manifest"
TAG_CREDENTIAL = b"vybar/v1/credential"
TAG_BALLOT = b"vybar/v1/ballot"
TAG_TRACKING = b"vybar/v1/tracking-code"
TAG_CIPHERTEXTS = b"vybar/v1/ciphertexts"
TAG_ENTRY = b"vybar/v1/entry"
TAG_RECEIPT = b"vybar/v1/receipt"
TAG_ADMIN_ACTION = b"vybar/v1/admin-action"

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # protocol.md 4.4
TRACKING_BITS = 80
HASH_BYTES = 32

# specs/vybar.proto, enum EntryType
ENTRY_TYPES = {
    1: "ENTRY_TYPE_MANIFEST",
    2: "ENTRY_TYPE_KEY_ANNOUNCE",
    3: "ENTRY_TYPE_KEY_REVEAL",
    4: "ENTRY_TYPE_KEY_VERDICT",
    5: "ENTRY_TYPE_ELECTION_OPEN",
    6: "ENTRY_TYPE_BALLOT",
    7: "ENTRY_TYPE_AUDITED_BALLOT",
    8: "ENTRY_TYPE_ELECTION_CLOSE",
    9: "ENTRY_TYPE_ENCRYPTED_TALLY",
    10: "ENTRY_TYPE_PARTIAL_DECRYPTION",
    11: "ENTRY_TYPE_RESULT",
    12: "ENTRY_TYPE_KEY_JUSTIFICATION",
    13: "ENTRY_TYPE_CREDENTIALS_ISSUED",
}
TYPE_MANIFEST = 1
TYPE_KEY_REVEAL = 3
TYPE_BALLOT = 6
TYPE_AUDITED_BALLOT = 7


# ------------------------------------------------------- protocol.md section 1


def u64(n):
    """1.1: the 8-byte big-endian encoding of n."""
    return n.to_bytes(8, "big")


def item(b):
    """1.1: item(x) = u32be(len(x)) || x."""
    return len(b).to_bytes(4, "big") + b


def text(s):
    """1.1: a text is its UTF-8 bytes."""
    return s.encode("utf-8")


def flag(b):
    """A bool as a number: false 0, true 1."""
    return 1 if b else 0


def H(tag, *xs):
    """1.2: H(tag, x_1, ..., x_k) = SHA-256(item(tag) || item(x_1) || ...)."""
    h = hashlib.sha256(item(tag))
    for x in xs:
        h.update(item(x))
    return h.digest()


def unhex(s):
    return bytes.fromhex(s)


# ------------------------------------------------------------- RFC 8032, Ed25519

P = 2**255 - 19
L = 2**252 + 27742317777372353535851937790883648493
D = (-121665 * pow(121666, P - 2, P)) % P
SQRT_M1 = pow(2, (P - 1) // 4, P)


def _inv(x):
    return pow(x, P - 2, P)


def _recover_x(y, sign):
    """5.1.3 steps 2-4: x from y and the sign bit, or None."""
    if y >= P:
        return None
    u = (y * y - 1) % P
    v = (D * y * y + 1) % P
    x = (u * pow(v, 3, P) * pow(u * pow(v, 7, P), (P - 5) // 8, P)) % P
    vx2 = v * x * x % P
    if vx2 == (-u) % P:
        x = x * SQRT_M1 % P
    elif vx2 != u:
        return None
    if x == 0 and sign == 1:
        return None
    if x & 1 != sign:
        x = P - x
    return x


# Points in extended coordinates (X, Y, Z, T), x = X/Z, y = Y/Z, xy = T/Z.
def _pt(x, y):
    return (x, y, 1, x * y % P)


_BY = 4 * _inv(5) % P
BASE = _pt(_recover_x(_BY, 0), _BY)
IDENTITY = (0, 1, 1, 0)


def _add(p, q):
    """5.1.4: addition on the twisted Edwards curve (a = -1)."""
    x1, y1, z1, t1 = p
    x2, y2, z2, t2 = q
    a = (y1 - x1) * (y2 - x2) % P
    b = (y1 + x1) * (y2 + x2) % P
    c = 2 * t1 * t2 * D % P
    d = 2 * z1 * z2 % P
    e, f, g, h = b - a, d - c, d + c, b + a
    return (e * f % P, g * h % P, f * g % P, e * h % P)


def _mul(k, p):
    q = IDENTITY
    while k > 0:
        if k & 1:
            q = _add(q, p)
        p = _add(p, p)
        k >>= 1
    return q


def _eq(p, q):
    return (p[0] * q[2] - q[0] * p[2]) % P == 0 and (p[1] * q[2] - q[1] * p[2]) % P == 0


def _encode(p):
    """5.1.2."""
    zi = _inv(p[2])
    x, y = p[0] * zi % P, p[1] * zi % P
    return (y | ((x & 1) << 255)).to_bytes(32, "little")


def _decode(b):
    """5.1.3, or None if b is not a point encoding."""
    if len(b) != 32:
        return None
    n = int.from_bytes(b, "little")
    y, sign = n & ((1 << 255) - 1), n >> 255
    x = _recover_x(y, sign)
    return None if x is None else _pt(x, y)


def _sha512_int(*parts):
    return int.from_bytes(hashlib.sha512(b"".join(parts)).digest(), "little")


def ed25519_public_key(seed):
    """5.1.5: the public key of a 32-byte secret key (seed)."""
    h = hashlib.sha512(seed).digest()
    a = int.from_bytes(h[:32], "little")
    a &= (1 << 254) - 8
    a |= 1 << 254
    return _encode(_mul(a, BASE))


def ed25519_sign(seed, msg):
    """5.1.6: the (deterministic) signature of msg."""
    h = hashlib.sha512(seed).digest()
    a = int.from_bytes(h[:32], "little")
    a &= (1 << 254) - 8
    a |= 1 << 254
    pk = _encode(_mul(a, BASE))
    r = _sha512_int(h[32:], msg) % L
    R = _encode(_mul(r, BASE))
    k = _sha512_int(R, pk, msg) % L
    return R + ((r + k * a) % L).to_bytes(32, "little")


# crypto.md 10.1: the y of the 8 points of small order.
Y8 = 0x7A03AC9277FDC74EC6CC392CFA53202A0F67100D760B3CBA4FD84D3D706A17C7
SMALL_ORDER_Y = (0, 1, P - 1, Y8, P - Y8)


def _y(b):
    """crypto.md 10.1: y(X), the 255 low bits, the sign bit set aside."""
    return int.from_bytes(b, "little") & ((1 << 255) - 1)


def _small_order_encoding(b):
    return _y(b) % P in SMALL_ORDER_Y


def ed25519_verify(pk, msg, sig):
    """crypto.md 10.2, Vybar's verification rule (libsodium 1.0.18's):
    S < L; R and A not small-order encodings; A canonical and on the curve;
    accept iff enc([S]B - [k]A) = R byte for byte (cofactorless)."""
    if len(pk) != 32 or len(sig) != 64:
        return False
    R, s = sig[:32], int.from_bytes(sig[32:], "little")
    if s >= L or _small_order_encoding(R) or _y(pk) >= P or _small_order_encoding(pk):
        return False
    A = _decode(pk)
    if A is None:
        return False
    k = _sha512_int(R, pk, msg) % L
    minus_kA = _mul(k, (P - A[0], A[1], A[2], P - A[3]))
    return _encode(_add(_mul(s, BASE), minus_kA)) == R


def ed25519_key_valid(pk):
    """crypto.md 10.3: the encoding of a point of order exactly L."""
    if len(pk) != 32 or _y(pk) >= P or _small_order_encoding(pk):
        return False
    A = _decode(pk)
    return A is not None and _eq(_mul(L, A), IDENTITY)


# RFC 8032 section 7.1, TEST 1 (empty message): checks this file's Ed25519.
RFC8032_TEST1 = {
    "secret": "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
    "public": "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
    "signature": "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555f"
                 "b8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
}


# ------------------------------------------- RFC 8017 RSASSA-PSS, SHA-384 (protocol.md 4.1)

PSS_HASH_BYTES = 48
PSS_SALT_BYTES = 48


def _mgf1_sha384(seed, n):
    """RFC 8017 B.2.1."""
    out = b""
    counter = 0
    while len(out) < n:
        out += hashlib.sha384(seed + counter.to_bytes(4, "big")).digest()
        counter += 1
    return out[:n]


def rsa_pss_sha384_verify(modulus, exponent, msg, sig):
    """RFC 8017 8.1.2 and 9.1.2 (EMSA-PSS-VERIFY), SHA-384, MGF1-SHA-384,
    salt of 48 bytes: the registrar's signature check of RFC 9474 4.5."""
    n, e = int.from_bytes(modulus, "big"), int.from_bytes(exponent, "big")
    s = int.from_bytes(sig, "big")
    if len(sig) != len(modulus) or s >= n:
        return False
    em_bits = n.bit_length() - 1
    em_len = (em_bits + 7) // 8
    m = pow(s, e, n)
    if m >= 1 << (8 * em_len):
        return False
    em = m.to_bytes(em_len, "big")
    hl, sl = PSS_HASH_BYTES, PSS_SALT_BYTES
    if em_len < hl + sl + 2 or em[-1] != 0xBC:
        return False
    masked, h = em[:em_len - hl - 1], em[em_len - hl - 1:-1]
    top = 8 * em_len - em_bits
    if masked[0] & ~(0xFF >> top) & 0xFF:
        return False
    db = bytes(a ^ b for a, b in zip(masked, _mgf1_sha384(h, len(masked))))
    db = bytes([db[0] & (0xFF >> top)]) + db[1:]
    ps_len = em_len - hl - sl - 2
    if db[:ps_len] != bytes(ps_len) or db[ps_len] != 1:
        return False
    salt = db[ps_len + 1:]
    return hashlib.sha384(bytes(8) + hashlib.sha384(msg).digest() + salt).digest() == h


# ---------------------------------------------------------- the constructions


def translations(x):
    """protocol.md 3.5 and 3.7: T(x), the items of a text's translations."""
    ts = x.get("translations") or []
    xs = [u64(len(ts))]
    for t in ts:
        xs += [text(t["lang"]), text(t["text"])]
    return xs


def base_hash(m):
    """protocol.md 3.5: the base hash from the manifest's fields."""
    xs = [text(m["election_id"]), text(m["title"])] + translations(m)
    xs += [text(m["group"]), u64(len(m["contests"]))]
    for c in m["contests"]:
        xs += [text(c["title"])] + translations(c) + [u64(c["kind"]), u64(len(c["options"]))]
        for o in c["options"]:
            xs += [text(o["title"])] + translations(o)
        xs += [u64(flag(c["allow_blank"])), u64(c["min_selections"]), u64(c["max_selections"])]
        pl = c["party_list"]
        xs.append(u64(0 if pl is None else 1))
        if pl is None:
            continue
        xs.append(u64(len(pl["lists"])))
        for lst in pl["lists"]:
            xs += [text(lst["name"])] + translations(lst) + [u64(len(lst["candidates"]))]
            for cand in lst["candidates"]:
                xs += [text(cand["name"])] + translations(cand) + [u64(cand["gender"])]
        rule = pl["gender_rule"] or {"block_size": 0, "min_per_block": 0}
        xs += [u64(pl["seats"]), u64(pl["threshold_basis_points"]), u64(pl["seat_method"]),
               u64(rule["block_size"]), u64(rule["min_per_block"]), u64(pl["min_candidates"])]
    xs += [u64(m["trustee_count"]), u64(m["threshold"]), u64(len(m["trustees"]))]
    for t in m["trustees"]:
        xs += [u64(t["index"]), text(t["name"]), unhex(t["signing_key"])]
    rk = m["registrar_key"] or {"modulus": "", "exponent": ""}
    xs += [unhex(m["board_key"]), unhex(rk["modulus"]), unhex(rk["exponent"]),
           u64(m["voting_start"]), u64(m["voting_end"]), u64(m["counting_rule"]), unhex(m["commission_key"]),
           unhex(m["registrar_statement_key"])]
    # specs/witness.md 5: the witnesses and their threshold
    xs.append(u64(len(m["witnesses"])))
    for w in m["witnesses"]:
        xs += [text(w["name"]), unhex(w["public_key"])]
    xs.append(u64(m["witness_threshold"]))
    # 3.6: the revoting limits
    xs += [u64(m["max_ballots_per_credential"]), u64(m["min_seconds_between_ballots"])]
    return H(TAG_MANIFEST, *xs)


def credential_message(bh, pk):
    """protocol.md 4.1."""
    return H(TAG_CREDENTIAL, bh, pk)


def proof_items(p):
    """protocol.md 4.4: P(p); an absent proof is u64(0), u64(0)."""
    if p is None:
        return [u64(0), u64(0)]
    return [u64(len(p["c"]))] + [unhex(c) for c in p["c"]] + [u64(len(p["v"]))] + [unhex(v) for v in p["v"]]


def ballot_hash(bh, b):
    """protocol.md 4.4: the ballot hash from the ballot's fields."""
    cr = b["credential"]
    xs = [bh, unhex(cr["public_key"]), unhex(cr["randomizer"]), unhex(cr["signature"]), u64(len(b["contests"]))]
    for c in b["contests"]:
        xs.append(u64(len(c["selections"])))
        for s in c["selections"]:
            xs += [unhex(s["alpha"]), unhex(s["beta"])] + proof_items(s["proof"])
        xs += proof_items(c["sum_proof"])
    return H(TAG_BALLOT, *xs)


def ciphertexts_hash(bh, b):
    """protocol.md 4.4: the ciphertext hash: the base hash and every alpha and
    beta of the ballot, nothing else."""
    xs = [bh, u64(len(b["contests"]))]
    for c in b["contests"]:
        xs.append(u64(len(c["selections"])))
        for s in c["selections"]:
            xs += [unhex(s["alpha"]), unhex(s["beta"])]
    return H(TAG_CIPHERTEXTS, *xs)


def tracking_code(ciphertexts_hash_bytes):
    """protocol.md 4.4: the first 80 bits of d, MSB first, 5 bits per
    Crockford base-32 character, four groups of four joined by '-'."""
    d = H(TAG_TRACKING, ciphertexts_hash_bytes)
    bits = int.from_bytes(d[:TRACKING_BITS // 8], "big")
    chars = [CROCKFORD[(bits >> (TRACKING_BITS - 5 * (i + 1))) & 31] for i in range(TRACKING_BITS // 5)]
    return "-".join("".join(chars[i:i + 4]) for i in range(0, len(chars), 4)), d


def proof_ctx(pk, contest, option):
    """protocol.md 4.3."""
    last = item(b"sum") if option == "sum" else item(u64(option))
    return item(pk) + item(u64(contest)) + last


def coefficient_proof_ctx(i, j):
    """protocol.md 5.2: ctx = item(u64(i)) || item(u64(j))."""
    return item(u64(i)) + item(u64(j))


def schnorr_verify(base, ctx, commitment, c, v):
    """crypto.md 5.1 on ristretto255 (the group of the vectors), with the group
    arithmetic and transcript of specs/tools/check_crypto_vectors.py."""
    import check_crypto_vectors as cv
    G = cv.Ristretto255()
    X = G.dec(commitment)
    if cv.eq(G, X, G.identity()):
        return False
    return cv.schnorr_verify(G, (base, ctx), G.sdec(c), G.sdec(v), X)


def entry_hash(seq, prev_hash, typ, payload):
    """protocol.md 7.2."""
    return H(TAG_ENTRY, u64(seq), prev_hash, u64(typ), payload)


def receipt_hash(code, seq, head):
    """protocol.md 7.5."""
    return H(TAG_RECEIPT, code.encode("ascii"), u64(seq), head)


# ------------------------------------------------------------------ the checks


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
        self.check(name, got == want, "got %s, expected %s" % (got, want))


def seed_of(prefix, label):
    """The vectors' seeds: the first 32 bytes of SHA-512(label_prefix || label)."""
    return hashlib.sha512((prefix + label).encode()).digest()[:32]


class VectorFile:
    def __init__(self, ck, path):
        self.ck = ck
        with open(path) as f:
            self.raw = f.read()
        self.v = json.loads(self.raw)

    def run(self):
        ck, v = self.ck, self.v
        ck.equal("layout is json.dumps(indent=2)", json.dumps(v, indent=2) + "\n" == self.raw, True)
        ck.equal("generated", v["generated"], GENERATED)
        ck.equal("specification", v["specification"], SPECIFICATION)
        bh = self.manifest()
        pk = self.credential(bh)
        bhash, code = self.ballot(bh, pk)
        self.audited_ballot(bh, pk)
        self.tracking_codes()
        self.contexts()
        entries = self.record(bhash)
        self.commission_orders(bh, entries)
        self.coefficient_proofs(bh, entries)
        self.receipt(code, entries)

    def manifest(self):
        m = self.v["manifest"]
        bh = base_hash(m["fields"])
        self.ck.equal("manifest base_hash (3.5)", bh.hex(), m["base_hash"])
        self.ck.equal("manifest group", m["fields"]["group"], self.v["group"])
        f = m["fields"]
        keys = [("board_key", f["board_key"]), ("commission_key", f["commission_key"]),
                ("registrar_statement_key", f["registrar_statement_key"])]
        keys += [("trustee %d signing_key" % t["index"], t["signing_key"]) for t in f["trustees"]]
        for what, k in keys:
            self.ck.check("manifest %s is a valid Ed25519 key (3.3, crypto 10.3)" % what,
                          ed25519_key_valid(unhex(k)))
        return unhex(m["base_hash"])

    def credential(self, bh):
        ck, c = self.ck, self.v["credential"]
        pk = ed25519_public_key(seed_of(self.v["label_prefix"], c["seed_label"]))
        ck.equal("credential seed", seed_of(self.v["label_prefix"], c["seed_label"]).hex(), c["seed"])
        ck.equal("credential public_key from seed", pk.hex(), c["public_key"])
        ck.check("credential public_key is a valid Ed25519 key (4.5, crypto 10.3)", ed25519_key_valid(pk))
        cm = credential_message(bh, pk)
        ck.equal("credential_message (4.1)", cm.hex(), c["credential_message"])
        ck.equal("registrar_message = randomizer || cm (4.1)", (unhex(c["randomizer"]) + cm).hex(),
                 c["registrar_message"])
        return pk

    def ballot(self, bh, pk):
        ck, b = self.ck, self.v["ballot"]
        f = b["fields"]
        ck.equal("ballot credential public_key", f["credential"]["public_key"], pk.hex())
        ck.equal("ballot credential randomizer", f["credential"]["randomizer"], self.v["credential"]["randomizer"])
        h = ballot_hash(bh, f)
        ck.equal("ballot_hash (4.4)", h.hex(), b["ballot_hash"])
        sig = unhex(f["signature"])
        ck.check("ballot signature verifies (4.4)", ed25519_verify(pk, h, sig))
        rk = self.v["manifest"]["fields"]["registrar_key"]
        msg = unhex(self.v["credential"]["registrar_message"])
        reg = (unhex(rk["modulus"]), unhex(rk["exponent"]))
        ck.check("registrar signature verifies (4.1, RSASSA-PSS SHA-384)",
                 rsa_pss_sha384_verify(*reg, msg, unhex(f["credential"]["signature"])))
        ck.check("registrar signature over another message fails",
                 not rsa_pss_sha384_verify(*reg, msg[:-1] + bytes([msg[-1] ^ 1]), unhex(f["credential"]["signature"])))
        ck.check("altered ballot hash: signature fails", not ed25519_verify(pk, bytes([h[0] ^ 1]) + h[1:], sig))
        seed = seed_of(self.v["label_prefix"], self.v["credential"]["seed_label"])
        ck.equal("ballot signature re-signed (RFC 8032)", ed25519_sign(seed, h).hex(), f["signature"])
        c = ciphertexts_hash(bh, f)
        ck.equal("ballot ciphertexts_hash (4.4)", c.hex(), b["ciphertexts_hash"])
        code, d = tracking_code(c)
        ck.equal("ballot tracking_digest (4.4)", d.hex(), b["tracking_digest"])
        ck.equal("ballot tracking_code (4.4)", code, b["tracking_code"])
        return h, code

    def audited_ballot(self, bh, cred_pk):
        """protocol.md 6: the audited ballot, built under a one-time key."""
        ck, a = self.ck, self.v["audited_ballot"]
        f, b = a["fields"], a["fields"]["ballot"]
        cr = b["credential"]
        seed = seed_of(self.v["label_prefix"], a["one_time_seed_label"])
        ck.equal("audited one_time_seed", seed.hex(), a["one_time_seed"])
        pk = ed25519_public_key(seed)
        ck.equal("audited one-time key from seed", pk.hex(), a["one_time_public_key"])
        ck.equal("audited ballot's key is the one-time key (6)", cr["public_key"], pk.hex())
        ck.check("audited one-time key is a valid Ed25519 key (4.5 step 1)", ed25519_key_valid(pk))
        ck.check("audited one-time key is not the credential's (6)", pk != cred_pk)
        ck.equal("audited ballot: no randomizer (6 step 1)", cr["randomizer"], "")
        ck.equal("audited ballot: no registrar signature (6 step 1)", cr["signature"], "")
        h = ballot_hash(bh, b)
        ck.equal("audited ballot_hash (4.4)", h.hex(), a["ballot_hash"])
        ck.check("audited signature verifies under the one-time key (4.5 step 3)",
                 ed25519_verify(pk, h, unhex(b["signature"])))
        ck.equal("audited signature re-signed (RFC 8032)", ed25519_sign(seed, h).hex(), b["signature"])
        c = ciphertexts_hash(bh, b)
        ck.equal("audited ciphertexts_hash (4.4)", c.hex(), a["ciphertexts_hash"])
        ck.equal("audited tracking_code (4.4)", tracking_code(c)[0], a["tracking_code"])
        # none of the credential's bytes is in the audited ballot
        blob = unhex(a["protobuf"])
        cred = self.v["ballot"]["fields"]["credential"]
        for what in ("public_key", "randomizer", "signature"):
            ck.check("audited ballot holds no byte string of the credential's %s (6)" % what,
                     unhex(cred[what]) not in blob)
        try:
            import check_crypto_vectors as cv
        except ImportError as e:
            ck.check("check_crypto_vectors.py next to this file", False, str(e))
            return
        G = cv.Ristretto255()
        K = G.dec(unhex(a["joint_public_key"]))
        ok_proofs, other_key, ok_reveal = True, False, True
        for ci, (ec, rc) in enumerate(zip(b["contests"], f["contests"])):
            for j, (sel, rv) in enumerate(zip(ec["selections"], rc["selections"])):
                alpha, beta = G.dec(unhex(sel["alpha"])), G.dec(unhex(sel["beta"]))
                cs = [G.sdec(unhex(x)) for x in sel["proof"]["c"]]
                vs = [G.sdec(unhex(x)) for x in sel["proof"]["v"]]
                t = cv.range_transcript(G, (bh, proof_ctx(pk, ci, j)), K, alpha, beta, 0, 1)
                ok_proofs &= cv.disjunctive_verify(G, t, K, alpha, beta, 0, 1, cs, vs)
                t = cv.range_transcript(G, (bh, proof_ctx(cred_pk, ci, j)), K, alpha, beta, 0, 1)
                other_key |= cv.disjunctive_verify(G, t, K, alpha, beta, 0, 1, cs, vs)
                r, m = G.sdec(unhex(rv["randomness"])), rv["value"]
                ok_reveal &= m in (0, 1) and cv.eq(G, G.exp(G.g, r), alpha) and \
                    cv.eq(G, cv.exp2(G, G.g, m, K, r), beta)
            ck.check("audited contest %d: one revealed value per selection (6)" % ci,
                     len(rc["selections"]) == len(ec["selections"]))
        ck.check("audited 0/1 proofs verify under ctx(one-time key) (4.3, crypto 5.3)", ok_proofs)
        ck.check("audited 0/1 proofs fail under ctx(credential key)", not other_key)
        ck.check("audited revealed values re-encrypt: (g^r, g^m K^r) = (alpha, beta) (6)", ok_reveal)
        opens = [e for e in self.v["record"]["entries"] if e["type_name"] == "ENTRY_TYPE_ELECTION_OPEN"]
        ck.check("joint_public_key is the record's ELECTION_OPEN joint key",
                 len(opens) == 1 and unhex(a["joint_public_key"]) in unhex(opens[0]["payload"]))

    def tracking_codes(self):
        for i, t in enumerate(self.v["tracking_codes"]):
            code, d = tracking_code(unhex(t["ciphertexts_hash"]))
            self.ck.equal("tracking_codes[%d] digest" % i, d.hex(), t["digest"])
            self.ck.equal("tracking_codes[%d] code" % i, code, t["tracking_code"])

    def contexts(self):
        for i, c in enumerate(self.v["proof_contexts"]):
            ctx = proof_ctx(unhex(c["public_key"]), c["contest"], c["option"])
            self.ck.equal("proof_contexts[%d] ctx (4.3)" % i, ctx.hex(), c["ctx"])

    def coefficient_proofs(self, bh, entries):
        """5.2: the key ceremony's Schnorr contexts, and the coefficient proof of
        the record's KEY_REVEAL verified with its context (and not another's)."""
        ck = self.ck
        for n, c in enumerate(self.v["coefficient_proof_contexts"]):
            ck.equal("coefficient_proof_contexts[%d] ctx (5.2)" % n,
                     coefficient_proof_ctx(c["trustee_index"], c["coefficient"]).hex(), c["ctx"])
        p = self.v["coefficient_proof"]
        i, j = p["trustee_index"], p["coefficient"]
        parts = [unhex(p[k]) for k in ("commitment", "c", "v")]
        reveals = [unhex(e["payload"]) for e in entries if e["type"] == TYPE_KEY_REVEAL]
        ck.check("coefficient_proof is in the record's KEY_REVEAL",
                 len(reveals) == 1 and all(x in reveals[0] for x in parts))
        try:
            ok = schnorr_verify(bh, coefficient_proof_ctx(i, j), *parts)
            other = schnorr_verify(bh, coefficient_proof_ctx(i, j + 1), *parts)
        except ImportError as e:
            ok, other = False, True
            ck.check("check_crypto_vectors.py next to this file", False, str(e))
        ck.check("coefficient_proof verifies with ctx(i, j) (5.2, crypto 5.1)", ok)
        ck.check("coefficient_proof with ctx(i, j + 1) fails", not other)

    def record(self, bhash):
        ck, v, r = self.ck, self.v, self.v["record"]
        seed = seed_of(v["label_prefix"], r["board_seed_label"])
        ck.equal("board seed", seed.hex(), r["board_seed"])
        board = ed25519_public_key(seed)
        ck.equal("board public key from seed", board.hex(), r["board_public_key"])
        ck.equal("board_key in the manifest (7.2)", v["manifest"]["fields"]["board_key"], r["board_public_key"])
        prev = bytes(HASH_BYTES)
        entries = r["entries"]
        ck.check("record has entries", len(entries) >= 2)
        for i, e in enumerate(entries):
            name = "entry %d" % i
            ck.equal(name + " seq (7.1)", e["seq"], i)
            ck.equal(name + " prev_hash (7.1)", e["prev_hash"], prev.hex())
            ck.equal(name + " type_name", e["type_name"], ENTRY_TYPES.get(e["type"], "?"))
            h = entry_hash(e["seq"], unhex(e["prev_hash"]), e["type"], unhex(e["payload"]))
            ck.equal(name + " entry_hash (7.2)", h.hex(), e["entry_hash"])
            sig = unhex(e["signature"])
            ck.check(name + " board signature verifies (7.2)", ed25519_verify(board, h, sig))
            ck.equal(name + " board signature re-signed", ed25519_sign(seed, h).hex(), e["signature"])
            prev = h
        ck.equal("entry 0 is the manifest (7.1)", entries[0]["type"], TYPE_MANIFEST)
        ck.equal("entry 0 payload is the manifest's protobuf", entries[0]["payload"], v["manifest"]["protobuf"])
        ballots = [e for e in entries if e["type"] == TYPE_BALLOT]
        ck.check("one ballot entry, the ballot's protobuf",
                 len(ballots) == 1 and ballots[0]["payload"] == v["ballot"]["protobuf"])
        audits = [e for e in entries if e["type"] == TYPE_AUDITED_BALLOT]
        ck.check("one audited ballot entry before the ballot, the audited ballot's protobuf",
                 len(audits) == 1 and audits[0]["payload"] == v["audited_ballot"]["protobuf"] and
                 len(ballots) == 1 and audits[0]["seq"] < ballots[0]["seq"])
        ck.equal("head_hash (7.3)", prev.hex(), r["head_hash"])
        return entries

    # protocol.md §12.4: the entries the commission orders, and the field
    # number of commission_signature in each one's payload (vybar.proto)
    ORDERED = {"ELECTION_OPEN": (1, 3), "ELECTION_CLOSE": (2, 2), "ENCRYPTED_TALLY": (3, 3), "RESULT": (4, 3)}

    def commission_orders(self, bh, entries):
        """Every entry the commission orders carries its signature over
        H("vybar/v1/admin-action", base_hash, u64(action), prev_hash) (§12.4, V1.8)."""
        ck, v, c = self.ck, self.v, self.v["commission_orders"]
        seed = seed_of(v["label_prefix"], c["commission_seed_label"])
        ck.equal("commission seed", seed.hex(), c["commission_seed"])
        pk = ed25519_public_key(seed)
        ck.equal("commission public key from seed", pk.hex(), c["commission_public_key"])
        ck.equal("commission_key in the manifest", v["manifest"]["fields"]["commission_key"], pk.hex())
        want = [e["seq"] for e in entries if ENTRY_TYPES.get(e["type"], "?")[len("ENTRY_TYPE_"):] in self.ORDERED]
        ck.equal("one commission order per entry it orders", [o["seq"] for o in c["entries"]], want)
        for o in c["entries"]:
            e = entries[o["seq"]]
            name = "entry %d %s" % (o["seq"], o["type_name"])
            action, field = self.ORDERED[o["type_name"]]
            ck.equal(name + " action (12.1)", o["action"], action)
            ck.equal(name + " prev_hash", o["prev_hash"], e["prev_hash"])
            h = H(TAG_ADMIN_ACTION, bh, u64(action), unhex(e["prev_hash"]))
            ck.equal(name + " admin_hash (12.1)", h.hex(), o["admin_hash"])
            sig = unhex(o["commission_signature"])
            ck.check(name + " commission signature verifies (12.4)", ed25519_verify(pk, h, sig))
            ck.equal(name + " commission signature re-signed", ed25519_sign(seed, h).hex(), o["commission_signature"])
            tagged = bytes([(field << 3) | 2, 64]) + sig
            ck.check(name + " payload ends with commission_signature (field %d)" % field,
                     unhex(e["payload"]).endswith(tagged))

    def receipt(self, code, entries):
        ck, rc = self.ck, self.v["receipt"]
        board = unhex(self.v["record"]["board_public_key"])
        seed = unhex(self.v["record"]["board_seed"])
        ck.equal("receipt tracking_code", rc["tracking_code"], code)
        ok = 0 <= rc["seq"] < len(entries)
        ck.check("receipt seq names an entry", ok)
        if ok:
            e = entries[rc["seq"]]
            ck.equal("receipt entry is the ballot", e["type"], TYPE_BALLOT)
            ck.equal("receipt head_hash is the ballot entry's hash (7.5)", rc["head_hash"], e["entry_hash"])
        h = receipt_hash(rc["tracking_code"], rc["seq"], unhex(rc["head_hash"]))
        ck.equal("receipt_hash (7.5)", h.hex(), rc["receipt_hash"])
        sig = unhex(rc["signature"])
        ck.check("receipt signature verifies (7.5)", ed25519_verify(board, h, sig))
        ck.check("receipt with another seq fails",
                 not ed25519_verify(board, receipt_hash(rc["tracking_code"], rc["seq"] + 1,
                                                        unhex(rc["head_hash"])), sig))
        ck.equal("receipt signature re-signed", ed25519_sign(seed, h).hex(), rc["signature"])


def self_test(ck):
    """This file's Ed25519 against RFC 8032 section 7.1 TEST 1."""
    t = RFC8032_TEST1
    seed, pk, sig = unhex(t["secret"]), unhex(t["public"]), unhex(t["signature"])
    ck.equal("RFC 8032 TEST 1 public key", ed25519_public_key(seed).hex(), t["public"])
    ck.equal("RFC 8032 TEST 1 signature", ed25519_sign(seed, b"").hex(), t["signature"])
    ck.check("RFC 8032 TEST 1 verifies", ed25519_verify(pk, b"", sig))
    ck.check("RFC 8032 TEST 1 key is valid", ed25519_key_valid(pk))
    ck.check("RFC 8032 TEST 1 other message fails", not ed25519_verify(pk, b"x", sig))


def main(argv):
    here = os.path.dirname(os.path.abspath(__file__))
    vector_dir = argv[1] if len(argv) > 1 else os.path.join(here, "..", "vectors")
    ck = Checker()
    self_test(ck)
    path = os.path.join(vector_dir, FILE_NAME)
    try:
        VectorFile(ck, path).run()
    except (OSError, KeyError, TypeError, ValueError, IndexError) as e:
        ck.check(FILE_NAME, False, "cannot read: %s: %s" % (type(e).__name__, e))
    print("%d passed, %d failed" % (ck.passed, ck.failed))
    return 1 if ck.failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
