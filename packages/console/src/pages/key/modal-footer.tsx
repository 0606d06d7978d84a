import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import SpaceBetween from '@cloudscape-design/components/space-between';

export interface ModalFooterProps {
  /** The primary button's text: what confirming does. */
  readonly confirm: string;
  readonly onConfirm: () => void;
  readonly onCancel: () => void;
  readonly loading?: boolean;
  readonly disabled?: boolean;
}

/** A confirmation modal's footer, as the AWS console lays it out: Cancel, then the action. */
export function ModalFooter({ confirm, onConfirm, onCancel, loading, disabled }: ModalFooterProps) {
  return (
    <Box float="right">
      <SpaceBetween direction="horizontal" size="xs">
        <Button variant="link" onClick={onCancel}>
          Cancel
        </Button>
        <Button variant="primary" loading={loading} disabled={disabled} onClick={onConfirm}>
          {confirm}
        </Button>
      </SpaceBetween>
    </Box>
  );
}
