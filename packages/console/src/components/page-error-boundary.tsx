import Alert from '@cloudscape-design/components/alert';
import Button from '@cloudscape-design/components/button';
import { Component, type ReactNode } from 'react';

interface State {
  readonly error?: Error;
}

/**
 * A page that fails while rendering (an answer of a shape it did not expect, from an API at another
 * version) shows why, with a way back, instead of leaving the whole console blank.
 */
export class PageErrorBoundary extends Component<{ readonly children: ReactNode }, State> {
  override state: State = {};

  static getDerivedStateFromError(error: Error): State {
    return { error };
  }

  override render(): ReactNode {
    const { error } = this.state;
    if (error === undefined) return this.props.children;
    return (
      <Alert type="error" header="This page failed" action={<Button onClick={() => window.location.reload()}>Reload</Button>}>
        {`It could not show what the API answered (${error.message}). Is the endpoint an Envelope API of this console's version?`}
      </Alert>
    );
  }
}
