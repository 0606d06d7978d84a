/**
 * The few browser globals the `page.evaluate` functions touch, typed without the DOM library:
 * scripts/console-screenshots.ts brings these helpers into the Node project, where the DOM's types
 * would change Node's `Headers` and `fetch`. A module declares them locally,
 * `declare const document: PageDocument`, since a function sent to the page can refer only to the
 * page's own globals.
 */
export interface PageElement {
  textContent: string | null;
  append(...nodes: PageElement[]): void;
  submit(): void;
  [property: string]: unknown;
}

export interface PageDocument {
  readonly cookie: string;
  readonly activeElement: unknown;
  readonly head: PageElement;
  readonly body: PageElement;
  createElement(tag: string): PageElement;
  addEventListener(type: 'securitypolicyviolation', listener: (event: { readonly violatedDirective: string }) => void): void;
}

export interface PageWindow {
  readonly localStorage: { getItem(name: string): string | null };
  [name: string]: unknown;
}
