"""SQLite adapter: one file, WAL, append-only migrations, repositories returning domain objects."""
