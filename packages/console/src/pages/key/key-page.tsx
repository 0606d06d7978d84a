import Header from '@cloudscape-design/components/header';

export function KeyPage({ keyId }: { keyId: string }) {
  return <Header variant="h1">{keyId}</Header>;
}
