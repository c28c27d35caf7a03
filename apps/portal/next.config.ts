import type { NextConfig } from 'next';

const config: NextConfig = {
  // The portal is served by `next start` behind the launcher; no telemetry, no remote fonts.
  poweredByHeader: false,
  reactStrictMode: true,
  typedRoutes: false,
};

export default config;
