import Header from '@cloudscape-design/components/header';

export function ActivityPage() {
  return <Header variant="h1">ActivityPage</Header>;
}
