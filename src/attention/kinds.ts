// What `[notifications] on` can name: states an agent enters, and events about the session. A
// leaf module, because the config schema, the broker's config and the notifier all read it, and
// the broker's processes must not load the config schema's whole module graph to get it.
export const ATTENTION_KINDS = ['waiting', 'error', 'done', 'blocked', 'idle', 'exited', 'conflict'] as const;

export type AttentionKind = (typeof ATTENTION_KINDS)[number];
