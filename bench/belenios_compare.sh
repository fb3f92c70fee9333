#!/usr/bin/env bash
# belenios_compare.sh: Vybar and belenios-tool side by side on this machine,
# on the same election shape: one 1-of-11 question, N voters, one trustee.
# Method and figures: bench/README.md. Not a test: never run by ctest.
#
#   bench/belenios_compare.sh [N [CAST_SAMPLES [REPS]]]
#
#   N             voters and ballots, 1000..20000 (default 1000)
#   CAST_SAMPLES  Belenios ballots whose generation is timed one at a time
#                 (default 50; the others are generated in parallel, untimed)
#   REPS          runs of each verifier, median reported (default 3)
#
# Environment: BUILD_DIR, a CMake build of this tree (default: build; it is
# configured and built there when bench_verify is missing).
# BELENIOS_COMPARE_SMALL=1 lets N go down to 20, to try the script quickly.
#
# Belenios runs from a temporary directory (removed on exit), offline, each
# call under a time limit. belenios-tool 2.0 (Debian) is installed with
# apt-get when missing and we are root.
set -euo pipefail

N=${1:-1000}
CAST_SAMPLES=${2:-50}
REPS=${3:-3}
MIN_N=1000
MAX_N=20000
[ "${BELENIOS_COMPARE_SMALL:-0}" = 1 ] && MIN_N=20
OPTIONS=11
GROUP=BELENIOS-2048
CALL_LIMIT=600 # seconds for any single belenios-tool call
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-build}
case $BUILD_DIR in /*) ;; *) BUILD_DIR=$ROOT/$BUILD_DIR ;; esac
CORES=$(nproc)

die() { echo "belenios_compare: $*" >&2; exit 1; }

is_int() { [[ $1 =~ ^[0-9]+$ ]]; }
is_int "$N" && [ "$N" -ge "$MIN_N" ] && [ "$N" -le "$MAX_N" ] || die "N must be $MIN_N..$MAX_N"
is_int "$CAST_SAMPLES" && [ "$CAST_SAMPLES" -ge 1 ] && [ "$CAST_SAMPLES" -le "$N" ] ||
	die "CAST_SAMPLES must be 1..N"
is_int "$REPS" && [ "$REPS" -ge 1 ] && [ "$REPS" -le 15 ] || die "REPS must be 1..15"

# --- tools ---------------------------------------------------------------
if ! command -v belenios-tool > /dev/null; then
	[ "$(id -u)" = 0 ] || die "belenios-tool is missing: apt-get install belenios-tool (as root)"
	apt-get install -y belenios-tool > /dev/null || die "apt-get install belenios-tool failed"
fi
BELENIOS_VERSION=$(belenios-tool --version)
if [ ! -x "$BUILD_DIR/bench/bench_verify" ] || [ ! -x "$BUILD_DIR/verifier/vybar-verify" ]; then
	echo "building bench_verify in $BUILD_DIR ..." >&2
	cmake -S "$ROOT" -B "$BUILD_DIR" > /dev/null
	cmake --build "$BUILD_DIR" -j"$CORES" --target bench_verify vybar-verify > /dev/null
fi
BENCH_VERIFY=$BUILD_DIR/bench/bench_verify
VYBAR_VERIFY=$BUILD_DIR/verifier/vybar-verify

WORK=$(mktemp -d "${TMPDIR:-/tmp}/belenios-compare.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
export TERM=dumb BELENIOS_USE_URANDOM=1

# belenios-tool under the per-call time limit, in $WORK/el.
bt() { (cd "$WORK/el" && timeout "$CALL_LIMIT" belenios-tool "$@"); }

# The median of the numbers on stdin, one a line.
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) exit 1; print v[int((NR + 1) / 2)] }'; }

# Times are taken with bash's time keyword (wall, user and system seconds to
# the millisecond, child processes included); cpu = user + system.
TIMEFORMAT='%3R %3U %3S'

# Run "$@" once, stdout to $1, appending "wall user sys" to $2.
timed_run() {
	local out=$1 log=$2
	shift 2
	{ time timeout "$CALL_LIMIT" "$@" > "$out" 2> "$WORK/err"; } 2>> "$log" ||
		{ cat "$WORK/err" >&2; die "failed: $*"; }
}

# "wall_median cpu_median" of the "wall user sys" lines in file $1.
medians() { echo "$(awk '{ print $1 }' "$1" | median) $(awk '{ print $2 + $3 }' "$1" | median)"; }

# Run a command REPS times; print "wall_median cpu_median". Its stdout is discarded.
timed_reps() {
	local t=$WORK/times i
	: > "$t"
	for ((i = 0; i < REPS; i++)); do
		timed_run /dev/null "$t" "$@"
	done
	medians "$t"
}

# One belenios-tool call from $WORK/el, its stdout to $1; prints "wall cpu".
timed_once() {
	local out=$1 t=$WORK/once
	shift
	: > "$t"
	(cd "$WORK/el" && timed_run "$out" "$t" belenios-tool "$@")
	medians "$t"
}

# --- Belenios: setup -----------------------------------------------------
echo "Belenios ($BELENIOS_VERSION, $GROUP): setting up $N voters ..." >&2
mkdir -p "$WORK/el" "$WORK/cred" "$WORK/choice" "$WORK/ballot"
UUID=$(bt setup generate-token)
seq 1 "$N" | sed 's/^/voter/; s/$/@example.com/' > "$WORK/el/voters.txt"
bt setup generate-credentials --uuid "$UUID" --group "$GROUP" --file voters.txt > /dev/null
mv "$WORK/el/"*.pubcreds "$WORK/el/public_creds.json"
mv "$WORK/el/"*.privcreds "$WORK/privcreds.txt"
bt setup generate-trustee-key --group "$GROUP" > /dev/null 2>&1
cat "$WORK/el/"*.pubkey > "$WORK/el/public_keys.jsons"
bt setup make-trustees
rm "$WORK/el/public_keys.jsons"
mv "$WORK/el/"*.privkey "$WORK/trustee.privkey"
# The questions template: one question, 11 answers, exactly one chosen.
{
	printf '{"description":"Vybar comparison","name":"1-of-%d","questions":[' "$OPTIONS"
	printf '{"question":"Pick one","min":1,"max":1,"answers":['
	for ((j = 1; j <= OPTIONS; j++)); do
		printf '"Candidate %d"%s' "$j" "$([ "$j" -lt "$OPTIONS" ] && echo ,)"
	done
	printf ']}]}\n'
} > "$WORK/questions.json"
bt setup make-election --uuid "$UUID" --group "$GROUP" --template "$WORK/questions.json"
bt archive init
rm -f "$WORK/el/election.json" "$WORK/el/trustees.json" "$WORK/el/public_creds.json"

# Voter i (0-based) chooses answer i mod 11, as bench_verify's voters do.
i=0
while read -r _id cred; do
	echo "$cred" > "$WORK/cred/$i"
	awk -v k=$((i % OPTIONS)) -v n=$OPTIONS 'BEGIN { s = "[["; for (j = 0; j < n; j++)
		s = s (j ? "," : "") (j == k ? 1 : 0); print s "]]" }' > "$WORK/choice/$i"
	i=$((i + 1))
done < "$WORK/privcreds.txt"
[ "$i" = "$N" ] || die "expected $N credentials, got $i"

# --- Belenios: cast ------------------------------------------------------
echo "Belenios: timing $CAST_SAMPLES ballot generations one at a time ..." >&2
: > "$WORK/cast_times"
for ((i = 0; i < CAST_SAMPLES; i++)); do
	(cd "$WORK/el" && timed_run "$WORK/ballot/$i" "$WORK/cast_times" belenios-tool election generate-ballot \
		--privcred "$WORK/cred/$i" --ballot "$WORK/choice/$i")
done
read -r B_CAST_WALL B_CAST_CPU <<< "$(medians "$WORK/cast_times")"
if [ "$CAST_SAMPLES" -lt "$N" ]; then
	echo "Belenios: generating the other $((N - CAST_SAMPLES)) ballots ($CORES in parallel) ..." >&2
	export WORK CALL_LIMIT
	seq "$CAST_SAMPLES" $((N - 1)) | xargs -P "$CORES" -I{} sh -c 'cd "$WORK/el" &&
		timeout "$CALL_LIMIT" belenios-tool election generate-ballot --privcred "$WORK/cred/{}" \
		--ballot "$WORK/choice/{}" > "$WORK/ballot/{}" 2> /dev/null' || die "generate-ballot failed"
fi
echo "Belenios: adding $N ballots to the archive ..." >&2
t0=$(date +%s.%N)
for ((i = 0; i < N; i++)); do
	bt archive add-event --type=Ballot < "$WORK/ballot/$i" 2> /dev/null
done
B_ADD=$(echo "$(date +%s.%N) - $t0" | bc -l)

# --- Belenios: tally, decryption, result, verification -------------------
echo "Belenios: tally, decryption, result ..." >&2
bt archive add-event --type=EndBallots < /dev/null 2> /dev/null
read -r B_TALLY_WALL B_TALLY_CPU <<< "$(timed_once "$WORK/tally.json" election compute-encrypted-tally)"
bt archive add-event --type=EncryptedTally < "$WORK/tally.json" 2> /dev/null
read -r B_DEC_WALL B_DEC_CPU <<< "$(timed_once "$WORK/partial.json" election decrypt --privkey "$WORK/trustee.privkey" --trustee-id 1)"
bt archive add-event --type=PartialDecryption < "$WORK/partial.json" 2> /dev/null
read -r B_RES_WALL B_RES_CPU <<< "$(timed_once "$WORK/result.json" election compute-result)"
bt archive add-event --type=Result < "$WORK/result.json" 2> /dev/null
# The result must count every ballot: 11 counts adding up to N.
B_SUM=$(grep -o '"result":\[\[[0-9", ]*\]\]' "$WORK/result.json" | tr -c '0-9' ' ' |
	awk '{ for (i = 1; i <= NF; i++) s += $i } END { print s + 0 }')
[ "$B_SUM" = "$N" ] || die "Belenios result counts $B_SUM ballots, not $N"

echo "Belenios: election verify x $REPS ..." >&2
read -r B_VER_WALL B_VER_CPU <<< "$(cd "$WORK/el" && timed_reps belenios-tool election verify)"

# --- Vybar ---------------------------------------------------------------
echo "Vybar: bench_verify $N (record build, ballot build, tally) ..." >&2
"$BENCH_VERIFY" "$N" 1 "$WORK/vybar.record" > "$WORK/bench_verify.out" 2> /dev/null || die "bench_verify failed"
field() { grep "^$1" "$WORK/bench_verify.out" | grep -o '[0-9.]* ms' | head -1 | cut -d' ' -f1; }
V_CAST=$(field 'ballot build')
V_TALLY=$(field 'encrypted tally')
V_DEC=$(field 'partial decryption')
V_RES=$(field 'result')
echo "Vybar: vybar-verify --jobs 1 and --jobs $CORES x $REPS ..." >&2
read -r V_VER1_WALL V_VER1_CPU <<< "$(timed_reps "$VYBAR_VERIFY" record "$WORK/vybar.record" --jobs 1)"
read -r V_VERN_WALL V_VERN_CPU <<< "$(timed_reps "$VYBAR_VERIFY" record "$WORK/vybar.record" --jobs "$CORES")"

# --- the table -----------------------------------------------------------
# ms per ballot from seconds for N ballots, and ms from seconds.
per() { echo "$1" | awk -v n="$N" '{ printf "%.2f", 1e3 * $1 / n }'; }
ms() { echo "$1" | awk '{ printf "%.2f", 1e3 * $1 }'; }
# Vybar's ms figures as printed by bench_verify, to 2 decimals (3 below 1 ms).
vms() { echo "$1" | awk '{ printf ($1 < 1 ? "%.3f" : "%.2f"), $1 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1fx", a / b; else print "-" }'; }
row() { printf '%-44s %14s %14s %9s\n' "$1" "$2" "$3" "$4"; }

LOAD=$(cut -d' ' -f1-3 /proc/loadavg)
echo
echo "Belenios vs Vybar: one 1-of-11 question, $N ballots, 1 trustee; $CORES cores; load average $LOAD"
echo "medians: cast over $CAST_SAMPLES Belenios processes / $N Vybar builds; verify over $REPS runs"
row "" "Belenios" "Vybar" "B / V"
row "group" "$GROUP" "ristretto255" ""
row "cast, ms per ballot, wall [1]" "$(ms "$B_CAST_WALL")" "$(vms "$V_CAST")" "$(ratio "$(ms "$B_CAST_WALL")" "$V_CAST")"
row "cast, ms per ballot, CPU [1]" "$(ms "$B_CAST_CPU")" "$(vms "$V_CAST")" "$(ratio "$(ms "$B_CAST_CPU")" "$V_CAST")"
row "verify, ms per ballot, 1 core, wall [2]" "$(per "$B_VER_WALL")" "$(per "$V_VER1_WALL")" \
	"$(ratio "$(per "$B_VER_WALL")" "$(per "$V_VER1_WALL")")"
row "verify, ms per ballot, 1 core, CPU [2]" "$(per "$B_VER_CPU")" "$(per "$V_VER1_CPU")" \
	"$(ratio "$(per "$B_VER_CPU")" "$(per "$V_VER1_CPU")")"
row "verify, ms per ballot, $CORES cores, wall [3]" "$(per "$B_VER_WALL")" "$(per "$V_VERN_WALL")" \
	"$(ratio "$(per "$B_VER_WALL")" "$(per "$V_VERN_WALL")")"
row "encrypted tally, ms, wall [4]" "$(ms "$B_TALLY_WALL")" "$(vms "$V_TALLY")" "$(ratio "$(ms "$B_TALLY_WALL")" "$V_TALLY")"
row "encrypted tally, ms, CPU [4]" "$(ms "$B_TALLY_CPU")" "$(vms "$V_TALLY")" "$(ratio "$(ms "$B_TALLY_CPU")" "$V_TALLY")"
row "partial decryption, 1 trustee, ms, wall [4]" "$(ms "$B_DEC_WALL")" "$(vms "$V_DEC")" "$(ratio "$(ms "$B_DEC_WALL")" "$V_DEC")"
row "partial decryption, 1 trustee, ms, CPU [4]" "$(ms "$B_DEC_CPU")" "$(vms "$V_DEC")" "$(ratio "$(ms "$B_DEC_CPU")" "$V_DEC")"
row "result, ms, wall [4]" "$(ms "$B_RES_WALL")" "$(vms "$V_RES")" "$(ratio "$(ms "$B_RES_WALL")" "$V_RES")"
row "result, ms, CPU [4]" "$(ms "$B_RES_CPU")" "$(vms "$V_RES")" "$(ratio "$(ms "$B_RES_CPU")" "$V_RES")"
echo "[1] Belenios: one 'election generate-ballot' process (start, load, encrypt, prove);"
echo "    Vybar: vy_ballot_build in-process (encrypt, prove, sign), one core"
echo "[2] the whole record, process start included, divided by $N: 'belenios-tool election verify'"
echo "    vs 'vybar-verify record FILE --jobs 1'"
echo "[3] belenios-tool verifies on one core (the same run as [2])"
echo "[4] Belenios: one process each; each of these commands loads the archive and takes about"
echo "    as long as a full verify (it seems to re-check every ballot): not the bare operation."
echo "    Vybar: the bare library call in-process, one core (wall; the same figure in both rows)."
echo "    The ratios compare what each tool takes to do the step, not like with like."
echo "(Belenios: $N ballots added to its archive in $(printf '%.1f' "$B_ADD") s, one add-event each, not in the table)"
