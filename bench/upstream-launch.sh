#!/bin/sh
# Upstream git-paw 0.3.0's launch, as a plain shell script: the baseline of `npm run bench`.
# Worktrees as 0.3.0 makes them (`git worktree add -b <branch> <path>`, path = sibling of the
# repo named <project>-<branch slug>), then 0.3.0's tmux sequence with one tmux process per
# command: new-session, set-option mouse / pane-border-status / pane-border-format, select-pane
# -T + send-keys for pane 0, then per extra pane select-layout + split-window + select-pane -T +
# send-keys, and a final select-layout.
#
# Usage: upstream-launch.sh full|worktrees <repo> <session> <cli> <branch>...
#   worktrees: only the N `git worktree add` (the floor every launch pays).
set -eu
mode=$1 repo=$2 session=$3 cli=$4
shift 4
parent=${repo%/*}
project=${repo##*/}

# Sets $path to the branch's worktree; pure shell, so the baseline spawns no helper processes.
worktree_of() {
  slug=$1
  while case $slug in */*) true ;; *) false ;; esac; do slug="${slug%%/*}-${slug#*/}"; done
  path="$parent/$project-$slug"
}

for branch do
  worktree_of "$branch"
  git -C "$repo" worktree add -b "$branch" "$path" >/dev/null 2>&1
done
[ "$mode" = worktrees ] && exit 0

pane=0
for branch do
  worktree_of "$branch"
  if [ "$pane" -eq 0 ]; then
    tmux new-session -d -s "$session" -c "$path"
    tmux set-option -t "$session" mouse on >/dev/null
    tmux set-option -t "$session" pane-border-status top >/dev/null
    tmux set-option -t "$session" pane-border-format " #{pane_title} " >/dev/null
    tmux select-pane -t "$session:0.0" -T "$branch → $cli"
    tmux send-keys -t "$session:0.0" "$cli" Enter
  else
    tmux select-layout -t "$session" tiled
    tmux split-window -t "$session"
    tmux select-pane -t "$session:0.$pane" -T "$branch → $cli"
    tmux send-keys -t "$session:0.$pane" "cd $path && $cli" Enter
  fi
  pane=$((pane + 1))
done
tmux select-layout -t "$session" tiled
