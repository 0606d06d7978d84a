import type { FlashbarProps } from '@cloudscape-design/components/flashbar';
import { createContext, type ReactNode, useCallback, useContext, useMemo, useState } from 'react';
import { ApiError } from './api/client.js';

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

/** `Code: message`, as the API answered it; an `AccessDenied` also says which policy is missing. */
export function describeError(error: unknown): string {
  if (!(error instanceof ApiError)) return error instanceof Error ? error.message : String(error);
  return [`${error.code}: ${error.message}`, error.code === 'AccessDenied' ? accessDeniedHint(error.message) : ''].filter(Boolean).join(' ');
}

/**
 * The gateway refuses a caller without the API's caller policy (IAM: "is not authorized to perform:
 * execute-api:Invoke") before any function runs; a function refuses a caller that the key's own
 * policy does not name ("is not a user of this key"). Their messages tell them apart.
 */
export function accessDeniedHint(message: string): string {
  if (/of this key|grantee/i.test(message)) return "The key's own policy does not allow you this: ask one of the key's administrators.";
  if (/not authorized to perform/i.test(message))
    return "Your IAM identity lacks the API's caller policy for this operation (refused at the gateway): ask your platform team to attach it.";
  return '';
}
