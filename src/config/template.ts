// The repo config file `git paw init` writes. Every setting is commented out, so the file
// parses to pure defaults; it documents each key, including the ones git-paw added.

export const REPO_CONFIG_TEMPLATE = `# git-paw settings for this repository.
#
# Everything below is commented out, so git-paw runs with its defaults. Uncomment a line to
# change a setting. Keys set here override the same keys of your global config, one key at
# a time (global file: ~/.config/git-paw/config.toml on Linux,
# ~/Library/Application Support/git-paw/config.toml on macOS).
# Reference: the "Configuration" section of the git-paw README.

# CLI that CLI pickers start with selected.
# default_cli = "claude"

# Mouse support in the tmux session (click to focus a pane, drag borders, scroll).
# mouse = true

# CLI given to every spec that does not name its own (with --from-specs); skips the picker.
# default_spec_cli = "claude"

# Prefix of branches made from specs: spec "add-auth" becomes branch "spec/add-auth".
# An empty prefix ("") uses the spec id alone as the branch name.
# branch_prefix = "spec/"

# Where \`git paw start --from-specs\` finds work to launch.
# [specs]
# dir = "specs"         # relative to the repository root
# type = "openspec"     # "openspec": one directory per change, with a tasks.md
#                       # "markdown": one .md file per spec, with YAML frontmatter:
#                       #   paw_status: pending      (required; only "pending" specs launch;
#                       #                             "in-progress" and "done" are skipped)
#                       #   paw_branch: feat/login   (optional; branch id instead of the file name)
#                       #   paw_cli: claude          (optional; CLI for this spec)

# Record everything each agent pane prints to .git-paw/logs/<session>/<branch>.log
# (read it back with \`git paw replay\`).
# [logging]
# enabled = false

# The local message broker through which agents report status and coordinate, and the
# dashboard in the first pane that shows what each agent is doing. It is on by default
# (unlike git-paw 0.3.0); to launch sessions without it (no broker process, no dashboard
# pane, no coordination instructions), uncomment [broker] and set enabled = false.
# [broker]
# enabled = true
# port = 9119             # leave unset to take the first free port from 9119 upward
# bind = "127.0.0.1"      # loopback only, unless allow_remote is set
# allow_remote = false    # true permits a non-loopback bind (exposes the broker to the network)
# auth = "token"          # "token": agents send a per-session bearer token; "none": no token
# mcp = true              # false: no MCP tools for the agents (they coordinate with curl instead)
# log_limit = "64MiB"     # the message log is compacted past this size (at least 64KiB)

# Keys in the tmux server. jump_key binds prefix + that key to \`git paw next\` (go to the agent
# that most needs you); it is bound only when set, never over a binding of your own, and removed
# when the last git-paw session using it stops.
# [tmux]
# jump_key = "N"

# Telling you when an agent needs you: a message on the tmux status line of every client
# attached to the session (and the bell), sent once per change, never for the pane you are
# looking at. The session's status line always shows the counts (e.g. "⏳ 2 waiting").
# [notifications]
# on = ["waiting", "error", "done"]   # also "blocked", "idle", "exited", "conflict"
# bell = true             # ring the terminal bell of the attached clients
# desktop = false         # also a desktop notification (notify-send / osascript, when installed)
# command = ""            # run with GIT_PAW_AGENT, GIT_PAW_BRANCH, GIT_PAW_CLI, GIT_PAW_STATE,
#                         # GIT_PAW_SUMMARY and GIT_PAW_SESSION set, e.g. "notify.sh"

# What every worktree git-paw creates gets before its agent starts: files copied from the main
# checkout (copy-on-write where the file system can; never over a file, never a tracked one),
# paths symlinked to the main checkout's, and setup commands run in the agent's pane (the CLI
# starts only when they succeed). A .worktreeinclude file (.gitignore syntax) adds the ignored
# files it matches to \`copy\`. Copy node_modules rather than linking it: through a link,
# workspace packages would resolve into the main checkout.
# [worktree]
# copy = [".env"]
# link = ["node_modules/.cache"]
# setup = ["npm ci --prefer-offline"]

# Each agent's own block of ports, as PORT and GIT_PAW_PORT_0.. in its pane, so the dev servers
# of several agents do not collide; ports in use are skipped.
# [ports]
# range = "3100-3999"
# per_agent = 10

# A CLI of your own, usable as \`--cli my-agent\` (git paw add-cli writes these globally).
# [clis.my-agent]
# command = "/usr/local/bin/my-agent"   # absolute path, or a command on PATH, with arguments
# display_name = "My Agent"

# Branches and CLI for \`git paw start --preset my-preset\`.
# [presets.my-preset]
# branches = ["feat/api", "feat/ui"]
# cli = "claude"
`;
