import { Text, type TextProps } from '@mantine/core';
import { formatAmount } from './format';

/**
 * An amount with tabular digits and its currency in a lighter tone. It takes the size of
 * the text around it unless `fz` is given.
 */
export function Money({ minor, currency, strong, ...rest }: { minor: number; currency: string; strong?: boolean } & TextProps) {
  return (
    <Text span inherit={rest.fz === undefined} className="tabular" fw={strong ? 600 : undefined} style={{ whiteSpace: 'nowrap' }} {...rest}>
      {formatAmount(minor, currency)}
      <Text span c="dimmed" fz="0.82em" ml={4} fw={400}>
        {currency}
      </Text>
    </Text>
  );
}
