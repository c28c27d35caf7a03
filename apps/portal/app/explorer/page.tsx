'use client';

export default function ExplorerPage() {
  return (
    <section>
      <h1>Explorer</h1>
      <p className="muted">Loading the time-series explorer…</p>
    </section>
  );
}
