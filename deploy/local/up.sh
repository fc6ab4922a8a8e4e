#!/usr/bin/env bash
# Starts the local infrastructure without Docker: a single-node Apache Kafka 3.9.1 broker (KRaft,
# from Maven Central's jars) and, when nothing already answers on the PostgreSQL port, a private
# PostgreSQL cluster from Debian's binaries. Idempotent: what already runs is left as it is.
#
#   bash deploy/local/up.sh          # then: set -a; . .local/env; set +a
#   bash deploy/local/down.sh        # stops only what this script started
#
# Environment (all optional):
#   LOCAL_STATE_DIR        state, data and logs             (default <repo>/.local)
#   KAFKA_PORT             broker listener on 127.0.0.1     (default 9092)
#   KAFKA_CONTROLLER_PORT  KRaft controller listener        (default 9093)
#   PGPORT_LOCAL           PostgreSQL port on 127.0.0.1     (default 5432)
#   LOCAL_DATABASE         the platform's database          (default complaints)
#   KAFKA_HEAP             broker heap                      (default 512m)
#   LOCAL_READY_TIMEOUT    seconds to wait for readiness    (default 120)
set -Eeuo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$SCRIPT_DIR/../.." && pwd)
STATE_DIR=${LOCAL_STATE_DIR:-$REPO_ROOT/.local}
mkdir -p "$STATE_DIR"
STATE_DIR=$(cd "$STATE_DIR" && pwd)

KAFKA_PORT=${KAFKA_PORT:-9092}
KAFKA_CONTROLLER_PORT=${KAFKA_CONTROLLER_PORT:-9093}
PG_PORT=${PGPORT_LOCAL:-5432}
KAFKA_HEAP=${KAFKA_HEAP:-512m}
READY_TIMEOUT=${LOCAL_READY_TIMEOUT:-120}
HOST=127.0.0.1

KAFKA_DIR=$STATE_DIR/kafka
KAFKA_LIBS=$KAFKA_DIR/libs
KAFKA_LIBS_MARKER=$KAFKA_LIBS/.complete
KAFKA_DATA=$KAFKA_DIR/data
KAFKA_LOGS=$KAFKA_DIR/logs
KAFKA_CONF=$KAFKA_DIR/config
KAFKA_TOOLS=$KAFKA_DIR/tools
KAFKA_PID=$KAFKA_DIR/pid
KAFKA_POM=$SCRIPT_DIR/kafka/pom.xml
KAFKA_ADMIN_SRC=$SCRIPT_DIR/kafka/LocalKafkaAdmin.java

PG_DIR=$STATE_DIR/postgres
PG_LOGS=$PG_DIR/logs
PG_PID=$PG_DIR/pid
PG_USER=postgres

log() { printf '[local-up] %s\n' "$*"; }
die() { printf '[local-up] ERROR: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------

port_open() { timeout 2 bash -c "exec 3<>/dev/tcp/$HOST/$1" 2>/dev/null; }

# Alive and not a zombie (a container's PID 1 may never reap what it inherits).
alive() {
  local pid=$1 state
  [[ -n $pid && -r /proc/$pid/stat ]] || return 1
  state=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) || return 1
  [[ $state != Z && $state != X ]]
}

# pid_matches PIDFILE WORD...: the recorded process is alive and its command line has every WORD.
pid_matches() {
  local file=$1 pid cmdline word
  shift
  [[ -s $file ]] || return 1
  pid=$(head -n1 "$file")
  alive "$pid" || return 1
  cmdline=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
  for word in "$@"; do [[ $cmdline == *"$word"* ]] || return 1; done
}

as_root() { [[ $(id -u) -eq 0 ]]; }

apt_install() {
  as_root || die "need $* but not running as root; install it (apt-get install $*) and re-run"
  command -v apt-get >/dev/null || die "need $* and there is no apt-get here; install it and re-run"
  log "installing $* with apt-get"
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@" >"$STATE_DIR/apt.log" 2>&1; then
    DEBIAN_FRONTEND=noninteractive apt-get update >>"$STATE_DIR/apt.log" 2>&1 || true
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@" >>"$STATE_DIR/apt.log" 2>&1 \
      || die "apt-get install $* failed; see $STATE_DIR/apt.log"
  fi
}

