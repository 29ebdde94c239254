// The generated instructions file's name, on its own: the agent adapters need only this, and the
// broker's server (which loads the adapters) must not pull in the git code of exclude.ts.
export const AGENTS_MD = 'AGENTS.md';
