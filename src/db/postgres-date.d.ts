declare module 'postgres-date' {
  /** Parses PostgreSQL's text form of a date or timestamp; infinity as ±Infinity. */
  export default function parseDate(value: string): Date | number | null;
}
