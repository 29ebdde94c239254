// Where pane logs live: `<repo>/.git-paw/logs/<session>/<branch with / → -->.log`.
import { join } from 'node:path';

/** `<repo>/.git-paw/logs` */
export function logsRoot(repoRoot: string): string {
  return join(repoRoot, '.git-paw', 'logs');
}

/** `<repo>/.git-paw/logs/<session>` */
export function sessionLogDir(repoRoot: string, session: string): string {
  return join(logsRoot(repoRoot), session);
}

/** Log file name of a branch: every `/` becomes `--`, then `.log`. */
export function logFileName(branch: string): string {
  return `${branch.replaceAll('/', '--')}.log`;
}

/** Branch a log file name stands for (reverse of logFileName; `a--b` reads as `a/b`). */
export function branchOfLogFile(fileName: string): string {
  return fileName.replace(/\.log$/i, '').replaceAll('--', '/');
}

/** Absolute log path of one agent pane. */
export function paneLogPath(repoRoot: string, session: string, branch: string): string {
  return join(sessionLogDir(repoRoot, session), logFileName(branch));
}
