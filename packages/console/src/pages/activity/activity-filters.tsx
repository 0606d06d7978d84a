import Autosuggest from '@cloudscape-design/components/autosuggest';
import Button from '@cloudscape-design/components/button';
import ColumnLayout from '@cloudscape-design/components/column-layout';
import Container from '@cloudscape-design/components/container';
import DateRangePicker, { type DateRangePickerProps } from '@cloudscape-design/components/date-range-picker';
import Form from '@cloudscape-design/components/form';
import FormField from '@cloudscape-design/components/form-field';
import Header from '@cloudscape-design/components/header';
import Input from '@cloudscape-design/components/input';
import { useState } from 'react';
import { useIdentityOptions } from '../../components/use-identity-options.js';
import {
  type ActivityFilters as Filters,
  keyFilterError,
  principalFilterError,
  RELATIVE_RANGES,
  type TimeRange,
  validateRange,
} from './activity-query.js';

export interface ActivityFiltersProps {
  /** The filters in force; the fields start from them. */
  readonly applied: Filters;
  readonly onApply: (filters: Filters) => void;
  readonly range: TimeRange;
  readonly onRangeChange: (range: TimeRange) => void;
}

/** The key, the principal and the time range to read the audit trail for. The range applies at once; the text fields on Search. */
export function ActivityFilters({ applied, onApply, range, onRangeChange }: ActivityFiltersProps) {
  const [key, setKey] = useState(applied.key);
  const [principal, setPrincipal] = useState(applied.principal);
  const options = useIdentityOptions();
  const errors = { key: keyFilterError(key.trim()), principal: principalFilterError(principal.trim()) };
  const search = () => {
    if (errors.key === undefined && errors.principal === undefined) onApply({ key: key.trim(), principal: principal.trim() });
  };
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        search();
      }}
    >
      <Form actions={<Button variant="primary">Search</Button>}>
        <Container header={<Header variant="h2">Filters</Header>}>
          <ColumnLayout columns={3}>
            <FormField label="Key" description="A key id, or an alias." errorText={errors.key}>
              <Input
                value={key}
                onChange={(event) => setKey(event.detail.value)}
                placeholder="orders, or a key id"
                type="search"
                clearAriaLabel="Clear key"
              />
            </FormField>
            <FormField label="Principal" description="The caller's ARN, as authenticated." errorText={errors.principal}>
              <Autosuggest
                value={principal}
                options={options}
                onChange={(event) => setPrincipal(event.detail.value)}
                placeholder="arn:aws:iam::111122223333:user/teammate"
                clearAriaLabel="Clear principal"
                enteredTextLabel={(text) => `Use "${text}"`}
                empty="No local identity matches"
              />
            </FormField>
            <FormField label="Time range" description="Records at or after its start, up to its end.">
              <DateRangePicker
                value={range}
                onChange={(event) => event.detail.value && onRangeChange(event.detail.value)}
                relativeOptions={RELATIVE_RANGES}
                isValidRange={validateRange}
                i18nStrings={I18N}
                placeholder="Choose a time range"
                showClearButton={false}
                expandToViewport
              />
            </FormField>
          </ColumnLayout>
        </Container>
      </Form>
    </form>
  );
}

const UNITS: Record<DateRangePickerProps.TimeUnit, string> = {
  second: 'second',
  minute: 'minute',
  hour: 'hour',
  day: 'day',
  week: 'week',
  month: 'month',
  year: 'year',
};
const unit = (name: DateRangePickerProps.TimeUnit, amount: number) => `${UNITS[name]}${amount === 1 ? '' : 's'}`;

const I18N: DateRangePickerProps.I18nStrings = {
  modeSelectionLabel: 'Date range mode',
  relativeModeTitle: 'Relative range',
  absoluteModeTitle: 'Absolute range',
  relativeRangeSelectionHeading: 'Choose a range',
  cancelButtonLabel: 'Cancel',
  clearButtonLabel: 'Clear and dismiss',
  applyButtonLabel: 'Apply',
  formatRelativeRange: (value) => `Last ${value.amount} ${unit(value.unit, value.amount)}`,
  formatUnit: unit,
  customRelativeRangeOptionLabel: 'Custom range',
  customRelativeRangeOptionDescription: 'Set a custom range in the past',
  customRelativeRangeDurationLabel: 'Duration',
  customRelativeRangeDurationPlaceholder: 'Enter duration',
  customRelativeRangeUnitLabel: 'Unit of time',
  startDateLabel: 'Start date',
  startTimeLabel: 'Start time',
  endDateLabel: 'End date',
  endTimeLabel: 'End time',
  dateConstraintText: 'For date, use YYYY/MM/DD.',
  dateTimeConstraintText: 'For date, use YYYY/MM/DD. For time, use 24 hr format.',
  slashedDateTimeConstraintText: 'For date, use YYYY/MM/DD. For time, use 24 hr format.',
  isoDateTimeConstraintText: 'For date, use YYYY-MM-DD. For time, use 24 hr format.',
  errorIconAriaLabel: 'Error',
  renderSelectedAbsoluteRangeAriaLive: (start, end) => `Range selected from ${start} to ${end}`,
  todayAriaLabel: 'Today',
  nextMonthAriaLabel: 'Next month',
  previousMonthAriaLabel: 'Previous month',
  currentMonthAriaLabel: 'Current month',
  isoDatePlaceholder: 'YYYY-MM-DD',
  slashedDatePlaceholder: 'YYYY/MM/DD',
  timePlaceholder: 'hh:mm:ss',
};
