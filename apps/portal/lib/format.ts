const byteUnits = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** 0 B, 512 B, 1.5 KiB, 23 MiB, … (binary units, three significant digits at most). */
export function formatBytes(bytes: number): string {
  let value = Math.abs(bytes);
  let unit = 0;
  while (value >= 1024 && unit < byteUnits.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const digits = unit === 0 || value >= 100 ? 0 : value >= 10 ? 1 : 2;
  const text = Number(value.toFixed(digits)).toLocaleString(undefined, {
    maximumFractionDigits: digits,
  });
  return `${bytes < 0 ? '-' : ''}${text} ${byteUnits[unit]}`;
}

/** 0.25 s, 12 s, 3 min 5 s, 2 h 10 min, 3 d 4 h: a duration as a person reads it. */
export function formatDuration(seconds: number): string {
  if (seconds < 10) return `${Number(seconds.toFixed(2))} s`;
  if (seconds < 60) return `${Math.round(seconds)} s`;
  const s = Math.round(seconds);
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  return `${Math.floor(s / 86_400)} d ${Math.floor((s % 86_400) / 3600)} h`;
}

/** Digits after the point of an ISO 4217 currency, as the browser's Intl data has them. */
export function currencyDigits(currency: string): number {
  try {
    return (
      new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions()
        .maximumFractionDigits ?? 2
    );
  } catch {
    return 2;
  }
}

/** Adds one to a string of decimal digits ("0999" -> "1000"). */
function incrementDigits(digits: string): string {
  const out = digits.split('');
  for (let i = out.length - 1; i >= 0; i -= 1) {
    if (out[i] !== '9') {
      out[i] = String(Number(out[i]) + 1);
      return out.join('');
    }
    out[i] = '0';
  }
  return `1${out.join('')}`;
}

/**
 * A decimal string rounded to `digits` places (ties away from zero) with thousands grouped,
 * by string arithmetic only: amounts are never turned into JavaScript numbers.
 * ('1234.565', 2) -> '1,234.57'; ('-0.004', 2) -> '0.00'; not a decimal -> returned as is.
 */
export function formatDecimal(value: string, digits: number): string {
  const match = /^([+-])?(\d*)(?:\.(\d*))?$/.exec(value.trim());
  if (!match || (match[2] === '' && !match[3])) return value;
  const negative = match[1] === '-';
  const whole = match[2] || '0';
  const fraction = match[3] ?? '';
  const kept = (fraction + '0'.repeat(digits)).slice(0, digits);
  let scaled = `${whole}${kept}`;
  if ((fraction[digits] ?? '0') >= '5') scaled = incrementDigits(scaled);
  scaled = scaled.padStart(digits + 1, '0');
  const intPart = scaled.slice(0, scaled.length - digits).replace(/^0+(?=\d)/, '');
  const fracPart = scaled.slice(scaled.length - digits);
  const grouped = intPart.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const zero = /^[0,]*$/.test(grouped) && /^0*$/.test(fracPart);
  return `${negative && !zero ? '-' : ''}${grouped}${digits ? `.${fracPart}` : ''}`;
}

/** An amount (the API's decimal string) in its currency's minor units: '1,234.50 EUR'. */
export function formatMoney(amount: string, currency: string, digits?: number): string {
  return `${formatDecimal(amount, digits ?? currencyDigits(currency))} ${currency}`;
}

/**
 * A unit price: at least the currency's minor digits, and every significant digit beyond them
 * ('0.000002' EUR stays 0.000002, never 0.00).
 */
export function formatPrice(amount: string, currency: string): string {
  const fraction = /\.(\d+)$/.exec(amount.trim())?.[1]?.replace(/0+$/, '') ?? '';
  return formatMoney(amount, currency, Math.max(currencyDigits(currency), fraction.length));
}

/** A quantity (decimal string) as given, with thousands grouped and no trailing zeros. */
export function formatQuantity(value: string): string {
  const match = /^-?\d+(?:\.(\d+))?$/.exec(value.trim());
  if (!match) return value;
  const digits = (match[1] ?? '').replace(/0+$/, '').length;
  return formatDecimal(value, digits);
}

/** A tax rate given as a fraction ('0.2') as a percentage ('20 %'), by moving the point. */
export function formatRate(fraction: string): string {
  const match = /^(\d*)(?:\.(\d*))?$/.exec(fraction.trim());
  if (!match) return fraction;
  const fractionPart = (match[2] ?? '').padEnd(2, '0');
  const whole = `${match[1] || '0'}${fractionPart.slice(0, 2)}`.replace(/^0+(?=\d)/, '');
  const rest = fractionPart.slice(2).replace(/0+$/, '');
  return `${whole}${rest ? `.${rest}` : ''} %`;
}
