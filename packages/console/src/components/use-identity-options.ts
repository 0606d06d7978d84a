import type { AutosuggestProps } from '@cloudscape-design/components/autosuggest';
import { useMemo } from 'react';
import { useSession } from '../session.js';

/** The local identities (`npm start`) as Autosuggest options: their ARN, shown by name; none with `envelope console`. */
export function useIdentityOptions(): AutosuggestProps.Options {
  const { session } = useSession();
  return useMemo(
    () =>
      session.mode === 'local'
        ? session.identities.map((identity) => ({
            value: identity.arn,
            label: identity.name,
            description: identity.arn,
            tags: [identity.description],
          }))
        : [],
    [session],
  );
}
