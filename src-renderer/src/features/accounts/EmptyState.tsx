export function EmptyState() {
  return (
    <main className="centered" aria-labelledby="empty-title">
      <section className="card welcome">
        <img src="/icon.svg" alt="" width={72} height={72} />
        <h1 id="empty-title">Add your first account</h1>
        <p>
          Petrel keeps a copy of your mail on this computer, so it opens instantly and reads
          everything offline. Connect an IMAP account to begin.
        </p>
      </section>
    </main>
  );
}
