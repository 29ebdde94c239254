// Reading `git status --porcelain=v2 -z --branch`: the commit checked out and every path the
// worktree changed but did not commit (staged, unstaged, untracked; ignored files are not listed,
// so .gitignore is respected). Pure: text in, data out.

export interface WorktreeStatus {
  /** The commit checked out; null on a branch without commits (e.g. its ref was deleted). */
  head: string | null;
  /** The branch checked out; null when HEAD is detached. */
  branch: string | null;
  /** Uncommitted paths, both sides of a rename included. */
  changed: string[];
}

/** Fields before the path of each record type (`1`, `2`, `u`); the path may contain spaces. */
const FIELDS_BEFORE_PATH: Record<string, number> = { '1': 8, '2': 9, u: 10 };

function pathAfter(entry: string, fields: number): string {
  let index = -1;
  for (let count = 0; count < fields; count += 1) {
    index = entry.indexOf(' ', index + 1);
    if (index === -1) return '';
  }
  return entry.slice(index + 1);
}

export function parsePorcelainV2(output: string): WorktreeStatus {
  const status: WorktreeStatus = { head: null, branch: null, changed: [] };
  const entries = output.split('\0');
  for (let index = 0; index < entries.length; index += 1) {
    const entry = entries[index] as string;
    if (entry.startsWith('# branch.oid ')) {
      const oid = entry.slice('# branch.oid '.length);
      status.head = /^[0-9a-f]{40,64}$/.test(oid) ? oid : null;
    } else if (entry.startsWith('# branch.head ')) {
      const head = entry.slice('# branch.head '.length);
      status.branch = head === '(detached)' ? null : head;
    } else if (entry.startsWith('? ')) {
      status.changed.push(entry.slice(2));
    } else {
      const fields = FIELDS_BEFORE_PATH[entry.charAt(0)];
      if (fields === undefined || entry.charAt(1) !== ' ') continue;
      const path = pathAfter(entry, fields);
      if (path !== '') status.changed.push(path);
      // A rename or copy is followed by its original path, as an entry of its own.
      if (entry.charAt(0) === '2') {
        index += 1;
        const original = entries[index];
        if (original) status.changed.push(original);
      }
    }
  }
  return status;
}
