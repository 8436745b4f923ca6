// Crisis resources shown privately to a member whose words suggest risk (CARE.md, "Crisis and self-harm").
// The list ships with the project in shared/data/helplines.json: well-known national lines only, and a line
// is left out rather than guessed. A country we don't know gets the international advice instead.
import helplineData from '../../../shared/data/helplines.json' with { type: 'json' };

export interface HelplineLine {
  name: string;
  phone?: string;
  text?: string;
  url?: string;
  hours?: string;
  description: string;
}

export interface CountryHelplines {
  name: string;
  emergency: string;
  lines: HelplineLine[];
}

export interface HelplineData {
  updated: string;
  international: HelplineLine[];
  /** By ISO 3166-1 alpha-2 code. */
  countries: Record<string, CountryHelplines>;
}

export interface CrisisResources {
  /** The country the lines are for, or null when we fell back to the international list. */
  country: string | null;
  emergency: string | null;
  lines: HelplineLine[];
  international: HelplineLine[];
}

/** The list that ships with Kindred; HELPLINES_FILE may replace it (read in config.ts). */
export const helplines: HelplineData = helplineData;

/** Crisis resources from one list: every place that shows lines (resources pages, a writer's notice) reads the same. */
export function createHelplines(data: HelplineData) {
  return {
    crisisResources(country: string | null | undefined): CrisisResources {
      const code = country?.trim().toUpperCase() ?? '';
      const known = Object.hasOwn(data.countries, code) ? data.countries[code] : undefined;
      if (!known)
        return { country: null, emergency: null, lines: data.international, international: data.international };
      return { country: code, emergency: known.emergency, lines: known.lines, international: data.international };
    },

    supportedCountries(): { code: string; name: string }[] {
      return Object.entries(data.countries)
        .map(([code, { name }]) => ({ code, name }))
        .sort((a, b) => a.name.localeCompare(b.name, 'en'));
    },

    /** Every country with its lines, for the resources page. */
    directory() {
      return {
        updated: data.updated,
        international: data.international,
        countries: Object.entries(data.countries)
          .map(([code, country]) => ({ code, ...country }))
          .sort((a, b) => a.name.localeCompare(b.name, 'en')),
      };
    },
  };
}

export type Helplines = ReturnType<typeof createHelplines>;

const shipped = createHelplines(helplines);
export const crisisResources = shipped.crisisResources;
export const supportedCountries = shipped.supportedCountries;
