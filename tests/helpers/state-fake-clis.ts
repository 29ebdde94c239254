// Fake AI CLIs whose screens step through the states the watcher reads, shared by the watcher's
// tests with and without a real launch.

/** Shows a permission dialog, then a busy marker once answered, then exits once answered. */
export const STEPPING_CLI = `#!/bin/sh
echo "Do you want to proceed?"
read answer
printf '\\033[2J\\033[H'
echo "Working on it (esc to interrupt)"
read answer
exit 0
`;

/** A CLI version that does not know a flag git-paw passes. */
export const REFUSING_CLI = `#!/bin/sh
echo "error: unknown option '--settings'"
exit 1
`;
