// The command of the session's hidden `broker` window: a POSIX sh loop around the supervisor
// (`git-paw __broker`). Whatever kills the supervisor — kill -9 included, which no process can
// handle for itself — the loop starts it again at once, on the same configuration (so the same
// URL, token, log and service start). It stops looping when the supervisor ends cleanly (the
// session is being stopped) or with the exit code of a failure that a restart cannot fix, and
// passes SIGHUP / SIGTERM / SIGINT on to it. A `wait` cut short by a trapped signal is resumed
// while the supervisor still runs; once `wait` says the pid is no child of the loop any more
// (127: reaped, perhaps reused by another process) it stops waiting on it.
// Every launch waits for the first supervisor and its server to answer, so nothing runs before
// the first start: the loop notes the time only once the supervisor is running, and it sets the
// user's NODE_EXTRA_CA_CERTS aside (see util/ca-certs: Node would read the CA bundle at each of
// the two starts).
import { SET_EXTRA_CA_CERTS_ASIDE_SH } from '../../util/ca-certs.js';
import { FATAL_EXIT_CODE } from '../config.js';

/** Supervisors that die within this many seconds of starting count as crash-looping. */
const QUICK_EXIT_SECONDS = 10;

const KEEPER_SCRIPT = `${SET_EXTRA_CA_CERTS_ASIDE_SH}
stopping=
child=
trap 'stopping=1; [ -n "$child" ] && kill -TERM "$child" 2>/dev/null' HUP INT TERM
quick=0
while :; do
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
  [ -n "$stopping" ] && exit "$code"
  case $code in 0|${FATAL_EXIT_CODE}) exit "$code" ;; esac
  if [ $(($(date +%s) - began)) -lt ${QUICK_EXIT_SECONDS} ]; then quick=$((quick + 1)); else quick=0; fi
  echo "broker: the supervisor ended (code $code); starting it again" >&2
  [ "$quick" -gt 1 ] && sleep 1
done
`;

/** argv of the broker window: the restart loop running `supervisorArgv`. */
export function keptCommand(supervisorArgv: readonly string[]): string[] {
  return ['/bin/sh', '-c', KEEPER_SCRIPT, 'git-paw-broker', ...supervisorArgv];
}
