// The config schema: what one config file may contain (every key optional, upstream §3.2 plus
// the broker keys `allow_remote` and `auth`), and the merged configuration the program uses.
import { z } from 'zod';

export const cliEntrySchema = z.object({
  command: z.string(),
  display_name: z.string().optional(),
});

export const presetEntrySchema = z.object({
  branches: z.array(z.string()),
  cli: z.string(),
});

const PORT_RANGE = 'expected a port number between 1 and 65535';

export const brokerTableSchema = z.object({
  enabled: z.boolean().optional(),
  // Unset means "first free port from 9119" (TARGET §9).
  port: z.number().int().min(1, { error: PORT_RANGE }).max(65535, { error: PORT_RANGE }).optional(),
  bind: z.string().optional(),
  allow_remote: z.boolean().optional(),
  auth: z.enum(['token', 'none']).optional(),
});

export const configFileSchema = z.object({
  default_cli: z.string().optional(),
  default_spec_cli: z.string().optional(),
  branch_prefix: z.string().optional(),
  mouse: z.boolean().optional(),
  clis: z.record(z.string(), cliEntrySchema).optional(),
  presets: z.record(z.string(), presetEntrySchema).optional(),
  specs: z.object({ dir: z.string().optional(), type: z.string().optional() }).optional(),
  logging: z.object({ enabled: z.boolean().optional() }).optional(),
  broker: brokerTableSchema.optional(),
});

/** One config file as written (after validation; unknown keys dropped). */
export type ConfigFile = z.infer<typeof configFileSchema>;
export type CliEntry = z.infer<typeof cliEntrySchema>;
export type PresetEntry = z.infer<typeof presetEntrySchema>;
export type BrokerTable = z.infer<typeof brokerTableSchema>;

type Tables = 'clis' | 'presets' | 'logging' | 'broker';

/**
 * The merged configuration (global overlaid by repo). Maps and tables are always present;
 * `specs` is undefined iff neither file has a `[specs]` table.
 */
export type PawConfig = Omit<ConfigFile, Tables> & { [K in Tables]-?: NonNullable<ConfigFile[K]> };

/** The configuration when no file sets anything. */
export function emptyConfig(): PawConfig {
  return { clis: {}, presets: {}, logging: {}, broker: {} };
}
