import { copyLine } from './copy-text';

describe('COPY text lines', () => {
  it('separates columns by tabs and ends the row with a newline', () => {
    expect(copyLine(['a', 7, 'b'])).toBe('a\t7\tb\n');
  });

  it('writes NULL as \\N and an object as its JSON text', () => {
    expect(copyLine([null, { kind: 'refund', amount: 50 }])).toBe('\\N\t{"kind":"refund","amount":50}\n');
  });

  it('escapes backslashes, tabs, newlines and carriage returns, so PostgreSQL reads the value back', () => {
    expect(copyLine(['C:\\fees\tdue\r\nnow'])).toBe('C:\\\\fees\\tdue\\r\\nnow\n');
    // A JSON escape inside a jsonb value keeps its backslash.
    expect(copyLine([{ text: 'line one\nline "two"' }])).toBe('{"text":"line one\\\\nline \\\\"two\\\\""}\n');
  });
});
