import { useEffect, useState } from 'react';
import { formatRelativeTime } from '../lib/format-relative-time';

const exact = new Intl.DateTimeFormat('en', { dateStyle: 'full', timeStyle: 'medium' });

/** "5 minutes ago", with the exact date and time on hover; refreshes itself every half minute. */
export function RelativeTime({ timestamp, className }: { timestamp: number; className?: string }) {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 30_000);
    return () => clearInterval(timer);
  }, []);
  const date = new Date(timestamp);
  return (
    <time className={className} dateTime={date.toISOString()} title={exact.format(date)}>
      {formatRelativeTime(timestamp, now)}
    </time>
  );
}
