import type { FlashbarProps } from '@cloudscape-design/components/flashbar';
import { createContext, type ReactNode, useCallback, useContext, useMemo, useState } from 'react';
import { describeError } from './api/error-text.js';

type Flash = Omit<FlashbarProps.MessageDefinition, 'id' | 'dismissible' | 'onDismiss'>;

interface Notifications {
  readonly items: readonly FlashbarProps.MessageDefinition[];
  /** Shows an outcome at the top of the page until dismissed. */
  readonly notify: (flash: Flash) => void;
  /** Shows an error as the API's code and message. */
  readonly notifyError: (header: string, error: unknown) => void;
  /** Removes every flash (another identity's outcomes are not this one's). */
  readonly clear: () => void;
}

const NotificationsContext = createContext<Notifications | undefined>(undefined);

export function useNotifications(): Notifications {
  const value = useContext(NotificationsContext);
  if (value === undefined) throw new Error('useNotifications outside NotificationsProvider');
  return value;
}

let counter = 0;

export function NotificationsProvider({ children }: { children: ReactNode }) {
  const [items, setItems] = useState<FlashbarProps.MessageDefinition[]>([]);
  const notify = useCallback((flash: Flash) => {
    const id = `flash-${++counter}`;
    const dismiss = () => setItems((current) => current.filter((item) => item.id !== id));
    const item = { ...flash, id, dismissible: true, dismissLabel: 'Dismiss message', onDismiss: dismiss };
    setItems((current) => [item, ...current.filter((earlier) => !supersedes(flash, earlier))].slice(0, 5));
  }, []);
  const clear = useCallback(() => setItems([]), []);
  const notifyError = useCallback((header: string, error: unknown) => notify({ type: 'error', header, content: describeError(error) }), [notify]);
  const value = useMemo(() => ({ items, notify, notifyError, clear }), [items, notify, notifyError, clear]);
  return <NotificationsContext.Provider value={value}>{children}</NotificationsContext.Provider>;
}

/** A flash replaces the same outcome shown before, and a success the failures before it: the page shows where things stand. */
const supersedes = (flash: Flash, earlier: FlashbarProps.MessageDefinition) =>
  earlier.header === flash.header || (flash.type === 'success' && earlier.type === 'error');

export { describeError } from './api/error-text.js';
