#!/usr/bin/env bash
# The 2024 Coordination Council election, end to end, with the real programs
# over HTTP on 127.0.0.1 (`make demo`):
#   keys: a board, a registrar, the commission, 5 trustees (threshold 3),
#   3 witnesses (vybar-witness; the tally needs 2 of their cosignatures);
#   the manifest (vybar-commission manifest from bench/council-2024.json, the
#   commission's election description, specs/commission.md): one closed
#   party-list contest, 80 seats, 3 % threshold, Hare over all valid votes
#   with largest remainders, gender rule 2 of every 5, 11 lists;
#   6,723 voters register (three with the real vybar-vote, the others with
#   bench/demo_voters.c in one process), then registration closes
#   (vybar-registrar close), before voting opens (specs/security.md §3.7);
#   the key ceremony through the board with vybar-trustee; open
#   (vybar-commission admin);
#   the voters cast (the three with vybar-vote: an audit, a revote, a
#   check); some audit, some revote;
#   close, the registrar's issued statement (vybar-commission publish-issued),
#   tally, cosigned by the witnesses (the WITNESSED entry), 3 of 5 trustees
#   decrypt that tally, result; the record saved (vybar-verify
#   fetch) and verified, with the verified result, the seats and the
#   elected printed (vybar-verify record URL --result).
#
# usage: bench/demo.sh [BUILD_DIR]        (default: build)
# environment: DEMO_VOTERS (default 6723; the totals are scaled to it),
#   DEMO_DIR (default: a new /tmp/vybar-demo.XXXXXX, kept afterwards),
#   DEMO_THREADS (voter threads, default 16),
#   DEMO_KEEP=1: once the voters have cast, print the booth's address and
#   keep the election open for a person to vote from a browser, for
#   DEMO_KEEP_SECONDS (default 900) or until Enter is pressed.
# Exit status 0 only if every step succeeded and the verifier says OK.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "${1:-$ROOT/build}" && pwd)
BIN_BOARD=$BUILD/bulletin/vybar-board
BIN_COMMISSION=$BUILD/commission/vybar-commission
BIN_REG=$BUILD/registrar/vybar-registrar
BIN_TRUSTEE=$BUILD/trustee/vybar-trustee
BIN_VOTE=$BUILD/client/vybar-vote
BIN_VERIFY=$BUILD/verifier/vybar-verify
BIN_VOTERS=$BUILD/bench/demo_voters
BIN_WITNESS=$BUILD/witness/vybar-witness

FULL_VOTERS=6723
VOTERS=${DEMO_VOTERS:-$FULL_VOTERS}
THREADS=${DEMO_THREADS:-16}
ELECTION=$ROOT/bench/council-2024.json
TRUSTEES=5
THRESHOLD=$(grep -o '"threshold": *[0-9]*' "$ELECTION" | grep -o '[0-9]*$') # the description's
DECIDERS="1 3 5"
WITNESSES=3
WITNESS_THRESHOLD=2 # cosignatures the tally needs before a trustee decrypts it
RESERVED=3          # voters who use the real vybar-vote
AUDIT_EVERY=50      # every 50th simulated voter audits a ballot first
REVOTE_EVERY=40     # every 40th casts for another list first, then revotes
# The 2024 totals, in the manifest's list order (bench/council-2024.json).
LIST_NAMES=("Solidarity" "Liberty" "European Choice" "Our Cause" "Voice of Diasporas"
	"Independent Belarusians" "Prakopjeu-Jahorau Bloc" "Team Latushka and Movement for Freedom"
	"Down with Fear!" "Strana Dlya Zhizni" "Youth Offensive")
FULL_TOTALS=(104 432 605 489 184 616 1050 2358 226 61 598)

for b in "$BIN_BOARD" "$BIN_COMMISSION" "$BIN_REG" "$BIN_TRUSTEE" "$BIN_VOTE" "$BIN_VERIFY" "$BIN_VOTERS" "$BIN_WITNESS"; do
	[ -x "$b" ] || { echo "demo: $b is missing (build first: make demo)" >&2; exit 1; }
done
if [ "$VOTERS" -lt "$((RESERVED + 1))" ]; then
	echo "demo: DEMO_VOTERS must be at least $((RESERVED + 1))" >&2
	exit 1
fi

D=${DEMO_DIR:-$(mktemp -d /tmp/vybar-demo.XXXXXX)}
mkdir -p "$D"
chmod 700 "$D"
PIDS=()

