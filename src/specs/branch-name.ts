// Branch names derived from spec ids: the prefix rule and a pure check
// of git's branch-name rules (`git check-ref-format --branch`), so a bad id is reported with
// its reason and its spec file before anything is created.

/**
 * `prefix + id` when the prefix ends with `/`, else `prefix/id`; an empty prefix means the id
 * alone (upstream produced the invalid `/id`).
 */
export function deriveBranch(prefix: string, id: string): string {
  if (prefix === '') return id;
  return prefix.endsWith('/') ? `${prefix}${id}` : `${prefix}/${id}`;
}

const FORBIDDEN_CHARACTERS = ['~', '^', ':', '?', '*', '[', '\\'];

function componentProblem(component: string): string | undefined {
  if (component === '') return "it has an empty path component (a leading, trailing or doubled '/')";
  if (component.startsWith('.')) return `the path component '${component}' starts with '.'`;
  if (component.endsWith('.lock')) return `the path component '${component}' ends with '.lock'`;
  return undefined;
}

/**
 * Why git would reject `name` as a branch name, or undefined when it is valid. Implements the
 * rules of git-check-ref-format(1) for `refs/heads/<name>` plus the `--branch` extras (no
 * leading `-`, not `HEAD`); checked against git itself in the tests.
 */
export function branchNameProblem(name: string): string | undefined {
  if (name === '') return 'it is empty';
  if (name.startsWith('-')) return "it starts with '-'";
  if (name === 'HEAD') return "'HEAD' is reserved by git";
  // eslint-disable-next-line no-control-regex -- control characters are exactly what git forbids
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'it contains a control character';
  if (name.includes(' ')) return 'it contains a space';
  const forbidden = FORBIDDEN_CHARACTERS.find((character) => name.includes(character));
  if (forbidden) return `it contains '${forbidden}'`;
  if (name.includes('..')) return "it contains '..'";
  if (name.includes('@{')) return "it contains '@{'";
  for (const component of name.split('/')) {
    const problem = componentProblem(component);
    if (problem) return problem;
  }
  if (name.endsWith('.')) return "it ends with '.'";
  return undefined;
}
