// The command of the session's hidden `broker` window: a POSIX sh loop around the broker server
// (dist/broker/serve.js). Whatever kills the server — kill -9 included, which no process can
// handle for itself, or its watchdog finding it hung — the loop starts it again at once, on the
// same configuration (so the same URL, token, log and service start), and the new server replays
// the log. It stops looping when the server ends cleanly (the session is being stopped) or with
// the exit code of a failure that a restart cannot fix, and passes SIGHUP / SIGTERM / SIGINT on
// to it. A `wait` cut short by a trapped signal is resumed while the server still runs; once
// `wait` says the pid is no child of the loop any more (127: reaped, perhaps reused by another
// process) it stops waiting on it, and forgets the pid, so that a stop signal between two starts
// never reaches a process that took it over; such a signal ends the loop before the next start.
// Every launch waits for the first server to answer, so nothing runs before it starts: the loop
// runs node itself (no git-paw CLI in between), notes the time only once the server is running,
// and sets the user's NODE_EXTRA_CA_CERTS aside (see util/ca-certs: Node would read the CA bundle
// at start-up).
import { dirname, join } from 'node:path';
import { SET_EXTRA_CA_CERTS_ASIDE_SH } from '../../util/ca-certs.js';
import { gitPawEntryPath } from '../../util/self.js';
import { FATAL_EXIT_CODE } from '../config.js';

/**
 * The broker's own caps keep the server's live heap well under 100 MB; this ceiling turns a
 * memory bug into a restart instead of a machine that swaps.
 */
const SERVER_NODE_FLAGS = ['--max-old-space-size=192'];

/** Servers that die within this many seconds of starting count as crash-looping. */
const QUICK_EXIT_SECONDS = 10;

const KEEPER_SCRIPT = `${SET_EXTRA_CA_CERTS_ASIDE_SH}
stopping=
child=
trap 'stopping=1; [ -n "$child" ] && kill -TERM "$child" 2>/dev/null' HUP INT TERM
quick=0
while :; do
  [ -n "$stopping" ] && exit 0
  "$@" &
  child=$!
  began=$(date +%s)
  wait "$child"
  code=$?
  while kill -0 "$child" 2>/dev/null; do
    wait "$child"
    again=$?
    [ "$again" -eq 127 ] && break
    code=$again
  done
  child=
  [ -n "$stopping" ] && exit "$code"
  case $code in 0|${FATAL_EXIT_CODE}) exit "$code" ;; esac
  if [ $(($(date +%s) - began)) -lt ${QUICK_EXIT_SECONDS} ]; then quick=$((quick + 1)); else quick=0; fi
  echo "broker: the server ended (code $code); starting it again" >&2
  [ "$quick" -gt 1 ] && sleep 1
done
`;

/** argv of the broker server of the installation whose CLI entry is `cliPath` (dist/cli.js). */
export function brokerServerArgv(cliPath: string = gitPawEntryPath()): string[] {
  return [process.execPath, ...SERVER_NODE_FLAGS, join(dirname(cliPath), 'broker', 'serve.js')];
}

/** argv of the broker window: the restart loop running `serverArgv`. */
export function keptCommand(serverArgv: readonly string[]): string[] {
  return ['/bin/sh', '-c', KEEPER_SCRIPT, 'git-paw-broker', ...serverArgv];
}
