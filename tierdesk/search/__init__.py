"""Full-text search on the database's own engine (SQLite FTS5, PostgreSQL tsvector + GIN):
one module for every kind of document (tickets today, knowledge-base articles next)."""
