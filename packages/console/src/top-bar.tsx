import TopNavigation from '@cloudscape-design/components/top-navigation';
import { navigate } from './router.js';
import { useSession } from './session.js';

/**
 * The console's header: the API it talks to and, for `npm start`, the local identity it acts as,
 * with a menu to switch (so "another user is refused" is one click).
 */
export function TopBar() {
  const { session, identity, setIdentity } = useSession();
  const current = session.identities.find((entry) => entry.name === identity);
  return (
    <div id="top-bar">
      <TopNavigation
        identity={{
          href: '/keys',
          title: 'Envelope console',
          onFollow: (event) => {
            event.preventDefault();
            navigate('/keys');
          },
        }}
        utilities={[
          { type: 'button', text: `${session.endpoint} · ${session.region}`, disableUtilityCollapse: false },
          ...(session.signer ? [{ type: 'button' as const, iconName: 'key' as const, text: `Signing with ${session.signer}` }] : []),
          ...(current
            ? [
                {
                  type: 'menu-dropdown' as const,
                  text: `Acting as ${current.name}`,
                  description: current.arn,
                  iconName: 'user-profile' as const,
                  ariaLabel: `Acting as ${current.name}: choose another local identity`,
                  items: session.identities.map((entry) => ({
                    id: entry.name,
                    text: entry.name,
                    secondaryText: entry.description,
                    checked: entry.name === identity,
                    itemType: 'checkbox' as const,
                  })),
                  onItemClick: (event: CustomEvent<{ id: string }>) => setIdentity(event.detail.id),
                },
              ]
            : []),
        ]}
      />
    </div>
  );
}
