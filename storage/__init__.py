"""SQLite adapter: one file, WAL, append-only migrations, repositories that return domain objects."""
