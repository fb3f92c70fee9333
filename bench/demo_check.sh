#!/usr/bin/env bash
# The demo at 30 voters (ctest demo_small, bench/demo.cmake): bench/demo.sh
# must exit 0, vybar-verify must say OK, the tally must stand cosigned by
# the witnesses (V10.3), and the published seat table must
# be the one of the totals scaled to 30 voters:
#   Solidarity 0, Liberty 2, European Choice 3, Our Cause 2, Voice of
#   Diasporas 1, Independent Belarusians 3, Prakopjeu-Jahorau Bloc 5,
#   Team Latushka 10, Down with Fear! 1, Strana Dlya Zhizni 0, Youth
#   Offensive 3; every list with a vote passes 3 % (0.9 votes); Hare quota
#   30/80 = 0.375: 0,5,8,5,2,8,13,26,2,0,8 = 77 seats, the 3 left to the
#   largest remainders (2/3 each: Voice of Diasporas, Team Latushka, Down
#   with Fear!).
# usage: bench/demo_check.sh BUILD_DIR
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
BUILD=$1
DIR=$(mktemp -d /tmp/vybar-demo-check.XXXXXX)
trap 'rm -rf "$DIR"' EXIT

EXPECTED=(
	"Solidarity|0|0"
	"Liberty|2|5"
	"European Choice|3|8"
	"Our Cause|2|5"
	"Voice of Diasporas|1|3"
	"Independent Belarusians|3|8"
	"Prakopjeu-Jahorau Bloc|5|13"
	"Team Latushka and Movement for Freedom|10|27"
	"Down with Fear!|1|3"
	"Strana Dlya Zhizni|0|0"
	"Youth Offensive|3|8"
)

if ! DEMO_VOTERS=30 DEMO_DIR="$DIR/demo" DEMO_THREADS=4 bash "$HERE/demo.sh" "$BUILD" >"$DIR/out.txt" 2>&1; then
	cat "$DIR/out.txt"
	echo "demo_check: bench/demo.sh failed" >&2
	exit 1
fi
fail=0
grep -q '^OK: every check holds$' "$DIR/demo/verify.txt" || { echo "demo_check: the verifier did not say OK" >&2; fail=1; }
# the tally the trustees decrypted was cosigned by 2 of the 3 witnesses
grep -Eq '^V10\.3 cosignatures of k witnesses +1 +held$' "$DIR/demo/verify.txt" ||
	{ echo "demo_check: the verifier did not find the tally cosigned by the witnesses (V10.3)" >&2; fail=1; }
grep -q '^Coordination Council: 80 seats, 30 valid votes$' "$DIR/demo/result.txt" ||
	{ echo "demo_check: not 80 seats and 30 valid votes" >&2; fail=1; }
for e in "${EXPECTED[@]}"; do
	IFS='|' read -r name votes seats <<<"$e"
	# "  NAME<spaces>VOTES  SHARE%  SEATS"
	if ! awk -v n="$name" -v v="$votes" -v s="$seats" '
		substr($0, 3, length(n)) == n && substr($0, 3 + length(n), 1) == " " &&
		$(NF - 2) == v && $NF == s { found = 1 }
		END { exit found ? 0 : 1 }' "$DIR/demo/result.txt"; then
		echo "demo_check: expected $name: $votes votes, $seats seats" >&2
		fail=1
	fi
done
if [ "$fail" -ne 0 ]; then
	cat "$DIR/out.txt"
	exit 1
fi
echo "demo_check: 30 voters, the record verifies, the seat table is the expected one"
