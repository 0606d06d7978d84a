import Header from '@cloudscape-design/components/header';

export function CreateKeyPage() {
  return <Header variant="h1">CreateKeyPage</Header>;
}
