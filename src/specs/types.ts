// The data a spec contributes to a launch.

/** One pending spec, ready to become a worktree and an agent. */
export interface SpecEntry {
  /** Change directory name (openspec), or `paw_branch` / file stem (markdown). */
  id: string;
  /** Derived branch name (prefix + id), validated. */
  branch: string;
  /** The spec's own CLI choice (`paw_cli`), if any. */
  cli?: string;
  /** What the agent is asked to do: the body, plus capability specs for openspec. */
  prompt: string;
  /** Files the spec says its agent owns (`Files owned:` / `Owned files:` list). */
  ownedFiles: string[];
  /** Absolute path of the spec file (tasks.md, or the markdown file). */
  source: string;
}

/** What a backend finds, before branch derivation. */
export type ScannedSpec = Omit<SpecEntry, 'branch'>;

/** A backend's result: specs in any order, plus warnings for skipped entries. */
export interface BackendResult {
  specs: ScannedSpec[];
  warnings: string[];
}
