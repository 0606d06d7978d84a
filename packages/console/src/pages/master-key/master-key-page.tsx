import Header from '@cloudscape-design/components/header';

export function MasterKeyPage() {
  return <Header variant="h1">MasterKeyPage</Header>;
}
