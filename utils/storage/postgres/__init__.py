"""The PostgreSQL backend of the storage interface, chosen by ``PRODSIGHT_DATABASE_URL``."""
