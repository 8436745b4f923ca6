// See https://svelte.dev/docs/kit/types#app.d.ts
declare global {
  namespace App {
    interface PageState {
      /** A message for the page just reached, e.g. after signing out or deleting an account. */
      notice?: { text: string; tone: 'status' | 'alert' };
    }
  }
}

export {};
