#!/bin/sh
# The development switch beside `dutyline up` (make run): Kamailio, the duty lines' SIP proxy and
# registrar on udp:127.0.0.1:5060, and the switch adapter on 127.0.0.1:50070 delivering its reports
# to the local intake service. Ctrl-C stops both. docs/telephony.md walks through a call.
#
#   LINE_NUMBER  the duty line's number at the switch (12345)
#   LINE_ID      its dutyline line id, as created with `dutyline line upsert` (line-hz-duty)
#   EXTENSIONS   the officer extensions it rings, "|" between them (1001|1002)
#   SIP_PORT     Kamailio's port (5060)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
number=${LINE_NUMBER:-12345}
line_id=${LINE_ID:-line-hz-duty}
extensions=${EXTENSIONS:-1001|1002}
port=${SIP_PORT:-5060}
state="$root/state/switch"
mkdir -p "$state"

export DUTYLINE_ENV=${DUTYLINE_ENV:-development}
export DUTYLINE_SWITCH_ID=${DUTYLINE_SWITCH_ID:-dev-switch}
export DUTYLINE_SWITCH_LINES="{\"$number\": \"$line_id\"}"
export DUTYLINE_SWITCH_QUEUE_FILE="$state/queue.sqlite3"
listen=${DUTYLINE_SWITCH_LISTEN:-127.0.0.1:50070}
export DUTYLINE_SWITCH_LISTEN="$listen"

cd "$root"
"$root/.venv/bin/python" -m services.switch &
adapter=$!
kamailio -DD -E -m 64 -M 8 -f "$here/kamailio.cfg" -l "udp:127.0.0.1:$port" -Y "$state" \
  -A "ADAPTER_URL=\"http://$listen/events\"" -A "LINES=\"$number=$extensions\"" &
switch=$!
trap 'kill "$switch" "$adapter" 2>/dev/null; wait' INT TERM
echo "dev switch: SIP udp:127.0.0.1:$port, line $number ($line_id) rings $extensions; adapter on $listen"
wait