# Serialise concurrent up/down runs (several people and test runs share one machine). Whatever
# this script starts in the background must close fd 9 (9>&-), or it would hold the lock forever.
exec 9>"$STATE_DIR/.lock"
flock -w 600 9 || die "another deploy/local/up.sh or down.sh holds $STATE_DIR/.lock"

# ---------------------------------------------------------------------------------------------
# Kafka jars
# ---------------------------------------------------------------------------------------------

command -v java >/dev/null || apt_install openjdk-17-jdk-headless
command -v mvn >/dev/null || apt_install maven

fetch_kafka_jars() {
  local want have tmp started
  want=$(sha256sum "$KAFKA_POM" | cut -d' ' -f1)
  have=$(cat "$KAFKA_LIBS_MARKER" 2>/dev/null || true)
  [[ $have == "$want" ]] && return 0
  if pid_matches "$KAFKA_PID" kafka.Kafka "$KAFKA_CONF/server.properties" && [[ -n $have ]]; then
    log "kafka/pom.xml changed, but the broker started from the old jars is running: run down.sh then up.sh to switch"
    return 0
  fi
  log "fetching the Kafka broker jars with Maven into $KAFKA_LIBS (first time only)"
  started=$SECONDS
  mkdir -p "$KAFKA_DIR"
  tmp=$KAFKA_DIR/libs.partial
  rm -rf "$tmp"
  if ! mvn -B -q -f "$KAFKA_POM" dependency:copy-dependencies -DoutputDirectory="$tmp" >"$KAFKA_DIR/maven.log" 2>&1; then
    rm -rf "$tmp"
    die "Maven could not fetch the Kafka jars; see $KAFKA_DIR/maven.log"
  fi
  compgen -G "$tmp/kafka_2.13-*.jar" >/dev/null || die "Maven finished but $tmp has no kafka_2.13 jar; see $KAFKA_DIR/maven.log"
  rm -rf "$KAFKA_LIBS"
  mv "$tmp" "$KAFKA_LIBS"
  echo "$want" >"$KAFKA_LIBS_MARKER"
  local jars=("$KAFKA_LIBS"/*.jar)
  log "fetched ${#jars[@]} jars in $((SECONDS - started)) s"
}

# The readiness probe: deploy/local/kafka/LocalKafkaAdmin.java (Admin.listTopics, a Metadata
# request), compiled once against the fetched jars. The Maven jars have no TopicCommand.
PROBE_CMD=()
build_admin_tool() {
  local class=$KAFKA_TOOLS/LocalKafkaAdmin.class
  PROBE_CMD=(java -Xmx128m -XX:TieredStopAtLevel=1
    "-Dlog4j.configuration=file:$KAFKA_CONF/tools-log4j.properties"
    -cp "$KAFKA_LIBS/*:$KAFKA_TOOLS" LocalKafkaAdmin "$HOST:$KAFKA_PORT" list)
  if [[ -f $class && $class -nt $KAFKA_ADMIN_SRC && $class -nt $KAFKA_LIBS_MARKER ]]; then return 0; fi
  if command -v javac >/dev/null; then
    mkdir -p "$KAFKA_TOOLS"
    javac -nowarn -d "$KAFKA_TOOLS" -cp "$KAFKA_LIBS/*" "$KAFKA_ADMIN_SRC" >"$KAFKA_LOGS/javac.log" 2>&1 \
      || die "could not compile $KAFKA_ADMIN_SRC; see $KAFKA_LOGS/javac.log"
  else
    # A JRE without javac: Kafka's own ClusterTool (Admin.describeCluster) is the probe.
    PROBE_CMD=(java -Xmx128m "-Dlog4j.configuration=file:$KAFKA_CONF/tools-log4j.properties"
      -cp "$KAFKA_LIBS/*" kafka.tools.ClusterTool cluster-id --bootstrap-server "$HOST:$KAFKA_PORT")
  fi
}

# A real round trip to the broker, not just an open port.
kafka_answers() {
  timeout 40 "${PROBE_CMD[@]}" >"$KAFKA_LOGS/probe.log" 2>&1
}

write_kafka_config() {
  mkdir -p "$KAFKA_CONF" "$KAFKA_DATA" "$KAFKA_LOGS"
  cat >"$KAFKA_CONF/server.properties" <<EOF
# Written by deploy/local/up.sh: single-node KRaft broker+controller for local development.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@$HOST:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://$HOST:$KAFKA_PORT,CONTROLLER://$HOST:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://$HOST:$KAFKA_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$KAFKA_DATA
num.partitions=6
default.replication.factor=1
auto.create.topics.enable=true
delete.topic.enable=true
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=1
group.initial.rebalance.delay.ms=0
num.network.threads=3
num.io.threads=4
log.retention.hours=168
log.segment.bytes=1073741824
log.retention.check.interval.ms=300000
EOF
  cat >"$KAFKA_CONF/log4j.properties" <<'EOF'
# Written by deploy/local/up.sh (trimmed from Kafka's config/log4j.properties).
log4j.rootLogger=INFO, stdout, kafkaAppender

log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.Threshold=WARN
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n

log4j.appender.kafkaAppender=org.apache.log4j.DailyRollingFileAppender
log4j.appender.kafkaAppender.DatePattern='.'yyyy-MM-dd
log4j.appender.kafkaAppender.File=${kafka.logs.dir}/server.log
log4j.appender.kafkaAppender.layout=org.apache.log4j.PatternLayout
log4j.appender.kafkaAppender.layout.ConversionPattern=[%d] %p %m (%c)%n

log4j.appender.stateChangeAppender=org.apache.log4j.DailyRollingFileAppender
log4j.appender.stateChangeAppender.DatePattern='.'yyyy-MM-dd
log4j.appender.stateChangeAppender.File=${kafka.logs.dir}/state-change.log
log4j.appender.stateChangeAppender.layout=org.apache.log4j.PatternLayout
log4j.appender.stateChangeAppender.layout.ConversionPattern=[%d] %p %m (%c)%n

log4j.appender.controllerAppender=org.apache.log4j.DailyRollingFileAppender
log4j.appender.controllerAppender.DatePattern='.'yyyy-MM-dd
log4j.appender.controllerAppender.File=${kafka.logs.dir}/controller.log
log4j.appender.controllerAppender.layout=org.apache.log4j.PatternLayout
log4j.appender.controllerAppender.layout.ConversionPattern=[%d] %p %m (%c)%n

log4j.logger.org.apache.kafka=INFO
log4j.logger.kafka=INFO
log4j.logger.kafka.request.logger=WARN
log4j.logger.kafka.network.RequestChannel$=WARN
log4j.logger.org.apache.kafka.controller=INFO, controllerAppender
log4j.additivity.org.apache.kafka.controller=false
log4j.logger.kafka.controller=TRACE, controllerAppender
log4j.additivity.kafka.controller=false
log4j.logger.state.change.logger=INFO, stateChangeAppender
log4j.additivity.state.change.logger=false
log4j.logger.kafka.log.LogCleaner=INFO
EOF
  cat >"$KAFKA_CONF/tools-log4j.properties" <<'EOF'
# Written by deploy/local/up.sh: command-line tools log errors only, to stderr.
log4j.rootLogger=ERROR, stderr
log4j.appender.stderr=org.apache.log4j.ConsoleAppender
log4j.appender.stderr.Target=System.err
log4j.appender.stderr.layout=org.apache.log4j.PatternLayout
log4j.appender.stderr.layout.ConversionPattern=[%d] %p %m (%c)%n
EOF
}

kafka_java() {
  java -Xmx256m "-Dlog4j.configuration=file:$KAFKA_CONF/tools-log4j.properties" -cp "$KAFKA_LIBS/*" "$@"
}

format_kafka_storage() {
  [[ -f $KAFKA_DATA/meta.properties ]] && return 0
  local id
  if [[ -s $KAFKA_DIR/cluster-id ]]; then
    id=$(cat "$KAFKA_DIR/cluster-id")
  else
    id=$(kafka_java kafka.tools.StorageTool random-uuid 2>>"$KAFKA_LOGS/storage-format.log" | tail -n1)
    [[ -n $id ]] || die "kafka.tools.StorageTool random-uuid failed; see $KAFKA_LOGS/storage-format.log"
    echo "$id" >"$KAFKA_DIR/cluster-id"
  fi
  log "formatting Kafka storage in $KAFKA_DATA (cluster id $id)"
  kafka_java kafka.tools.StorageTool format -t "$id" -c "$KAFKA_CONF/server.properties" \
    >>"$KAFKA_LOGS/storage-format.log" 2>&1 \
    || die "formatting Kafka storage failed; see $KAFKA_LOGS/storage-format.log (a data dir from another cluster id: delete $KAFKA_DATA)"
}

start_kafka() {
  write_kafka_config
  format_kafka_storage
  log "starting Kafka 3.9.1 (KRaft) on $HOST:$KAFKA_PORT, controller $HOST:$KAFKA_CONTROLLER_PORT"
  # setsid: the broker outlives this shell and a Ctrl-C in it. The inner shell records its own pid
  # and then becomes the JVM, so the pid file is the broker's whatever setsid does.
  # shellcheck disable=SC2016 # $$ and $1 are the inner shell's
  setsid bash -c 'echo $$ >"$1"; shift; exec "$@"' _ "$KAFKA_PID" \
    java -Xms"$KAFKA_HEAP" -Xmx"$KAFKA_HEAP" -server \
    -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 \
    -XX:+ExplicitGCInvokesConcurrent -XX:MaxInlineLevel=15 -Djava.awt.headless=true \
    "-Dkafka.logs.dir=$KAFKA_LOGS" "-Dlog4j.configuration=file:$KAFKA_CONF/log4j.properties" \
    -cp "$KAFKA_LIBS/*" kafka.Kafka "$KAFKA_CONF/server.properties" \
    </dev/null >>"$KAFKA_LOGS/kafka.out" 2>&1 9>&- &
  for _ in $(seq 50); do [[ -s $KAFKA_PID ]] && break; sleep 0.1; done
  [[ -s $KAFKA_PID ]] || die "the broker did not start; see $KAFKA_LOGS/kafka.out"
}

wait_for_kafka() {
  local ours=$1 deadline=$((SECONDS + READY_TIMEOUT))
  while ((SECONDS < deadline)); do
    if [[ $ours == yes ]] && ! pid_matches "$KAFKA_PID" kafka.Kafka; then
      echo "----- last lines of $KAFKA_LOGS/server.log -----" >&2
      tail -n 30 "$KAFKA_LOGS/server.log" >&2 2>/dev/null || true
      echo "----- last lines of $KAFKA_LOGS/kafka.out -----" >&2
      tail -n 15 "$KAFKA_LOGS/kafka.out" >&2 2>/dev/null || true
      rm -f "$KAFKA_PID"
      die "the Kafka broker exited during start-up; logs: $KAFKA_LOGS/server.log and $KAFKA_LOGS/kafka.out"
    fi
    if port_open "$KAFKA_PORT" && kafka_answers; then return 0; fi
    sleep 1
  done
  die "Kafka on $HOST:$KAFKA_PORT was not ready after ${READY_TIMEOUT}s; see $KAFKA_LOGS/server.log, $KAFKA_LOGS/kafka.out and the last probe's output in $KAFKA_LOGS/probe.log"
}

KAFKA_STATE=
ensure_kafka() {
  mkdir -p "$KAFKA_LOGS"
  fetch_kafka_jars
  write_kafka_config_if_missing
  build_admin_tool
  if pid_matches "$KAFKA_PID" kafka.Kafka "$KAFKA_CONF/server.properties"; then
    grep -q "^listeners=PLAINTEXT://$HOST:$KAFKA_PORT,CONTROLLER://$HOST:$KAFKA_CONTROLLER_PORT\$" "$KAFKA_CONF/server.properties" \
      || die "the broker up.sh started (pid $(cat "$KAFKA_PID")) listens elsewhere ($(grep '^listeners=' "$KAFKA_CONF/server.properties")); run down.sh first to change KAFKA_PORT/KAFKA_CONTROLLER_PORT"
    log "Kafka started earlier by up.sh is running (pid $(cat "$KAFKA_PID")); checking it answers"
    wait_for_kafka yes
    KAFKA_STATE="started by up.sh, pid $(cat "$KAFKA_PID")"
    return 0
  fi
  rm -f "$KAFKA_PID"
  if port_open "$KAFKA_PORT"; then
    local deadline=$((SECONDS + 30))
    until kafka_answers; do
      ((SECONDS < deadline)) || die "something on $HOST:$KAFKA_PORT does not answer as Kafka (see $KAFKA_LOGS/probe.log); stop it or set KAFKA_PORT"
      sleep 2
    done
    log "a Kafka broker not started by up.sh already answers on $HOST:$KAFKA_PORT: leaving it alone"
    KAFKA_STATE="already running, not managed by up.sh/down.sh"
    return 0
  fi
  port_open "$KAFKA_CONTROLLER_PORT" \
    && die "the controller port $HOST:$KAFKA_CONTROLLER_PORT is taken by something else; set KAFKA_CONTROLLER_PORT"
  local started=$SECONDS
  start_kafka
  wait_for_kafka yes
  log "Kafka is ready (pid $(cat "$KAFKA_PID"), $((SECONDS - started)) s)"
  KAFKA_STATE="started by up.sh, pid $(cat "$KAFKA_PID")"
}

# The tools' log4j file is needed by the probe even when the broker is not ours.
write_kafka_config_if_missing() {
  [[ -f $KAFKA_CONF/tools-log4j.properties ]] || write_kafka_config
}

# ---------------------------------------------------------------------------------------------
# PostgreSQL
# ---------------------------------------------------------------------------------------------

pg_ready() {
  if command -v pg_isready >/dev/null; then
    pg_isready -q -h "$HOST" -p "$PG_PORT" -U postgres -d postgres -t 3
  else
    port_open "$PG_PORT"
  fi
}

pg_bin_dir() {
  local dir
  dir=$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -n1)
  [[ -n $dir && -x $dir/postgres ]] && echo "$dir"
}

# Run a command as the PostgreSQL user (PostgreSQL refuses to run as root).
as_pg() {
  if as_root; then runuser -u "$PG_USER" -- "$@"; else "$@"; fi
}

PG_DATA=
pg_data_dir() {
  # The postgres user must be able to reach the data directory. Under a home directory with mode
  # 0700 (e.g. /root) it cannot: then the cluster lives under /var/tmp, linked from the state dir.
  local link=$PG_DIR/data
  if [[ -L $link ]]; then PG_DATA=$(readlink -f "$link"); return 0; fi
  mkdir -p "$link"
  if as_root; then
    chown "$PG_USER:" "$link"
    chmod 0700 "$link"
    if ! runuser -u "$PG_USER" -- test -w "$link"; then
      rmdir "$link" 2>/dev/null || true
      local alt
      alt=/var/tmp/complaints-local-pg-$(echo -n "$STATE_DIR" | sha256sum | cut -c1-12)
      mkdir -p "$alt"
      chown "$PG_USER:" "$alt"
      chmod 0700 "$alt"
      ln -sfn "$alt" "$link"
      log "$PG_USER cannot reach $PG_DIR; the cluster lives in $alt (linked from $link)"
      PG_DATA=$alt
      return 0
    fi
  fi
  PG_DATA=$link
}

PG_STATE=
ensure_postgres() {
  if pid_matches "$PG_PID" postgres "$PG_DIR"; then
    :
  elif [[ -L $PG_DIR/data ]] && pid_matches "$PG_PID" postgres "$(readlink -f "$PG_DIR/data")"; then
    :
  else
    rm -f "$PG_PID"
    if pg_ready; then
      log "PostgreSQL already answers on $HOST:$PG_PORT: using it (not managed by up.sh/down.sh)"
      PG_STATE="already running, not managed by up.sh/down.sh"
      return 0
    fi
    start_postgres
    [[ -n $PG_STATE ]] && return 0
  fi
  local deadline=$((SECONDS + READY_TIMEOUT))
  until pg_ready; do
    if ! pid_matches "$PG_PID" postgres; then
      tail -n 20 "$PG_LOGS/postgres.log" >&2 2>/dev/null || true
      rm -f "$PG_PID"
      die "PostgreSQL exited during start-up; see $PG_LOGS/postgres.log"
    fi
    ((SECONDS < deadline)) || die "PostgreSQL on $HOST:$PG_PORT was not ready after ${READY_TIMEOUT}s; see $PG_LOGS/postgres.log"
    sleep 0.5
  done
  PG_STATE="started by up.sh, pid $(cat "$PG_PID")"
  log "PostgreSQL is ready ($PG_STATE)"
}

start_postgres() {
  local bin
  bin=$(pg_bin_dir) || true
  if [[ -z $bin ]]; then
    apt_install postgresql
    bin=$(pg_bin_dir) || die "installed postgresql but found no /usr/lib/postgresql/<version>/bin/postgres"
    # The package may have created and started its own cluster on this very port.
    if pg_ready; then
      log "the postgresql package started its own server on $HOST:$PG_PORT: using it"
      PG_STATE="Debian's own cluster, not managed by up.sh/down.sh"
      return 0
    fi
  fi
  if as_root && ! id -u "$PG_USER" >/dev/null 2>&1; then
    log "creating the system user $PG_USER (PostgreSQL refuses to run as root)"
    useradd --system --user-group --home-dir /var/lib/postgresql --shell /bin/bash "$PG_USER"
  fi
  mkdir -p "$PG_LOGS"
  pg_data_dir
  if [[ ! -f $PG_DATA/PG_VERSION ]]; then
    log "initialising a PostgreSQL cluster in $PG_DATA ($("$bin/postgres" --version))"
    as_pg "$bin/initdb" -D "$PG_DATA" -U postgres --auth=trust -E UTF8 --no-locale >"$PG_LOGS/initdb.log" 2>&1 \
      || die "initdb failed; see $PG_LOGS/initdb.log"
    cat >>"$PG_DATA/postgresql.conf" <<EOF

# Added by deploy/local/up.sh (the port is passed at each start).
listen_addresses = '$HOST'
unix_socket_directories = '$PG_DATA'
max_connections = 200
EOF
  fi
  log "starting PostgreSQL on $HOST:$PG_PORT (data $PG_DATA)"
  # No -l: the server writes to pg_ctl's stdout, a file this shell opens, so the log can sit in
  # the state dir even where the postgres user could not open it itself.
  as_pg "$bin/pg_ctl" -D "$PG_DATA" -w -t "$READY_TIMEOUT" -o "-p $PG_PORT" start \
    </dev/null >>"$PG_LOGS/postgres.log" 2>&1 9>&- \
    || { tail -n 20 "$PG_LOGS/postgres.log" >&2 2>/dev/null || true; die "PostgreSQL did not start; see $PG_LOGS/postgres.log"; }
  head -n1 "$PG_DATA/postmaster.pid" >"$PG_PID"
}

# ---------------------------------------------------------------------------------------------

ensure_kafka
ensure_postgres
[[ $PG_STATE == started* ]] && PG_DATA=$(readlink -f "$PG_DIR/data")
# A database of its own, not the server's shared `postgres` one.
DATABASE=${LOCAL_DATABASE:-complaints}
PGPORT_LOCAL=$PG_PORT LOCAL_DATABASE=$DATABASE bash "$SCRIPT_DIR/create-database.sh"

ENV_FILE=$STATE_DIR/env
cat >"$ENV_FILE" <<EOF
KAFKA_BROKERS=$HOST:$KAFKA_PORT
DATABASE_URL=postgres://postgres@$HOST:$PG_PORT/$DATABASE
EOF

echo
echo "Local infrastructure is up."
echo "  Kafka       $HOST:$KAFKA_PORT ($KAFKA_STATE)"
if [[ $KAFKA_STATE == started* ]]; then
  echo "              logs: $KAFKA_LOGS/server.log (also controller.log, state-change.log, kafka.out)"
  echo "              data: $KAFKA_DATA"
fi
echo "  PostgreSQL  $HOST:$PG_PORT ($PG_STATE)"
if [[ $PG_STATE == started* ]]; then
  echo "              log:  $PG_LOGS/postgres.log"
  echo "              data: $PG_DATA"
fi
echo
echo "Environment (also in $ENV_FILE; load it with: set -a; . $ENV_FILE; set +a):"
sed 's/^/  export /' "$ENV_FILE"
