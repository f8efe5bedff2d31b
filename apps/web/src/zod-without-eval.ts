// Imported first by main.tsx, before any schema is built: zod compiles object parsers with
// `new Function` unless told not to, and its probe for that alone is reported as a violation
// of the server's Content-Security-Policy (`script-src 'self'`, no 'unsafe-eval').
import { z } from 'zod';

z.config({ jitless: true });