# Stop every server this script started (also on Ctrl-C).
cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	for p in "${PIDS[@]}"; do
		kill -TERM "$p" 2>/dev/null || true
	done
	for p in "${PIDS[@]}"; do
		wait "$p" 2>/dev/null || true
	done
	exit "$rc"
}
trap cleanup EXIT
trap 'echo; echo "demo: interrupted" >&2; exit 130' INT TERM

now() { date +%s.%N; }
T_START=$(now)
T_PHASE=$T_START
PHASES=()
# End the current phase: its time, printed and kept for the summary.
phase_done() {
	local t
	t=$(now)
	PHASES+=("$(awk -v a="$T_PHASE" -v b="$t" -v n="$1" 'BEGIN { printf "  %-40s %7.1f s", n, b - a }')")
	echo "${PHASES[-1]}"
	T_PHASE=$t
}
step() { echo "== $*"; }

# The totals scaled to VOTERS (largest remainders), or the real ones.
scale_totals() {
	if [ "$VOTERS" -eq "$FULL_VOTERS" ]; then
		(IFS=,; echo "${FULL_TOTALS[*]}")
		return
	fi
	printf '%s\n' "${FULL_TOTALS[@]}" | awk -v n="$VOTERS" -v full="$FULL_VOTERS" '
		{ q = $1 * n / full; v[NR] = int(q); r[NR] = q - int(q); s += int(q); k = NR }
		END {
			for (left = n - s; left > 0; left--) {
				best = 0
				for (i = 1; i <= k; i++) if (best == 0 || r[i] > r[best]) best = i
				v[best]++; r[best] = -1
			}
			for (i = 1; i <= k; i++) printf "%s%d", (i > 1 ? "," : ""), v[i]
			printf "\n"
		}'
}
TOTALS=$(scale_totals)

# Wait for a server's port file; its URL.
wait_port() {
	local file=$1 pid=$2 i
	for i in $(seq 1 200); do
		if [ -s "$file" ]; then
			echo "http://127.0.0.1:$(tr -d '\n' <"$file")"
			return 0
		fi
		kill -0 "$pid" 2>/dev/null || { echo "demo: a server did not start" >&2; return 1; }
		sleep 0.05
	done
	echo "demo: a server did not start in time" >&2
	return 1
}

# A TCP port on 127.0.0.1 that was free a moment ago (the board's: the
# witnesses must know the board's URL before the board knows theirs).
free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# One trustee command for trustee k on the board. A decryption the tally's
# cosignatures have not yet reached (the witnesses check every entry first)
# is tried again, for up to a minute; any other refusal is final.
trustee() {
	local cmd=$1 k=$2 log=$D/logs/trustee-$2-$1.log i
	for i in $(seq 1 120); do
		if "$BIN_TRUSTEE" "$cmd" --dir "$D/trustee-$k" --passphrase-file "$D/trustee-$k.pass" --board "$BOARD" \
			>"$log" 2>&1; then
			return 0
		fi
		[ "$cmd" = decrypt ] && grep -q 'not yet co-signed' "$log" || break
		sleep 0.5
	done
	echo "demo: trustee $k $cmd failed:" >&2
	cat "$log" >&2
	return 1
}

# Run a trustee command for several trustees at once.
trustees_round() {
	local cmd=$1 k pids=() rc=0
	shift
	for k in "$@"; do
		trustee "$cmd" "$k" &
		pids+=($!)
	done
	for p in "${pids[@]}"; do wait "$p" || rc=1; done
	return $rc
}

echo "Vybar demo: the 2024 Coordination Council election, $VOTERS voters, $TRUSTEES trustees (threshold $THRESHOLD)"
echo "files: $D"
mkdir -p "$D/board" "$D/registrar" "$D/commission" "$D/voters" "$D/logs"

step "keys: board, commission, registrar, $TRUSTEES trustees, $WITNESSES witnesses"
BOARD_PK=$("$BIN_BOARD" keygen --out "$D/board/key")
# Each witness's key name and public key, one "NAME HEX" line each, as the
# commission puts them into the manifest (--witnesses).
: >"$D/witnesses.txt"
for w in $(seq 1 $WITNESSES); do
	"$BIN_WITNESS" keygen --dir "$D/witness-$w" --name "witness-$w.demo.vybar.example" >>"$D/witnesses.txt"
done
COMMISSION_PK=$("$BIN_COMMISSION" keygen --out "$D/commission/key")
: >"$D/trustee-pks.txt"
for k in $(seq 1 $TRUSTEES); do
	(umask 077; echo "demo passphrase of trustee $k" >"$D/trustee-$k.pass")
