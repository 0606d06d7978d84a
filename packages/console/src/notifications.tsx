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
    setItems((current) => [{ ...flash, id, dismissible: true, dismissLabel: 'Dismiss message', onDismiss: dismiss }, ...current].slice(0, 5));
  }, []);
  const notifyError = useCallback((header: string, error: unknown) => notify({ type: 'error', header, content: describeError(error) }), [notify]);
  const value = useMemo(() => ({ items, notify, notifyError }), [items, notify, notifyError]);
  return <NotificationsContext.Provider value={value}>{children}</NotificationsContext.Provider>;
}

export { describeError } from './api/error-text.js';
