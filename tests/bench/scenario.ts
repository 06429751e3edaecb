/**
 * What a benchmark scenario is, for the runner's registry (group → name → scenario).
 */
export interface ScenarioResult {
  /** Flat numbers, merged into the JSON file (ms unless the key says otherwise). */
  metrics: Record<string, number>;
  /** Yes/no figures (e.g. whether all replicas ended identical), merged into the JSON file as true/false. */
  flags?: Record<string, boolean>;
  /** Context for the reader: settings, what bounds the figures. */
  notes: string[];
  /** Errors seen: refused requests, server log lines, lost messages… (exact messages). */
  problems: string[];
}

export interface Scenario {
  description: string;
  run(): Promise<ScenarioResult>;
}

export const envNumber = (name: string, fallback: number): number => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name}=${JSON.stringify(raw)}: expected a positive number`);
  return value;
};

/** CPU use as a percentage of one core (200 = both cores of this machine). */
export const cpuPercent = (cpuSeconds: number, wallMs: number) => (wallMs > 0 ? Math.round((cpuSeconds / (wallMs / 1000)) * 1000) / 10 : -1);

/** A realistic contribution of about 300 characters. */
export const contributionText = (i: number) =>
  `Contribution ${i}: in our city the partnership between the municipal migrant desk, two diaspora ` +
  'associations and the regional employment office cut the time to a first job offer by half. ' +
  'What made it work was a shared case file and a monthly meeting open to the people concerned.';