done
# The registrar's RSA key (a prime search: seconds, and they vary) and the
# trustees' keys (Argon2id) are made side by side, as they would be on
# their own machines.
pids=()
"$BIN_REG" init --dir "$D/registrar/state" --manifest-out-key "$D/registrar/public-keys.pb" \
	>"$D/logs/registrar-init.log" 2>&1 &
pids+=($!)
for k in $(seq 1 $TRUSTEES); do
	"$BIN_TRUSTEE" keygen --dir "$D/trustee-$k" --passphrase-file "$D/trustee-$k.pass" \
		>"$D/logs/trustee-$k-keygen.log" 2>&1 &
	pids+=($!)
done
for p in "${pids[@]}"; do
	wait "$p" || { echo "demo: a key generation failed; see $D/logs" >&2; exit 1; }
done
for k in $(seq 1 $TRUSTEES); do
	grep -E '^[0-9a-f]{64}$' "$D/logs/trustee-$k-keygen.log" | tail -n 1 >>"$D/trustee-pks.txt"
done
"$BIN_REG" roll --dir "$D/registrar/state" --count "$VOTERS" --out "$D/registrar/codes.txt" \
	>"$D/logs/registrar-roll.log" 2>&1
phase_done "keys and voter roll ($VOTERS codes)"

step "manifest: 80 seats, 3 % threshold, Hare (all votes), gender rule 2 of 5, 11 lists"
"$BIN_COMMISSION" manifest --election "$ELECTION" --registrar-keys "$D/registrar/public-keys.pb" \
	--board-pk "$BOARD_PK" --commission-pk "$COMMISSION_PK" --trustee-pks "$D/trustee-pks.txt" \
	--witnesses "$D/witnesses.txt" --witness-threshold "$WITNESS_THRESHOLD" --out "$D/manifest.pb"
# The board's port first: the registrar lets the booth the board serves
# register from the browser (--booth-origin, specs/registrar.md §4.4).
BOARD_PORT=$(free_port)
"$BIN_REG" serve --dir "$D/registrar/state" --manifest "$D/manifest.pb" --listen 127.0.0.1 --port 0 \
	--port-file "$D/registrar/port" --booth-origin "http://127.0.0.1:$BOARD_PORT" 2>"$D/logs/registrar.log" &
PIDS+=($!)
REGISTRAR=$(wait_port "$D/registrar/port" "${PIDS[-1]}")
# The voters' booth in the browser, when it was built (emscripten).
BOOTH_ARGS=()
if [ -f "$BUILD/booth/booth.js" ]; then
	BOOTH_ARGS=(--booth "$BUILD/booth" --booth-registrar "$REGISTRAR")
fi
# The witnesses follow the board (they wait for it to come up), check every
# entry, and cosign each checkpoint the board sends them; the board posts
# their cosignatures to the record.
WITNESS_ARGS=()
WITNESS_URLS=()
for w in $(seq 1 $WITNESSES); do
	"$BIN_WITNESS" serve --dir "$D/witness-$w" --board "http://127.0.0.1:$BOARD_PORT" --listen 127.0.0.1 \
		--port 0 --port-file "$D/witness-$w/port" 2>"$D/logs/witness-$w.log" &
	PIDS+=($!)
	WITNESS_URLS+=("$(wait_port "$D/witness-$w/port" "${PIDS[-1]}")")
	WITNESS_ARGS+=(--witness "${WITNESS_URLS[-1]}")
done
"$BIN_BOARD" serve --db "$D/board/record.db" --key "$D/board/key" --manifest "$D/manifest.pb" \
	--listen 127.0.0.1 --port "$BOARD_PORT" --port-file "$D/board/port" "${WITNESS_ARGS[@]}" "${BOOTH_ARGS[@]}" \
	--rate 1000000 --burst 1000000 --per-ip-limit 1024 2>"$D/logs/board.log" &
