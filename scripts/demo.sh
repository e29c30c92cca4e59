#!/usr/bin/env bash
# The local demo: SES emulator + DNS zone server seeded with a realistic scenario, a first
# sync and DNS probe, then the web server, a Celery worker and beat. Ctrl-C stops it all.
# Embedded defaults only: SQLite, kombu's filesystem broker, no AWS account.
# Every run starts from a fresh state: the emulator always starts from its scenario, so the
# database (and with it the audit log), the broker and beat's schedule are wiped with it.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="$(pwd)/.venv/bin/python"

WEB_PORT="${SESOPS_DEMO_PORT:-8000}"
SES_PORT="${SESOPS_DEMO_SES_PORT:-8025}"
DNS_PORT="${SESOPS_DEMO_DNS_PORT:-5353}"
HOOK_PORT="${SESOPS_DEMO_HOOK_PORT:-8026}"
DEMO_DIR="$(pwd)/var/demo"

# Demo environment: every value here is an ordinary setting (see README, Configuration).
export DEBUG=true SESOPS_DEMO_LOGIN=true
export SESOPS_DATA_DIR="$DEMO_DIR"
export SESOPS_REGIONS="us-east-1,eu-west-1,ap-southeast-2"
export SESOPS_SYNC_INTERVAL="${SESOPS_SYNC_INTERVAL:-60}" SESOPS_DNS_INTERVAL="${SESOPS_DNS_INTERVAL:-120}"
export SESOPS_DNS_RESOLVER="127.0.0.1:$DNS_PORT" SESOPS_DNS_PORT="$DNS_PORT"
# Alerts: links point at the demo; its email goes to files you can read.
export SESOPS_BASE_URL="http://127.0.0.1:$WEB_PORT" SESOPS_EMAIL_BACKEND=file EMAIL_FILE_PATH="$DEMO_DIR/mail"
# /metrics: Prometheus (or curl) on this machine scrapes without a token.
export SESOPS_METRICS_NETWORKS="127.0.0.1/32,::1/128"
# boto3 reaches the emulator through its own variables; the apps have no emulator setting.
export AWS_ENDPOINT_URL="http://127.0.0.1:$SES_PORT"
export AWS_CONFIG_FILE="$DEMO_DIR/aws-config" AWS_SHARED_CREDENTIALS_FILE="$DEMO_DIR/aws-credentials"
export AWS_DEFAULT_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true
unset AWS_PROFILE AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN DATABASE_URL REDIS_URL CELERY_BROKER_URL
write_aws_files() {
cat > "$AWS_CONFIG_FILE" <<CFG
[profile sesops-prod]
region = us-east-1
[profile sesops-staging]
region = us-east-1
CFG
cat > "$AWS_SHARED_CREDENTIALS_FILE" <<CFG
[sesops-prod]
aws_access_key_id = AKIAPROD000000000001
aws_secret_access_key = demo-secret-not-real
[sesops-staging]
aws_access_key_id = AKIASTAGING000000001
aws_secret_access_key = demo-secret-not-real
CFG
}

pids=()
stop() {
  trap - INT TERM HUP EXIT
  trap '' PIPE  # stdout may be a pipe whose reader Ctrl-C already ended: still stop everything
  if ((${#pids[@]})); then
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    echo; echo "stopping the demo..." || true
    wait 2>/dev/null || true
  fi
}
# Ctrl-C is how the demo ends: a clean stop, exit status 0 (make prints no "Error 130").
# A closed terminal (HUP) stops it the same way.
trap 'stop; exit 0' INT TERM HUP
trap stop EXIT

wait_for_port() {  # host port what
  for _ in $(seq 1 100); do
    if (echo >"/dev/tcp/$1/$2") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "error: $3 did not start on $1:$2 (see $DEMO_DIR/*.log)" >&2; exit 1
}

for port in "$WEB_PORT" "$SES_PORT" "$HOOK_PORT"; do
  if (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "error: port $port is taken; set SESOPS_DEMO_PORT / SESOPS_DEMO_SES_PORT" >&2; exit 1
  fi
done

echo "== fresh demo state (wiping $DEMO_DIR: database and audit log, broker, schedule)"
rm -rf "$DEMO_DIR"
mkdir -p "$DEMO_DIR"
write_aws_files

echo "== SES emulator on :$SES_PORT, DNS zone server on :$DNS_PORT"
"$PY" -m emulator --port "$SES_PORT" --dns-port "$DNS_PORT" \
  --scenario emulator/scenarios/demo.yaml >"$DEMO_DIR/emulator.log" 2>&1 &
pids+=($!)
wait_for_port 127.0.0.1 "$SES_PORT" "the SES emulator"

echo "== database and demo data"
"$PY" manage.py migrate --no-input -v0
"$PY" manage.py setup_demo --password-file "$DEMO_DIR/password"
# Alert channels: a signed webhook to a local receiver, and email (written to files).
"$PY" manage.py alert_channel --name demo-webhook --webhook "http://127.0.0.1:$HOOK_PORT/hook" \
  --secret-file "$DEMO_DIR/webhook-secret" --min-severity info >/dev/null
"$PY" manage.py alert_channel --name demo-email --email ops@mydomain.example \
  --min-severity critical >/dev/null
"$PY" -m emulator.webhook_sink --port "$HOOK_PORT" --secret-file "$DEMO_DIR/webhook-secret" \
  >"$DEMO_DIR/webhook-sink.log" 2>&1 &
pids+=($!)
wait_for_port 127.0.0.1 "$HOOK_PORT" "the webhook receiver"
"$PY" manage.py collectstatic --no-input -v0

echo "== first sync and DNS probe"
"$PY" manage.py sync_ses || echo "(some regions did not sync fully: the grid shows why)"
"$PY" manage.py probe_dns || echo "(DNS probe reported problems: they are part of the demo)"

echo "== Celery worker and beat (broker: kombu filesystem transport)"
# Threads pool: a sync waits on SES, so one process syncs every region at once. In a session
# of its own (setsid): Celery's worker re-executes itself on SIGHUP, so the HUP of a closed
# terminal would leave it running with no demo around it; stop() ends it with SIGTERM.
setsid .venv/bin/celery -A config worker --pool threads --concurrency 20 --loglevel INFO >"$DEMO_DIR/worker.log" 2>&1 &
pids+=($!)
.venv/bin/celery -A config beat --loglevel INFO -s "$DEMO_DIR/celerybeat-schedule" >"$DEMO_DIR/beat.log" 2>&1 &
pids+=($!)

cat <<MSG

  sesops demo is up:  http://127.0.0.1:$WEB_PORT/
  log in:             demo / $(cat "$DEMO_DIR/password")   (or the "Log in as demo admin" button)
  emulator control:   $AWS_ENDPOINT_URL/_emulator/state   (click verification links: /_emulator/mail)
  alerts received:    http://127.0.0.1:$HOOK_PORT/   (signed webhook; email in $DEMO_DIR/mail/)
  logs:               $DEMO_DIR/{emulator,worker,beat}.log
  Ctrl-C stops everything.

MSG
"$PY" manage.py runserver "127.0.0.1:$WEB_PORT" --noreload &
pids+=($!)
wait "${pids[-1]}"
