#!/usr/bin/env bash
# Serve gradflow from N app processes behind nginx, without root.
#
#   docs/deploy/serve.sh N PORT [ADDRESS]
#
# Starts N `streamlit run app.py` processes on 127.0.0.1:PORT+1 .. PORT+N and
# nginx on ADDRESS:PORT (default 127.0.0.1; 0.0.0.0 for a lecture hall) with
# docs/deploy/nginx.conf: sticky sessions by a cookie, websocket upgrade. The
# nginx configuration, pid file, logs and temporary files live in a fresh
# temporary directory that is removed on exit. Runs in the foreground; Ctrl-C
# (or SIGTERM) stops nginx and every app process; so does any of them exiting.
#
# Environment: PYTHON (default python3: the one with requirements.txt
# installed), NGINX (default nginx), GRADFLOW_APP_DIR (default: this repository).
set -euo pipefail

N=${1:?usage: serve.sh N PORT [ADDRESS]}
PORT=${2:?usage: serve.sh N PORT [ADDRESS]}
ADDR=${3:-127.0.0.1}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
APP_DIR=${GRADFLOW_APP_DIR:-$(cd "$HERE/../.." && pwd)}
PYTHON=${PYTHON:-python3}
NGINX=${NGINX:-nginx}

case $N in ''|*[!0-9]*) echo "N must be a positive integer" >&2; exit 2 ;; esac
case $PORT in ''|*[!0-9]*) echo "PORT must be a number" >&2; exit 2 ;; esac
if [ "$N" -lt 1 ] || [ "$N" -gt 64 ]; then echo "N must be 1..64" >&2; exit 2; fi
command -v "$NGINX" >/dev/null || { echo "nginx not found (apt-get install nginx)" >&2; exit 2; }

PREFIX=$(mktemp -d "${TMPDIR:-/tmp}/gradflow-nginx.XXXXXX")
chmod 755 "$PREFIX"  # nginx's worker may run as another user when started by root
pids=()

cleanup() {
    trap - EXIT INT TERM
    for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
    for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
    rm -rf "$PREFIX"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# One cookie secret for all processes (Streamlit signs its XSRF cookie with it).
STREAMLIT_SERVER_COOKIE_SECRET=${STREAMLIT_SERVER_COOKIE_SECRET:-$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')}
export STREAMLIT_SERVER_COOKIE_SECRET

upstreams=""
cd "$APP_DIR"
for i in $(seq 1 "$N"); do
    p=$((PORT + i))
    "$PYTHON" -m streamlit run app.py --server.port "$p" --server.address 127.0.0.1 \
        --server.headless true --browser.gatherUsageStats false &
    pids+=($!)
    upstreams+="        server 127.0.0.1:$p max_fails=0;"$'\n'
done

# Wait until every app process answers (at most 120 s).
for i in $(seq 1 "$N"); do
    p=$((PORT + i))
    "$PYTHON" - "$p" <<'PY'
import sys, time, urllib.request
url = f"http://127.0.0.1:{sys.argv[1]}/_stcore/health"
for _ in range(240):
    try:
        with urllib.request.urlopen(url, timeout=2) as r:
            if r.status == 200:
                sys.exit(0)
    except OSError:
        time.sleep(0.5)
sys.exit(f"{url} did not answer")
PY
done

conf=$(<"$HERE/nginx.conf")
conf=${conf//@PREFIX@/$PREFIX}
conf=${conf//@LISTEN@/$ADDR:$PORT}
conf=${conf//@UPSTREAMS@/${upstreams%$'\n'}}
printf '%s\n' "$conf" > "$PREFIX/nginx.conf"

"$NGINX" -q -t -e "$PREFIX/error.log" -p "$PREFIX" -c "$PREFIX/nginx.conf"
"$NGINX" -e "$PREFIX/error.log" -p "$PREFIX" -c "$PREFIX/nginx.conf" -g 'daemon off;' &
pids+=($!)
echo "gradflow: http://$ADDR:$PORT ($N app processes on 127.0.0.1:$((PORT + 1))-$((PORT + N)))"

# Until any of them exits (or a signal arrives).
wait -n "${pids[@]}"