PIDS+=($!)
BOARD=$(wait_port "$D/board/port" "${PIDS[-1]}")
echo "board $BOARD, registrar $REGISTRAR"
if [ ${#BOOTH_ARGS[@]} -gt 0 ]; then
	echo "booth: $BOARD/booth/ (the voters' booth in a browser)"
fi
for w in $(seq 1 $WITNESSES); do
	echo "witness $w: ${WITNESS_URLS[$((w - 1))]} (its copy of the record: ${WITNESS_URLS[$((w - 1))]}/v1/record)"
done
echo "the tally needs $WITNESS_THRESHOLD of the $WITNESSES witnesses' cosignatures before a trustee decrypts it"
phase_done "manifest; board, witnesses, registrar up"

step "registration: $VOTERS voters register ($RESERVED with vybar-vote, $((VOTERS - RESERVED)) simulated in-process)"
# Everyone registers before voting opens, and registration closes first:
# no count moves while ballots arrive, so the times of registrations and
# ballots link nobody (specs/security.md §3.7). The simulated voters
# keep their credentials in memory and wait (--wait-before-cast) while
# registration closes and the key ceremony runs.
RESERVED_LIST=8
head -n "$RESERVED" "$D/registrar/codes.txt" >"$D/voters/reserved-codes.txt"
tail -n "+$((RESERVED + 1))" "$D/registrar/codes.txt" >"$D/voters/simulated-codes.txt"
SIM_TOTALS=$(echo "$TOTALS" | awk -F, -v l=$RESERVED_LIST -v r=$RESERVED \
	'{ $l -= r; for (i = 1; i <= NF; i++) printf "%s%d", (i > 1 ? "," : ""), $i; printf "\n" }')
# One vybar-vote command of reserved voter n; its output goes to its log.
vote() {
	local n=$1
	shift
	"$BIN_VOTE" "$@" >>"$D/logs/vybar-vote-$n.log" 2>&1 ||
		{ echo "demo: vybar-vote $1 failed:" >&2; cat "$D/logs/vybar-vote-$n.log" >&2; return 1; }
}
n=0
while read -r code; do
	n=$((n + 1))
	# The credential file is sealed under the voter's passphrase (Argon2id):
	# vybar-vote reads it from --passphrase-file here, from the terminal otherwise.
	(umask 077; echo "demo passphrase of voter $n" >"$D/voters/vybar-vote-$n.pass")
	vote $n register --board "$BOARD" --registrar "$REGISTRAR" --code "$code" \
		--credential "$D/voters/vybar-vote-$n.pb" --passphrase-file "$D/voters/vybar-vote-$n.pass"
done <"$D/voters/reserved-codes.txt"
echo "  vybar-vote: $RESERVED voters registered"
coproc SIM { "$BIN_VOTERS" --board "$BOARD" --registrar "$REGISTRAR" --codes "$D/voters/simulated-codes.txt" \
	--dir "$D/voters" --totals "$SIM_TOTALS" --threads "$THREADS" --audit-every $AUDIT_EVERY \
	--revote-every $REVOTE_EVERY --wait-before-cast; }
SIM_IN=${SIM[1]}
read -r registered <&"${SIM[0]}" || { echo "demo: the simulated voters did not all register" >&2; exit 1; }
echo "  demo_voters: ${registered#registered } voters registered"
"$BIN_REG" close --dir "$D/registrar/state" | sed 's/^/  /'
phase_done "registration ($VOTERS voters), closed"

step "key ceremony through the board (vybar-trustee announce, reveal, verdict)"
ALL=$(seq 1 $TRUSTEES)
# shellcheck disable=SC2086
for round in announce reveal verdict; do
	trustees_round $round $ALL
	echo "  $round: $TRUSTEES of $TRUSTEES"
done
"$BIN_COMMISSION" admin --board "$BOARD" --key "$D/commission/key" open
phase_done "key ceremony and open"

step "voting: $VOTERS voters cast ($RESERVED with vybar-vote, $((VOTERS - RESERVED)) simulated in-process)"
# The reserved voters first, with the real program (one audits first, one
# revotes, one checks its receipt), all for list RESERVED_LIST.
# vybar-vote register gave each an earliest cast time, up to a day after
# voting opens (client.md §6.2), and cast waits for it: the demo runs the
# days of an election in minutes, so its voters cast at once with
# --cast-now, which a real voter uses only knowing the risk. Here the risk
# is nil: registration closed before voting opened.
# (vybar-vote refetches the whole record each time; see the report.)
n=0
while read -r code; do
	n=$((n + 1))
	cred=$D/voters/vybar-vote-$n.pb
	pass=$D/voters/vybar-vote-$n.pass
	rcpt=$D/voters/vybar-vote-$n-receipt.pb
	cast=(cast --board "$BOARD" --credential "$cred" --passphrase-file "$pass" --yes --cast-now)
	case $n in
	1)
		vote $n "${cast[@]}" --choice "1=$RESERVED_LIST" --audit --receipt "$rcpt"
		echo "  vybar-vote: voter $n audited a ballot, then cast a fresh one";;
	2)
		vote $n "${cast[@]}" --choice "1=1" --receipt "$rcpt.first"
		vote $n "${cast[@]}" --choice "1=$RESERVED_LIST" --receipt "$rcpt"
		echo "  vybar-vote: voter $n cast, then revoted";;
	*)
		vote $n "${cast[@]}" --choice "1=$RESERVED_LIST" --receipt "$rcpt"
		# against the board and against witness 1's copy of the record
		vote $n check --board "$BOARD" --receipt "$rcpt" --witness "${WITNESS_URLS[0]}"
		echo "  vybar-vote: voter $n cast and checked its receipt with the board and witness 1";;
	esac
