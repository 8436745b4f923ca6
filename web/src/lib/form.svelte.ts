// What every form (and every action button) on Kindred shares: one submission at a time, errors
// placed beside the field they are about and gathered in a summary, focus moved to the first wrong
// field, and a success message. What was typed stays bound in the page, so nothing is ever lost.
import { tick } from 'svelte';
import { ApiError } from './api';
import { session } from './session.svelte';

const unexpectedMessage = 'Something went wrong on our side. Please try again in a moment — nothing you typed is lost.';

export interface SummaryItem {
  /** The input the message is about, when there is one. */
  id?: string;
  message: string;
}

export interface FormOptions<Field extends string> {
  /** The field an API error without `field` belongs beside, e.g. the password for a failed sign-in. */
  fieldFor?: (error: ApiError) => NoInfer<Field> | undefined;
}

export class FormState<Field extends string = never> {
  busy = $state(false);
  errors = $state<Partial<Record<Field, string>>>({});
  /** An error about the whole form (offline, say). */
  problem = $state('');
  success = $state('');

  readonly #ids: Record<Field, string>;
  readonly #fieldFor: FormOptions<Field>['fieldFor'];

  /**
   * `ids` maps each API field name to the id of its input, in the order the fields appear; an action
   * with no fields (a button) leaves it out.
   */
  constructor(ids = {} as Record<Field, string>, options: FormOptions<Field> = {}) {
    this.#ids = ids;
    this.#fieldFor = options.fieldFor;
  }

  id(field: Field): string {
    return this.#ids[field];
  }

  get summary(): SummaryItem[] {
    const fields = (Object.keys(this.#ids) as Field[]).filter((field) => this.errors[field]);
    const items: SummaryItem[] = fields.map((field) => ({ id: this.#ids[field], message: this.errors[field]! }));
    return this.problem ? [{ message: this.problem }, ...items] : items;
  }

  /**
   * Runs `action` unless a submission is already under way. `check` finds what can be told without
   * asking the server (an empty field); the action may return a success message to show.
   */
  async submit(action: () => Promise<string | void>, check?: () => Partial<Record<Field, string>>): Promise<void> {
    if (this.busy) return;
    this.reset();
    const found = check?.() ?? {};
    if (Object.values(found).some(Boolean)) {
      this.errors = found;
      await this.#focusFirstWrong();
      return;
    }
    this.busy = true;
    try {
      this.success = (await action()) ?? '';
    } catch (error) {
      await this.#show(error);
    } finally {
      this.busy = false;
    }
  }

  /** Forgets what the last submission said, e.g. when a form is closed. */
  reset(): void {
    this.errors = {};
    this.problem = '';
    this.success = '';
  }

  async #show(error: unknown): Promise<void> {
    if (!(error instanceof ApiError)) {
      console.error(error);
      this.problem = unexpectedMessage;
      return;
    }
    if (error.code === 'unauthenticated') {
      await session.expire();
      return;
    }
    const field = this.#fieldOf(error);
    if (field) {
      this.errors = { [field]: error.message } as Partial<Record<Field, string>>;
      await this.#focusFirstWrong();
    } else {
      this.problem = error.message;
    }
  }

  #fieldOf(error: ApiError): Field | undefined {
    if (error.field && Object.hasOwn(this.#ids, error.field)) return error.field as Field;
    return this.#fieldFor?.(error);
  }

  async #focusFirstWrong(): Promise<void> {
    await tick();
    const first = this.summary.find((item) => item.id);
    if (first?.id) document.getElementById(first.id)?.focus();
  }
}

/** The check for fields that must not be left empty: each empty one gets its message. */
export function required<Field extends string>(
  fields: Partial<Record<Field, [value: string, message: string]>>,
): Partial<Record<Field, string>> {
  const found: Partial<Record<Field, string>> = {};
  for (const [field, entry] of Object.entries(fields) as [Field, [string, string]][]) {
    if (entry[0] === '') found[field] = entry[1];
  }
  return found;
}
