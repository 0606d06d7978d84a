import Alert from '@cloudscape-design/components/alert';
import AppLayout, { type AppLayoutProps } from '@cloudscape-design/components/app-layout';
import Box from '@cloudscape-design/components/box';
import Flashbar from '@cloudscape-design/components/flashbar';
import SideNavigation from '@cloudscape-design/components/side-navigation';
import Spinner from '@cloudscape-design/components/spinner';
import { useEffect } from 'react';
import { PageErrorBoundary } from './components/page-error-boundary.js';
import { describeError, NotificationsProvider, useNotifications } from './notifications.js';
import { ActivityPage } from './pages/activity/activity-page.js';
import { CreateKeyPage } from './pages/create-key/create-key-page.js';
import { KeyPage } from './pages/key/key-page.js';
import { KeysPage } from './pages/keys/keys-page.js';
import { MasterKeyPage } from './pages/master-key/master-key-page.js';
import { NotFoundPage } from './pages/not-found.js';
import { follow, type Route, routeOf, useLocation } from './router.js';
import { SessionProvider, useSession } from './session.js';
import { TopBar } from './top-bar.js';

export function App() {
  return (
    <SessionProvider fallback={SessionFallback}>
      <NotificationsProvider>
        <Shell />
      </NotificationsProvider>
    </SessionProvider>
  );
}

function Shell() {
  const location = useLocation();
  const route = routeOf(location.pathname);
  const { items, clear } = useNotifications();
  // A page remounts when the identity changes, and the flashes go, so that nothing shown was someone else's.
  const { identity } = useSession();
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs on each change of identity, which it does not read
  useEffect(() => clear(), [identity, clear]);
  return (
    <>
      <TopBar />
      <AppLayout
        headerSelector="#top-bar"
        navigation={<Navigation active={activeHref(route)} />}
        notifications={<Flashbar items={[...items]} stackItems={items.length > 2} />}
        toolsHide
        ariaLabels={{ navigation: 'Console pages', navigationClose: 'Close pages', navigationToggle: 'Open pages', notifications: 'Notifications' }}
        content={
          <PageErrorBoundary key={`${identity}:${location.pathname}`}>
            <Page route={route} />
          </PageErrorBoundary>
        }
        contentType={CONTENT_TYPES[route.page] ?? 'default'}
      />
    </>
  );
}

const CONTENT_TYPES: Partial<Record<Route['page'], AppLayoutProps.ContentType>> = { keys: 'table', activity: 'table', createKey: 'wizard' };

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case 'keys':
      return <KeysPage />;
    case 'createKey':
      return <CreateKeyPage />;
    case 'key':
      return <KeyPage key={route.keyId} keyId={route.keyId} />;
    case 'masterKey':
      return <MasterKeyPage />;
    case 'activity':
      return <ActivityPage />;
    case 'notFound':
      return <NotFoundPage />;
  }
}

const activeHref = (route: Route) =>
  route.page === 'masterKey' ? '/master-key' : route.page === 'activity' ? '/activity' : route.page === 'notFound' ? '' : '/keys';

function Navigation({ active }: { active: string }) {
  return (
    <SideNavigation
      header={{ text: 'Envelope', href: '/keys' }}
      activeHref={active}
      onFollow={follow}
      items={[
        { type: 'link', text: 'Keys', href: '/keys' },
        { type: 'link', text: 'Activity', href: '/activity' },
        { type: 'divider' },
        { type: 'link', text: 'Master key', href: '/master-key' },
      ]}
    />
  );
}

function SessionFallback(error?: Error) {
  return (
    <Box padding="xxl" textAlign="center">
      {error ? (
        <Alert type="error" header="The console cannot start">
          {describeError(error)}
        </Alert>
      ) : (
        <Spinner size="large" />
      )}
    </Box>
  );
}
