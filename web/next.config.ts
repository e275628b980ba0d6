// The UI is exported as static files (out/) that the C server serves at /; no Node.js at
// run time. Pages read their parameters from the query string (/history?task=42), so every
// route is a plain file and the server's SPA fallback covers unknown paths.
import type { NextConfig } from 'next';

const config: NextConfig = {
  output: 'export',
  trailingSlash: false,
  reactStrictMode: true,
  poweredByHeader: false,
  images: { unoptimized: true },
  typescript: { ignoreBuildErrors: false },
};

export default config;