done <"$D/voters/reserved-codes.txt"
echo cast >&"$SIM_IN"
wait "$SIM_PID" || { echo "demo: the simulated voters failed" >&2; exit 1; }
# DEMO_KEEP=1: a person votes in the open election from a browser, as
# vybar-vote voter 3 (registration is closed: the booth imports that
# voter's credential file); a ballot cast there replaces voter 3's.
if [ "${DEMO_KEEP:-0}" = 1 ]; then
	KEEP=${DEMO_KEEP_SECONDS:-900}
	if [ ${#BOOTH_ARGS[@]} -gt 0 ]; then
		echo "  booth: open $BOARD/booth/ in a browser on this machine"
		echo "  vote as voter 3: import $D/voters/vybar-vote-3.pb, passphrase \"$(cat "$D/voters/vybar-vote-3.pass")\""
		echo "  check a receipt: $BOARD/booth/check.html; the board's page: $BOARD/"
	else
		echo "  no booth: $BUILD/booth/booth.js was not built (install emscripten: make deps, make build)"
	fi
	if [ -t 0 ]; then
		echo "  voting stays open for $KEEP s (DEMO_KEEP_SECONDS), or until Enter is pressed"
		read -r -t "$KEEP" _ || true
	else
		echo "  voting stays open for $KEEP s (DEMO_KEEP_SECONDS)"
		sleep "$KEEP"
	fi
fi
phase_done "voting ($VOTERS voters)"

step "close, the registrar's issued statement, tally"
"$BIN_COMMISSION" admin --board "$BOARD" --key "$D/commission/key" close
"$BIN_COMMISSION" publish-issued --board "$BOARD" --registrar "$REGISTRAR"
"$BIN_COMMISSION" admin --board "$BOARD" --key "$D/commission/key" tally
phase_done "close, issued statement, tally"

step "partial decryptions: trustees $DECIDERS of $TRUSTEES, of the tally the witnesses cosigned (vybar-trustee decrypt --board)"
# shellcheck disable=SC2086
trustees_round decrypt $DECIDERS
"$BIN_COMMISSION" admin --board "$BOARD" --key "$D/commission/key" result
phase_done "decryption and result"

step "the record, saved to a file (vybar-verify fetch: every page of GET /v1/record)"
"$BIN_VERIFY" fetch "$BOARD" --out "$D/record.vybar"
phase_done "record saved"

step "vybar-verify record $BOARD --result: every check, then the verified result"
set +e
"$BIN_VERIFY" record "$BOARD" --result --jobs "$(nproc 2>/dev/null || echo 2)" | tee "$D/verify.txt"
vrc=${PIPESTATUS[0]}
set -e
# The result (seat table, elected candidates) as printed once verified.
sed -n '/^Result (entry /,$p' "$D/verify.txt" >"$D/result.txt"
phase_done "verification of the whole record"
if [ "$vrc" -ne 0 ]; then
	# Tell a bad record from a verifier that did not read all of it.
	echo "demo: vybar-verify record $BOARD exited $vrc; the saved record file, for comparison:"
	"$BIN_VERIFY" record "$D/record.vybar" --jobs "$(nproc 2>/dev/null || echo 2)" | tail -n 3 || true
	phase_done "verification of the saved record file"
fi

T_END=$(now)
echo
echo "record: $D/record.vybar (record file), $D/board/record.db (the board's SQLite store)"
echo "result: $D/result.txt (as verified)"
echo "witnesses: ${WITNESS_URLS[*]} (until this script ends; their state in $D/witness-{1..$WITNESSES})"
echo "keys:   board $D/board/key, commission $D/commission/key,"
echo "        registrar $D/registrar/state, trustees $D/trustee-{1..$TRUSTEES} (passphrases in $D/trustee-*.pass)"
echo "voters: receipts, and the sealed credentials of the vybar-vote voters (passphrases beside them), in $D/voters; logs in $D/logs"
echo "times:"
printf '%s\n' "${PHASES[@]}"
awk -v a="$T_START" -v b="$T_END" 'BEGIN { printf "  %-40s %7.1f s\n", "total", b - a }'
if [ "$vrc" -ne 0 ]; then
	echo "demo: the verifier FAILED (exit $vrc)" >&2
	exit 1
fi
echo "demo: done, the record verifies"
