import Box from '@cloudscape-design/components/box';
import Link from '@cloudscape-design/components/link';
import { follow } from '../router.js';

export function NotFoundPage() {
  return (
    <Box padding="xxl" textAlign="center">
      <h1>Page not found</h1>
      <Link href="/keys" onFollow={follow}>
        Go to your keys
      </Link>
    </Box>
  );
}
