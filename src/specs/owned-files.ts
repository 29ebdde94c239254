// The files a spec's agent owns: found line by line in the body (never the frontmatter),
// after a `Files owned:` (preferred) or `Owned files:` header in any case and any markdown
// decoration, as `-` or `*` bullets; backticks and whitespace trimmed.

const HEADERS = [/files owned\s*:/i, /owned files\s*:/i];
const BULLET = /^[-*]\s+(.*)$/;

/** The owned-file list of `body` (duplicates dropped, order kept); empty when there is none. */
export function extractOwnedFiles(body: string): string[] {
  const lines = body.split('\n');
  for (const header of HEADERS) {
    const at = lines.findIndex((line) => header.test(line));
    if (at === -1) continue;
    const files: string[] = [];
    for (const line of lines.slice(at + 1)) {
      const trimmed = line.trim();
      if (trimmed === '') continue;
      const bullet = BULLET.exec(trimmed);
      if (!bullet) break;
      const file = (bullet[1] ?? '').replace(/^[\s`]+|[\s`]+$/g, '');
      if (file !== '' && !files.includes(file)) files.push(file);
    }
    return files;
  }
  return [];
}
